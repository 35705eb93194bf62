# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: dropout_train, max_norm_check
#
# Mistakes: dropout without the 1/(1 - p) scaling ("plain" dropout), and max-norm that
# scales every row to norm c, including the rows that were already small enough.

# %% solution id=dropout
def dropout_forward(x, p, rng, training=True):
    if not training:
        return x, np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return x * mask, mask


def dropout_backward(grad_output, mask):
    return grad_output * mask

# %% solution id=l2_maxnorm
def l2_gradient(weights, lam):
    return 2 * lam * weights


def max_norm(weight, c):
    return c * weight / np.sqrt((weight ** 2).sum(axis=1, keepdims=True))
