# %% [markdown]
# # Assignment 13: training and testing on different distributions
#
# When the images you care about (the *target*) are scarce, you train mostly on other
# images (the *source*) and keep the target images for dev and test. A gap between train
# and dev error then has two causes: variance (overfitting) and data mismatch. A *bridge*
# (train-dev) set, held out from the training mixture, separates them. You will compute
# this error analysis, first on the notes' dog-classifier tables, then on the course's digit
# domain shift (MNIST digits as source, blurry upscaled 8x8 digits as target).
#
# Tests print `PASS ...` or say what was expected, what you gave and for which input;
# hidden tests run when your work is graded.
#
# Points: part 1 (2), part 2 (4), part 3 (2), part 4 (3), part 5 (2): 13 in all.

# %% locked id=setup
import numpy as np
from cnn_core.grading import check_choice, check_close, check_equal, check_number, check_option, part, quietly
from cnn_core.data import load_digit_domain_shift
from sklearn.neighbors import NearestCentroid

# the digit domain shift, and a simple classifier trained on its training mixture
splits = load_digit_domain_shift(13)
_classifier = NearestCentroid().fit(splits["train"].images.reshape(len(splits["train"].images), -1),
                                    splits["train"].labels)
predictions = {name: _classifier.predict(s.images.reshape(len(s.images), -1)) for name, s in splits.items()}
labels = {name: s.labels for name, s in splits.items()}

# %% [markdown]
# ## Part 1 (2 points): a shuffled dev set barely sees the target
#
# The notes' example: 100,000 web images (source) and 8,000 images from the phone app
# (target) are shuffled together and split 96:2:2, so the dev set is 2% of the 108,000
# images, chosen at random (the notes say 2,000 images; 2% is 2,160). How many target images
# does that dev set hold on average? Write the arithmetic in `expected_target_in_dev`.

# %% solution id=shuffled_dev
### BEGIN SOLUTION
expected_target_in_dev = 0.02 * 108000 * 8000 / 108000
### END SOLUTION

# %% tests id=shuffled_dev_check points=2
part("shuffled_dev_check")
from scipy.stats import hypergeom

# drawing 2% of 108,000 images without replacement, 8,000 of which are target
_dev = round(0.02 * 108_000)
check_number(f"expected target images in a {_dev:,}-image dev set", expected_target_in_dev,
             hypergeom(M=108_000, n=8_000, N=_dev).mean(), rtol=1e-9)

# %% [markdown]
# ## Part 2 (4 points): variance and data mismatch
#
# Write `error_analysis(human, train, bridge, dev)` (errors in percent) returning a dict
# with three entries:
#
# - `"avoidable_bias"`: train error minus human (Bayes) error;
# - `"variance"`: bridge error minus train error (same distribution, unseen images);
# - `"mismatch"`: dev error minus bridge error (unseen images, other distribution).

# %% solution id=error_analysis
def error_analysis(human, train, bridge, dev):
    ### BEGIN SOLUTION
    return {"avoidable_bias": train - human, "variance": bridge - train, "mismatch": dev - bridge}
    ### END SOLUTION

# %% tests id=error_analysis_check points=4
part("error_analysis_check")
_keys = ["avoidable_bias", "variance", "mismatch"]


def _as_list(result):
    return [result[k] for k in _keys]


# the notes' two tables: train 2 %, bridge 9 % or 3 %, dev 10 % (human error taken as 0 %)
for _bridge in (9.0, 3.0):
    _errors = {"human": 0.0, "train": 2.0, "bridge": _bridge, "dev": 10.0}
    check_close(f"bias, variance, mismatch for bridge {_bridge} %", _as_list(error_analysis(**_errors)),
                [_errors["train"] - _errors["human"], _errors["bridge"] - _errors["train"],
                 _errors["dev"] - _errors["bridge"]], rtol=1e-12, inputs=_errors)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(131)
with quietly("error_analysis on 20 random tables"):
    for _ in range(20):
        _h, _t, _b, _d = np.sort(_rng.uniform(0, 30, size=4)).round(2)
        _errors = {"human": float(_h), "train": float(_t), "bridge": float(_b), "dev": float(_d)}
        check_close("bias, variance, mismatch", _as_list(error_analysis(**_errors)),
                    [_t - _h, _b - _t, _d - _b], rtol=1e-12, atol=1e-12, inputs=_errors)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 (2 points): what to work on first
