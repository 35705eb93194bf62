# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: sigmoid_forward, softmax_stable
#
# Mistakes: the textbook formulas, computed naively: exp overflows for large |x|.

# %% solution id=sigmoid
def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_backward(grad_output, output):
    return grad_output * output * (1 - output)

# %% solution id=softmax
def softmax(z, dim):
    e = np.exp(z)
    return e / e.sum(axis=dim, keepdims=True)
