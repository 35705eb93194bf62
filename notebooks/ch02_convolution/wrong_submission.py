# A plausible wrong submission, used by tests/notebooks to check partial credit.
# Its answer cells replace the instructor's; every other cell comes from the source.
# expected_failures: conv2d_stride_padding, conv2d_random, flip_choice_check
#
# Mistakes: conv2d forgets the padding (right at stride 1 without padding only), and the
# flip question answered with the vertical-edge filter (flipping it changes its sign).

# %% solution id=conv2d
def conv2d(x, weight, bias, stride=1, padding=0):
    n, c, h, w = x.shape
    k, _, f, _ = weight.shape
    ho, wo = (h - f) // stride + 1, (w - f) // stride + 1
    out = np.zeros((n, k, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * stride:i * stride + f, j * stride:j * stride + f]
            out[:, :, i, j] = np.tensordot(window, weight, axes=([1, 2, 3], [1, 2, 3]))
    return out + bias.reshape(1, k, 1, 1)

# %% solution id=flip_choice
flip_answer = "a"
