# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: max_pool_check, softmax_cross_entropy_check, model_backward_check, accuracy_90, accuracy_95, accuracy_96
#
# Mistakes: max pooling's backward pass spreads each window's gradient over all four
# positions (average pooling's rule), so the network's gradients are wrong too; the loss
# takes the log of a probability that underflows to 0 when the scores are large (the
# hidden test's scores of size 800 give an infinite loss); and the random shift drops the
# channel axis, so training stops at its first batch with a shape error and the network
# is graded untrained.

# %% solution id=layers
def relu_forward(x):
    return np.maximum(x, 0)


def relu_backward(grad_output, x):
    return grad_output * (x > 0)


def max_pool_forward(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def max_pool_backward(grad_output, x):
    return np.repeat(np.repeat(grad_output, 2, axis=2), 2, axis=3) / 4


def linear_forward(x, weight, bias):
    return x @ weight.T + bias


def linear_backward(grad_output, x, weight):
    return grad_output @ weight, grad_output.T @ x, grad_output.sum(axis=0)


def softmax_cross_entropy(logits, targets):
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    rows = np.arange(len(targets))
    loss = float(-np.log(p[rows, targets]).mean())
    p[rows, targets] -= 1
    return loss, p / len(targets)

# %% solution id=training
def random_shift(images, rng, pixels=2):
    n, _, h, w = images.shape
    padded = np.pad(images, ((0, 0), (0, 0), (pixels, pixels), (pixels, pixels)))
    dy, dx = rng.integers(0, 2 * pixels + 1, size=(2, n))
    return np.stack([padded[i, 0, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(n)])


def train(model, images, labels, epochs, seed=0):
    rng = np.random.default_rng(seed)
    optimizer, history = Adam(lr=0.002), []
    for epoch in range(epochs):
        losses = []
        order = rng.permutation(len(labels))
        for i in range(0, len(order), 50):
            batch = order[i:i + 50]
            loss, dscores = softmax_cross_entropy(model.forward(random_shift(images[batch], rng)), labels[batch])
            optimizer.step(model.params, model.backward(dscores))
            losses.append(loss)
        history.append(float(np.mean(losses)))
        print(f"epoch {epoch + 1}: mean loss {history[-1]:.4f}")
    return history


model = MyCNN(seed=0)
history = train(model, train_images, train_labels, epochs=8)
