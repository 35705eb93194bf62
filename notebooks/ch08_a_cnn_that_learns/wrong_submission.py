# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: linear_backward_check, train_step_check, conv_backward_input
#
# Mistakes: dW is transposed the wrong way round (x.T @ g is (D, M), not (M, D)), and the
# training step forgets optimizer.zero_grad(), so gradients pile up from step 2 on; the
# convolution's input gradient keeps the padding (it returns the gradient of the padded input).

# %% solution id=linear_backward
def linear_backward(grad_output, x, weight):
    return grad_output @ weight, x.T @ grad_output, grad_output.sum(axis=0)

# %% solution id=train_step
import torch


def train_step(model, x, y, optimizer):
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()

# %% solution id=conv2d_backward
def conv2d_backward(grad_output, x, weight, stride=1, padding=0):
    g = np.asarray(grad_output, dtype=float)
    x = np.asarray(x, dtype=float)
    weight = np.asarray(weight, dtype=float)
    f = weight.shape[2]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(weight)
    for i in range(g.shape[2]):
        for j in range(g.shape[3]):
            rows, cols = slice(i * stride, i * stride + f), slice(j * stride, j * stride + f)
            dw += np.tensordot(g[:, :, i, j], xp[:, :, rows, cols], axes=([0], [0]))
            dxp[:, :, rows, cols] += np.tensordot(g[:, :, i, j], weight, axes=([1], [0]))
    return dxp, dw, g.sum(axis=(0, 2, 3))
