# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: output_size_refuses, alexnet_first_layer_check
#
# Mistakes: output_size floors silently instead of refusing the configurations that do not
# fit, and the AlexNet size forgets the + 1 of the formula.

# %% solution id=output_size
def output_size(n, f, s):
    return (n - f) // s + 1

# %% solution id=famous_first_layers
alexnet = (227 - 11) // 4
vgg = 224
resnet = 112
