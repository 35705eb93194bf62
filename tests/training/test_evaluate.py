import pytest
import torch
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from cnn_core.training import accuracy, confusion_matrix, misclassified, predict


class Logits(torch.nn.Module):
    """A 'model' whose input already is its logits: the test chooses every prediction."""

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))

    def forward(self, x):
        return x * self.scale


def one_hot_logits(predicted, k, confidence=None):
    logits = torch.zeros(len(predicted), k)
    logits[torch.arange(len(predicted)), torch.tensor(predicted)] = 1.0 if confidence is None \
        else torch.tensor(confidence)
    return logits


def test_confusion_matrix_hand_built_case():
    # true:      0 0 1 2 2 2
    # predicted: 0 1 1 2 0 2   -> rows = true class, columns = predicted
    y = torch.tensor([0, 0, 1, 2, 2, 2])
    x = one_hot_logits([0, 1, 1, 2, 0, 2], 3)
    data = [(x[:4], y[:4]), (x[4:], y[4:])]
    expected = torch.tensor([[1, 1, 0],
                             [0, 1, 0],
                             [1, 0, 2]])
    assert torch.equal(confusion_matrix(Logits(), data), expected)
    assert accuracy(Logits(), data) == pytest.approx(4 / 6)


def test_confusion_matrix_agrees_with_sklearn():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(257, 5, generator=g)
    y = torch.randint(0, 5, (257,), generator=g)
    data = [(x[i:i + 50], y[i:i + 50]) for i in range(0, 257, 50)]
    ours = confusion_matrix(Logits(), data, num_classes=5)
    theirs = sk_confusion_matrix(y.numpy(), x.argmax(1).numpy(), labels=range(5))
    assert ours.tolist() == theirs.tolist()
    assert accuracy(Logits(), data) == pytest.approx((x.argmax(1) == y).float().mean().item())


def test_label_out_of_range():
    with pytest.raises(ValueError, match="does not fit num_classes=3"):
        confusion_matrix(Logits(), [(torch.zeros(2, 3), torch.tensor([0, 3]))])


def test_misclassified_most_confident_first_across_batches():
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    # mistakes at positions 1 (weak), 3 (strong), 5 (medium); 0, 2, 4 are right
    x = one_hot_logits([0, 0, 2, 2, 1, 1], 3, confidence=[1.0, 0.5, 1.0, 3.0, 1.0, 2.0])
    data = [(x[:2], y[:2]), (x[2:4], y[2:4]), (x[4:], y[4:])]
    result = misclassified(Logits(), data, k=2)
    assert result.indices.tolist() == [3, 5]
    assert result.targets.tolist() == [0, 2] and result.predictions.tolist() == [2, 1]
    assert torch.equal(result.images, x[[3, 5]])
    p3 = torch.softmax(x[3], 0).max()
    assert result.confidence[0] == pytest.approx(p3.item())
    assert len(misclassified(Logits(), data, k=10)) == 3


def test_no_mistakes_gives_an_empty_result():
    y = torch.tensor([0, 1])
    result = misclassified(Logits(), [(one_hot_logits([0, 1], 2), y)])
    assert len(result) == 0


def test_predict_on_tensor_and_batches_and_mode_restored():
    model = Logits().train()
    x = one_hot_logits([2, 0, 1, 1], 3)
    assert predict(model, x, batch_size=3).tolist() == [2, 0, 1, 1]
    assert predict(model, [(x[:2], None), (x[2:], None)]).tolist() == [2, 0, 1, 1]
    assert predict(model, [x[:1], x[1:]]).tolist() == [2, 0, 1, 1]
    assert model.training


def test_batches_must_be_pairs():
    with pytest.raises(TypeError, match=r"\(x, y\) batches"):
        accuracy(Logits(), [torch.zeros(2, 3)])
