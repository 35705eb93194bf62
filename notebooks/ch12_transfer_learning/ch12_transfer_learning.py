# %% [markdown]
# # Assignment 12: transfer learning
#
# A network trained on one task has learned features that another task can reuse. You
# will freeze a model's feature extractor, give it a new head for a new number of classes,
# build an optimizer that trains only what should be trained, and decide between feature
# extraction and fine-tuning.
#
# The model below stands for a network pre-trained on digits: `model.features` (the
# convolutional feature extractor) and `model.classifier` (the dense head). Its weights are
# fixed by a seed, so every run of this notebook sees the same model. Tests print `PASS ...`
# or say what was expected, what you gave and for which input; hidden tests run when your
# work is graded.
#
# Points: part 1 (3), part 2 (3), part 3 (3), part 4 (2), part 5 (2): 13 in all.

# %% locked id=setup
from collections import OrderedDict

import numpy as np
import torch
from torch import nn
from cnn_core.grading import (check_choice, check_close, check_equal, check_number, check_option, check_shape,
                              check_true, part)


def pretrained_model():
    """A small digit classifier standing in for a pre-trained network (seeded weights)."""
    torch.manual_seed(12)
    return nn.Sequential(OrderedDict(
        features=nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()),
        classifier=nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 10)),
    ))

# %% [markdown]
# ## Part 1 (3 points): freeze the feature extractor
#
# Write `freeze_features(model)`: stop gradients for every parameter of `model.features`
# (leave the classifier trainable). Return the model.

# %% solution id=freeze
def freeze_features(model):
    ### BEGIN SOLUTION
    for p in model.features.parameters():
        p.requires_grad_(False)
    return model
    ### END SOLUTION

# %% tests id=freeze_check points=3
part("freeze_check")
_model = freeze_features(pretrained_model())
check_true("every feature parameter is frozen", all(not p.requires_grad for p in _model.features.parameters()))
check_true("every classifier parameter still trains", all(p.requires_grad for p in _model.classifier.parameters()))
# after a backward pass, frozen parameters have no gradient
_model(torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(0))).sum().backward()
check_true("no gradient reaches the features", all(p.grad is None for p in _model.features.parameters()))

# %% [markdown]
# ## Part 2 (3 points): a new head
#
# The new task has 3 classes. Write `replace_head(model, num_classes)`: replace the *last*
# layer of `model.classifier` by a new `nn.Linear` with the same number of inputs and
# `num_classes` outputs; keep every other layer (the same objects, with their weights).
# Return the model.

# %% solution id=new_head
def replace_head(model, num_classes):
    ### BEGIN SOLUTION
    last = model.classifier[-1]
    model.classifier[-1] = nn.Linear(last.in_features, num_classes)
    return model
    ### END SOLUTION

# %% tests id=new_head_check points=3
part("new_head_check")
_old = pretrained_model()
_kept = [id(m) for m in list(_old.features) + list(_old.classifier)[:-1]]
_model = replace_head(_old, 3)
with torch.no_grad():
    check_shape("output for a batch of 4 digits", _model(torch.zeros(4, 1, 8, 8)), (4, 3))
check_equal("every other layer is the same object", [id(m) for m in list(_model.features) +
                                                     list(_model.classifier)[:-1]], _kept)
check_equal("the new head is Linear(32, 3)", [_model.classifier[-1].in_features, _model.classifier[-1].out_features],
            [_old.classifier[0].out_features, 3])

# %% [markdown]
# ## Part 3 (3 points): train only what is trainable, slowly
#
# Write `make_optimizer(model, lr)`: an `torch.optim.SGD` optimizer over the parameters that
# require gradients **only**, with learning rate `lr`. (Fine-tuning uses a low rate so the
# pre-trained features are not destroyed.)

# %% solution id=optimizer
def make_optimizer(model, lr):
    ### BEGIN SOLUTION
    return torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr)
    ### END SOLUTION

# %% tests id=optimizer_check points=3
part("optimizer_check")
_model = pretrained_model()
for _p in _model.features.parameters():              # freeze here, independently of part 1
    _p.requires_grad_(False)
_opt = make_optimizer(_model, 1e-3)
_in_opt = {id(p) for group in _opt.param_groups for p in group["params"]}
check_true("the optimizer holds exactly the trainable parameters",
           _in_opt == {id(p) for p in _model.parameters() if p.requires_grad})
check_number("learning rate", _opt.param_groups[0]["lr"], 1e-3, rtol=1e-12)
check_true("the optimizer is SGD", isinstance(_opt, torch.optim.SGD))

# %% [markdown]
# ## Part 4 (2 points): how much is left to train?
#
# After freezing the features and replacing the head by a 3-class one, how many parameters
# are still trained? Write the arithmetic in `trainable` (the classifier is Linear(16, 32),
# ReLU, Linear(32, 3)).

# %% solution id=trainable_count
### BEGIN SOLUTION
trainable = (16 * 32 + 32) + (32 * 3 + 3)
### END SOLUTION

# %% tests id=trainable_count_check points=2
part("trainable_count_check")
_model = pretrained_model()
for _p in _model.features.parameters():
    _p.requires_grad_(False)
_model.classifier[-1] = nn.Linear(32, 3)
check_number("trainable parameters", trainable, sum(p.numel() for p in _model.parameters() if p.requires_grad))

# %% [markdown]
# ## Part 5 (2 points): feature extraction or fine-tuning?
#
# You have 300 labelled images for the new task, similar to the pre-training images, and a
# small dev set. Which plan is sound? Store a letter as a string in `transfer_choice`.
#
# - (a) fine-tune every layer from the start with the learning rate the network was
#   pre-trained with: the new task deserves the full network;
# - (b) freeze the pre-trained layers and train a new head first; then, if the dev set says
#   it helps, fine-tune all layers at a learning rate about ten times lower;
# - (c) train the same architecture from scratch: 300 similar images are enough for a small
#   CNN, and it avoids the old task's biases.

# %% solution id=transfer_choice
### BEGIN SOLUTION
transfer_choice = "b"
### END SOLUTION

# %% tests id=transfer_choice_check points=2
part("transfer_choice_check")
check_option("300 similar images", transfer_choice, ["a", "b", "c"])
### BEGIN HIDDEN TESTS
# (a) a high learning rate on all layers destroys the pre-trained features (chapter 12 measures it);
# (c) from scratch on 300 images does worst in chapter 12's experiment
check_choice("300 similar images", transfer_choice, "b", ["a", "b", "c"])
### END HIDDEN TESTS
