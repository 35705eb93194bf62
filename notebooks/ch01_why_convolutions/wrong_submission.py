# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: explosion_dense_check, explosion_filters_check, explosion_ratio_check, shift_right_check
#
# Mistakes: the dense count forgets the 3 colour channels (and the conv count with it),
# and the shift wraps around (np.roll) instead of filling with zeros.

# %% solution id=explosion
dense_params = 1000 * 1000 * 1000 + 1000
conv_params_10 = 10 * (5 * 5) + 10
ratio = dense_params / conv_params_10

# %% solution id=shift_right
def shift_right(x, k):
    return np.roll(x, k, axis=-1)