#
# Write `biggest_problem(human, train, bridge, dev)` returning `"bias"`, `"variance"` or
# `"mismatch"`: whichever of the three errors of part 2 is largest.

# %% solution id=biggest_problem
def biggest_problem(human, train, bridge, dev):
    ### BEGIN SOLUTION
    parts = error_analysis(human, train, bridge, dev)
    names = {"avoidable_bias": "bias", "variance": "variance", "mismatch": "mismatch"}
    return names[max(parts, key=parts.get)]
    ### END SOLUTION

# %% tests id=biggest_problem_check points=2
part("biggest_problem_check")
_options = ["bias", "variance", "mismatch"]
check_choice("train 2 %, bridge 9 %, dev 10 %", biggest_problem(0, 2, 9, 10), "variance", _options)
check_choice("train 2 %, bridge 3 %, dev 10 %", biggest_problem(0, 2, 3, 10), "mismatch", _options)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(132)
with quietly("biggest_problem on 20 random tables"):
    for _ in range(20):
        _gaps = _rng.permutation([1.0, 2.5, 6.0])
        _h = 1.0
        _t, _b, _d = _h + _gaps[0], _h + _gaps[0] + _gaps[1], _h + _gaps.sum()
        check_choice(f"gaps {list(_gaps)}", biggest_problem(_h, _t, _b, _d), _options[int(np.argmax(_gaps))],
                     _options)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 (3 points): the digit domain shift, measured
#
# `predictions[name]` and `labels[name]` hold a nearest-centroid classifier's predictions
# and the true labels for `name` in `"train"`, `"bridge"`, `"dev"`, `"test"`. Write
# `error_rate(predicted, true)` (in percent), then store in `digit_errors` the result of
# your `error_analysis` with human error 0 and the train, bridge and dev error rates.

# %% solution id=digit_errors
def error_rate(predicted, true):
    ### BEGIN SOLUTION
    return 100.0 * np.mean(np.asarray(predicted) != np.asarray(true))
    ### END SOLUTION


### BEGIN SOLUTION
digit_errors = error_analysis(0.0, *(error_rate(predictions[n], labels[n]) for n in ("train", "bridge", "dev")))
### END SOLUTION

# %% tests id=digit_errors_check points=3
part("digit_errors_check")
from sklearn.metrics import accuracy_score

_rates = {n: 100 * (1 - accuracy_score(labels[n], predictions[n])) for n in ("train", "bridge", "dev", "test")}
for _n in ("train", "dev"):
    check_number(f"error rate on {_n}", error_rate(predictions[_n], labels[_n]), _rates[_n], rtol=1e-9)
check_close("digit domain shift: bias, variance, mismatch", _as_list(digit_errors),
            [_rates["train"], _rates["bridge"] - _rates["train"], _rates["dev"] - _rates["bridge"]], rtol=1e-9)

# %% [markdown]
# ## Part 5 (2 points): reducing the mismatch
#
# The mismatch dominates and no more target images can be collected. What do the notes
# advise? Store a letter as a string in `mismatch_choice`.
#
# - (a) add more source images: more training data lowers the error;
# - (b) study the dev errors to see how target images differ (error analysis), then make
#   training images that look like them (artificial data synthesis);
# - (c) move some of the dev set's target images into the training set, to train on the
#   target distribution.

# %% solution id=mismatch_choice
### BEGIN SOLUTION
mismatch_choice = "b"
### END SOLUTION

# %% tests id=mismatch_choice_check points=2
part("mismatch_choice_check")
check_option("reducing the mismatch", mismatch_choice, ["a", "b", "c"])
### BEGIN HIDDEN TESTS
# (a) lowers variance, not mismatch (the bridge set already generalises); (c) shrinks the dev
# set that defines the goal, and helps little with so few images
check_choice("reducing the mismatch", mismatch_choice, "b", ["a", "b", "c"])
### END HIDDEN TESTS
