# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: max_pool_backward_overlap, avg_window_check
#
# Mistake: the backward pass *assigns* the window's gradient to the winning pixel instead
# of adding it, right when windows do not overlap and wrong when one pixel wins several;
# and the notes' 4.2 copied for the mean.

# %% solution id=max_pool_backward
def max_pool2d_backward(grad_output, x, kernel_size, stride):
    k, s = kernel_size, stride
    dx = np.zeros_like(x)
    n, c, ho, wo = grad_output.shape
    for b in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    window = x[b, ch, i * s:i * s + k, j * s:j * s + k]
                    r, q = np.unravel_index(window.argmax(), window.shape)
                    dx[b, ch, i * s + r, j * s + q] = grad_output[b, ch, i, j]
    return dx

# %% solution id=avg_window
avg_pooled = [[4, 4.2], [5.5, 3]]
