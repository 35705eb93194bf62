# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: dilate_kernel_check, depthwise_params_check
#
# Mistakes: the dilated filter has d - 1 zeros too many at the end (size d*F instead of
# d(F - 1) + 1), and the depthwise count uses all 64 input channels per filter.

# %% solution id=dilate_kernel
def dilate_kernel(weight, d):
    k, c, f, _ = weight.shape
    out = np.zeros((k, c, d * f, d * f))
    out[:, :, ::d, ::d] = weight
    return out

# %% solution id=param_counts
standard = 3 * 3 * 64 * 128 + 128
depthwise = 3 * 3 * 64 * 64 + 64
pointwise = 1 * 1 * 64 * 128 + 128
