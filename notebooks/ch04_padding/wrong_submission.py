# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: pad_other_modes, pad_matches_reference, lost_pixels_check
#
# Mistakes: "reflect" repeats the edge pixel (that is numpy's 'symmetric', not PyTorch's
# reflect), and the lost fraction counts only one side of the image per layer.

# %% solution id=pad_image
def pad_image(x, p, mode="zeros"):
    x = np.asarray(x, dtype=float)
    h, w = x.shape[2], x.shape[3]
    if mode == "zeros":
        out = np.zeros(x.shape[:2] + (h + 2 * p, w + 2 * p))
        out[:, :, p:p + h, p:p + w] = x
        return out
    def index(n):
        i = np.arange(-p, n + p)
        if mode == "replicate":
            return np.clip(i, 0, n - 1)
        if mode == "circular":
            return i % n
        # symmetric: -1 -> 0, -2 -> 1, n -> n - 1
        i = np.where(i < 0, -i - 1, i)
        return np.where(i >= n, 2 * n - 1 - i, i)
    return x[:, :, index(h)[:, None], index(w)[None, :]]

# %% solution id=lost_pixels
def lost_fraction(h, w, layers):
    return 1 - (h - layers) * (w - layers) / (h * w)


uhd_lost = 100 * lost_fraction(2160, 3840, 50)
