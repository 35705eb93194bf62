import pytest
import torch

from cnn_core import torch_ops as T


def test_evaluate_regression_has_no_accuracy_and_restores_the_mode():
    model = torch.nn.Linear(2, 1).train()
    with torch.no_grad():
        model.weight.fill_(1.0)
        model.bias.zero_()
    x = torch.tensor([[1.0, 2.0], [0.0, -1.0]])
    y = torch.tensor([[3.0], [0.0]])                       # predictions 3 and -1: squared errors 0 and 1
    loss, acc = T.evaluate(model, [(x, y)], torch.nn.MSELoss())
    assert loss == pytest.approx(0.5) and acc is None and model.training


def test_fit_with_the_reference_arguments_keeps_the_model_where_it_is():
    torch.manual_seed(0)
    x = torch.randn(64, 2)
    y = (x.sum(dim=1) > 0).long()
    model = torch.nn.Linear(2, 2)
    history = T.fit(model, [(x, y)], epochs=20, optimizer=T.SGD(model.parameters(), lr=0.5),
                    loss_fn=T.CrossEntropyLoss(), progress=False)
    assert history.train_acc[-1] > 0.9 and next(model.parameters()).device.type == "cpu"
    assert model.training                                  # like the reference's fit
    with pytest.raises(ValueError, match="no batches"):
        T.evaluate(model, [])
