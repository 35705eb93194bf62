"""cnn_core.grading.forbid: the anti-reference rule catches the usual ways of calling X."""

import numpy as np
import pytest
import scipy.signal
import torch
import torch.nn.functional as F

import cnn_core.reference
from cnn_core.grading import forbid, forbidden_uses
from cnn_core.reference import conv2d as ref_conv2d

NOT_ALLOWED = ["cnn_core.reference", "torch", "scipy.signal"]


def own_conv(x, w):
    out = np.zeros((x.shape[0] - w.shape[0] + 1,) * 2)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + w.shape[0], j:j + w.shape[1]] * w)
    return out


def uses_alias(x, w):
    return ref_conv2d(x, w)


def uses_dotted(x, w):
    return cnn_core.reference.conv2d(x, w)


def uses_torch_functional(x, w):
    return F.conv2d(torch.from_numpy(x), torch.from_numpy(w)).numpy()


def imports_inside(x, w):
    from scipy.signal import correlate2d
    return correlate2d(x, w, mode="valid")


def helper(x, w):
    return scipy.signal.correlate2d(x, w, mode="valid")


def calls_helper(x, w):
    return helper(x, w)


def nested_lambda(x, w):
    f = lambda a: ref_conv2d(a, w)  # noqa: E731
    return f(x)


def back_door(x, w):
    return __import__("torch").zeros(1)


def uses_np_pad_named_like_reference(x):
    return np.pad(x, 1)   # the attribute 'pad' is not the reference's pad


@pytest.mark.parametrize("func, needle", [
    (uses_alias, "ref_conv2d"), (uses_dotted, "cnn_core.reference.conv2d"), (uses_torch_functional, "F"),
    (imports_inside, "scipy.signal"), (calls_helper, "helper()"), (nested_lambda, "ref_conv2d"),
    (back_door, "__import__"), (ref_conv2d, "cnn_core.reference"),
])
def test_forbidden_uses_are_caught(func, needle):
    problems = forbidden_uses(func, NOT_ALLOWED)
    assert any(needle in p for p in problems), problems
    with pytest.raises(AssertionError, match="write it yourself with NumPy"):
        forbid(func, NOT_ALLOWED)


def test_clean_numpy_passes(capsys):
    assert forbidden_uses(own_conv, NOT_ALLOWED) == []
    assert forbidden_uses(uses_np_pad_named_like_reference, NOT_ALLOWED) == []
    forbid(own_conv, NOT_ALLOWED)
    assert capsys.readouterr().out.startswith("PASS own_conv is your own implementation")


def test_module_prefix_does_not_overmatch():
    assert forbidden_uses(own_conv, ["nump"]) == []  # 'numpy' is not inside 'nump'


def test_not_a_function():
    with pytest.raises(AssertionError, match="expected a function"):
        forbid(3, NOT_ALLOWED)


def test_a_single_function_can_be_forbidden():
    from numpy import pad as np_pad

    def pads_by_name(x):
        return np_pad(x, 1)

    def pads_by_attribute(x):
        return np.pad(x, 1)

    def pads_by_hand(x):
        out = np.zeros((x.shape[0] + 2, x.shape[1] + 2))
        out[1:-1, 1:-1] = x
        return out

    assert forbidden_uses(pads_by_name, ["numpy.pad"]) and forbidden_uses(pads_by_attribute, ["numpy.pad"])
    assert forbidden_uses(pads_by_hand, ["numpy.pad"]) == []


def test_a_stub_is_not_answered_yet_not_passed(tmp_path):
    """The release's stub (its body only raises) gets "not answered yet", never a PASS line."""
    path = tmp_path / "stub_module.py"
    path.write_text('def conv(x):\n    """Convolve."""\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\n'
                    'def done(x):\n    if x is None:\n        raise NotImplementedError()\n    return x\n')
    import importlib.util
    spec = importlib.util.spec_from_file_location("stub_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(AssertionError, match="not answered yet"):
        forbid(module.conv, ["torch"])
    forbid(module.done, ["torch"])                 # raising in one branch is an answer


def test_a_graded_stand_in_passes_only_where_the_modules_are_hidden(capsys):
    from cnn_core.grading import RemoteAnswer

    class StandIn(RemoteAnswer):
        def answer_hidden_modules(self):
            return ("cnn_core.reference", "torch")

    forbid(StandIn(), ["torch", "cnn_core.reference"])
    assert "ran where none of torch, cnn_core.reference exist" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="did not hide scipy.signal"):
        forbid(StandIn(), ["torch", "scipy.signal"])
