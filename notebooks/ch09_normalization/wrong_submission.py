# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: batch_norm_running, layer_norm_check
#
# Mistakes: the running variance uses the biased variance, and layer norm normalises over
# the batch axis (per channel) like batch norm.

# %% solution id=batch_norm_train
def batch_norm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    mean = x.mean(axis=(0, 2, 3))
    var = x.var(axis=(0, 2, 3))
    shape = (1, -1, 1, 1)
    out = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * gamma.reshape(shape) + beta.reshape(shape)
    return out, (1 - momentum) * running_mean + momentum * mean, (1 - momentum) * running_var + momentum * var

# %% solution id=layer_norm
def layer_norm(x, eps=1e-5):
    return (x - x.mean(axis=(0, 2, 3), keepdims=True)) / np.sqrt(x.var(axis=(0, 2, 3), keepdims=True) + eps)
