# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: linear_backward_check, train_step_check
#
# Mistakes: dW is transposed the wrong way round (x.T @ g is (D, M), not (M, D)), and the
# training step forgets optimizer.zero_grad(), so gradients pile up from step 2 on.

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
