import pytest
import torch

from cnn_core import torch_ops as T


def test_numerical_gradient_of_a_square():
    x = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64)
    g = torch.tensor([1.0, 1.0, 0.5], dtype=torch.float64)
    num = T.numerical_gradient(lambda: x ** 2, x, g)
    torch.testing.assert_close(num, 2 * x * g)            # d/dx sum(g x^2) = 2 g x, by hand
    assert x.tolist() == [1.0, -2.0, 3.0]                 # restored after the perturbations


def test_gradcheck_catches_a_wrong_backward_and_names_it():
    class WrongSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x                                  # forgot the factor 2

    x = torch.randn(2, 3, dtype=torch.float64)
    with pytest.raises(AssertionError, match=r"gradient check failed for 'x' at index \(\d, \d\)"):
        T.gradcheck(lambda x: WrongSquare.apply(x), {"x": x})
    assert T.gradcheck(lambda x: x * x, {"x": x})["x"] < 1e-7


def test_gradcheck_with_a_callable_and_unknown_names():
    x = torch.randn(4, dtype=torch.float64)
    report = T.gradcheck(lambda x: torch.exp(x), {"x": x}, lambda g, x: {"x": g * torch.exp(x)})
    assert report["x"] < 1e-6
    with pytest.raises(ValueError, match="not among the inputs"):
        T.gradcheck(lambda x: x, {"x": x}, {"y": x})


def test_check_layer_gradients_on_batch_norm_leaves_the_layer_alone():
    layer = T.BatchNorm2d(2)
    before = layer.running_mean.clone()
    report = T.check_layer_gradients(layer, torch.randn(3, 2, 1, 2))
    assert set(report) == {"input", "weight", "bias"} and max(report.values()) < 1e-5
    assert torch.equal(layer.running_mean, before) and layer.weight.dtype == torch.float32


def test_both_gradient_checks_name_the_worst_entry_with_the_same_message():
    import numpy as np

    from cnn_core import reference as R

    x = np.array([1.0, 2.0, 3.0, 4.0])
    wrong = 2 * x                                          # d/dx sum(g * x^2) with g = 1 is 2x ...
    wrong[0] += 0.1                                        # ... wrong at index 0 by 0.1
    wrong[2] += 5.0                                        # ... and at index 2 by 5: the worst
    g = np.ones(4)
    with pytest.raises(AssertionError) as numpy_path:
        R.gradcheck(lambda x: x ** 2, {"x": x}, {"x": wrong}, grad_output=g)
    with pytest.raises(AssertionError) as torch_path:
        T.gradcheck(lambda x: x ** 2, {"x": torch.from_numpy(x)}, {"x": torch.from_numpy(wrong)},
                    grad_output=torch.from_numpy(g))
    assert "'x' at index (2,)" in str(numpy_path.value) and "2 of 4 entries" in str(numpy_path.value)
    assert str(torch_path.value) == str(numpy_path.value)
