"""Every public name of the NumPy reference has a torch counterpart that agrees with it.

The table ``PARITY`` maps each reference name to a check; a reference name that
is neither in the table nor in ``cnn_core.torch_ops.NO_COUNTERPART`` fails
``test_every_reference_name_has_a_parity_check``, so a new reference function
cannot be forgotten. Each check runs the reference (NumPy, float64) and the
torch counterpart on the same numbers, forward and backward, on every device
(CPU, plus CUDA when present).
"""

from __future__ import annotations

import dataclasses
import inspect

import numpy as np
import pytest
import torch

import cnn_core.reference as R
import cnn_core.torch_ops as T

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
TOL = dict(rtol=1e-9, atol=1e-10)          # float64 on both sides


def reference_names() -> list[str]:
    return sorted(R.__all__)


def test_the_reference_all_lists_every_public_name():
    public = {n for n in dir(R) if not n.startswith("_") and not inspect.ismodule(getattr(R, n))}
    assert set(R.__all__) == public, "cnn_core.reference.__all__ must list exactly its public names"


def rng(seed=0):
    return np.random.default_rng(seed)


def tt(a, device, requires_grad=False):
    """NumPy -> torch on ``device`` (float64 stays float64)."""
    out = torch.from_numpy(np.array(a, copy=True)).to(device)
    return out.requires_grad_(True) if requires_grad else out


def close(actual, expected, what: str, **tol):
    if isinstance(actual, torch.Tensor):
        actual = actual.detach().cpu().numpy()
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64),
                               err_msg=what, **{**TOL, **tol})


# --------------------------------------------------------------------------------------
# convolution, padding, pooling
# --------------------------------------------------------------------------------------
CONV_CASES = [  # (N, C, H, W, O, k, stride, padding, dilation, groups, padding_mode, strict)
    (2, 3, 7, 7, 4, 3, 1, 1, 1, 1, "zeros", True),
    (1, 4, 9, 8, 6, (3, 2), (2, 1), (1, 0), 1, 2, "zeros", True),
    (2, 2, 8, 8, 2, 3, 1, "same", 2, 2, "reflect", True),
    (1, 3, 6, 7, 2, 2, 1, "same", 1, 1, "replicate", True),
    (1, 2, 7, 7, 3, 3, 3, 0, 1, 1, "zeros", False),                 # leftover column, PyTorch floors
    (2, 2, 5, 6, 2, 3, 1, 2, 1, 1, "circular", True),
]


def _conv_case(case, device, seed):
    n, c, h, w, o, k, s, p, d, g, mode, strict = case
    kh, kw = (k, k) if isinstance(k, int) else k
    r = rng(seed)
    x, wt, b = r.standard_normal((n, c, h, w)), r.standard_normal((o, c // g, kh, kw)), r.standard_normal(o)
    kwargs = dict(stride=s, padding=p, dilation=d, groups=g, padding_mode=mode, strict=strict)
    return x, wt, b, kwargs


def check_conv2d(device):
    for i, case in enumerate(CONV_CASES):
        x, wt, b, kw = _conv_case(case, device, i)
        ref = R.conv2d(x, wt, b, **kw)
        for fn in (T.conv2d, T.conv2d_im2col):
            close(fn(tt(x, device), tt(wt, device), tt(b, device), **kw), ref, f"{fn.__name__} {case}")
        go = rng(100 + i).standard_normal(ref.shape)
        ref_grads = R.conv2d_backward(go, x, wt, **kw)
        for fn in (T.conv2d_backward, T.conv2d_im2col_backward):
            grads = fn(tt(go, device), tt(x, device), tt(wt, device), **kw)
            for name, a, e in zip(("input", "weight", "bias"), grads, ref_grads):
                close(a, e, f"{fn.__name__} grad_{name} {case}")
        assert T.conv2d_backward(tt(go, device), tt(x, device), tt(wt, device), **kw, bias=False)[2] is None


def check_strict_messages(device):
    x = np.zeros((1, 1, 7, 7))
    with pytest.raises(ValueError) as ref_err:
        R.conv2d(x, np.zeros((1, 1, 3, 3)), stride=3)
    with pytest.raises(ValueError) as torch_err:
        T.conv2d(tt(x, device), torch.zeros(1, 1, 3, 3, dtype=torch.float64, device=device), stride=3)
    for err in (ref_err, torch_err):
        assert "(7 - 3)/3 + 1 = 2.33 is not a whole number" in str(err.value)
    with pytest.raises(ValueError, match="is not a whole number"):
        T.max_pool2d(tt(x, device), 2)


def check_conv_transpose2d(device):
    cases = [(2, 3, 4, 5, 2, 3, 1, 0, 0, 1, 1), (1, 4, 3, 3, 2, 3, 2, 1, 1, 2, 1), (1, 2, 4, 4, 3, 2, 2, 0, 0, 1, 2)]
    for i, (n, c, h, w, o, k, s, p, op, g, d) in enumerate(cases):
        r = rng(i)
        x, wt, b = r.standard_normal((n, c, h, w)), r.standard_normal((c, o, k, k)), r.standard_normal(o * g)
        args = (s, p, op, g, d)
        ref = R.conv_transpose2d(x, wt, b, *args)
        close(T.conv_transpose2d(tt(x, device), tt(wt, device), tt(b, device), *args), ref, "conv_transpose2d")
        go = r.standard_normal(ref.shape)
        for name, a, e in zip(("input", "weight", "bias"),
                              T.conv_transpose2d_backward(tt(go, device), tt(x, device), tt(wt, device), *args),
                              R.conv_transpose2d_backward(go, x, wt, *args)):
            close(a, e, f"conv_transpose2d_backward grad_{name}")


def check_pad(device):
    x = rng().standard_normal((2, 3, 4, 5))
    for mode, pads in (("constant", (1, 2, 0, 3)), ("reflect", (2, 1, 3, 2)), ("replicate", (2, 0, 1, 3)),
                       ("circular", (1, 2, 2, 1))):
        ref = R.pad(x, pads, mode)
        close(T.pad(tt(x, device), pads, mode), ref, f"pad {mode}")
        go = rng(1).standard_normal(ref.shape)
        close(T.pad_backward(tt(go, device), x.shape, pads, mode), R.pad_backward(go, x.shape, pads, mode),
              f"pad_backward {mode}")
    close(T.pad(tt(x, device), (1, 1), value=2.5), R.pad(x, (1, 1), value=2.5), "pad value")


POOL_CASES = [  # (H, W, kernel, stride, padding, dilation, ceil_mode, strict)
    (6, 6, 2, None, 0, 1, False, True),
    (7, 7, 3, 2, 1, 1, False, True),
    (9, 7, (3, 2), (2, 1), (1, 0), 1, False, True),
    (7, 6, 3, 2, 0, 1, True, True),
    (7, 8, 2, 2, 1, 1, True, True),
    (7, 7, 2, 2, 0, 1, False, False),
    (9, 9, 3, 2, 1, 2, False, True),            # dilation (max pooling only)
]


def check_max_pool2d(device):
    for i, (h, w, k, s, p, d, ceil, strict) in enumerate(POOL_CASES):
        x = rng(i).standard_normal((2, 3, h, w))
        kw = dict(stride=s, padding=p, dilation=d, ceil_mode=ceil, strict=strict)
        ref, ref_idx = R.max_pool2d(x, k, return_indices=True, **kw)
        out, idx = T.max_pool2d(tt(x, device), k, return_indices=True, **kw)
        close(out, ref, f"max_pool2d {POOL_CASES[i]}")
        assert np.array_equal(idx.cpu().numpy(), ref_idx), "max_pool2d indices"
        go = rng(50 + i).standard_normal(ref.shape)
        close(T.max_pool2d_backward(tt(go, device), tt(x, device), k, **kw),
              R.max_pool2d_backward(go, x, k, **kw), f"max_pool2d_backward {POOL_CASES[i]}")


def check_avg_pool2d(device):
    for i, (h, w, k, s, p, d, ceil, strict) in enumerate(POOL_CASES):
        if d != 1:
            continue
        for include_pad, override in ((True, None), (False, None), (True, 3)):
            x = rng(i).standard_normal((2, 3, h, w))
            kw = dict(stride=s, padding=p, ceil_mode=ceil, count_include_pad=include_pad,
                      divisor_override=override, strict=strict)
            ref = R.avg_pool2d(x, k, **kw)
            what = f"{POOL_CASES[i]} include_pad={include_pad} override={override}"
            close(T.avg_pool2d(tt(x, device), k, **kw), ref, "avg_pool2d " + what)
            go = rng(50 + i).standard_normal(ref.shape)
            close(T.avg_pool2d_backward(tt(go, device), tt(x, device), k, **kw),
                  R.avg_pool2d_backward(go, x, k, **kw), "avg_pool2d_backward " + what)
    check_divisor_messages(device)


def check_divisor_messages(device):
    """A divisor_override that is not a non-zero int is refused by both paths, forward, backward
    and layer, in the same words (PyTorch's own backward would return inf for 0 and divide by 2.5)."""
    x = rng(0).standard_normal((1, 1, 4, 4))
    go = np.ones((1, 1, 2, 2))
    for bad in (0, 2.5, True, "2"):
        for what, call in [
                ("avg_pool2d", lambda M, x, go: M.avg_pool2d(x, 2, divisor_override=bad)),
                ("avg_pool2d_backward", lambda M, x, go: M.avg_pool2d_backward(go, x, 2, divisor_override=bad)),
                ("AvgPool2d", lambda M, x, go: M.AvgPool2d(2, divisor_override=bad))]:
            with pytest.raises(ValueError) as ref_err:
                call(R, x, go)
            with pytest.raises(ValueError) as torch_err:
                call(T, tt(x, device), tt(go, device))
            assert str(torch_err.value) == str(ref_err.value) == \
                f"divisor_override must be a non-zero int, got {bad!r}", f"{what} divisor_override={bad!r}"


def check_sum_pool2d(device):
    for i, (h, w, k, s, p, d, ceil, strict) in enumerate(POOL_CASES):
        if d != 1:
            continue
        x = rng(i).standard_normal((1, 2, h, w))
        kw = dict(stride=s, padding=p, ceil_mode=ceil, strict=strict)
        ref = R.sum_pool2d(x, k, **kw)
        close(T.sum_pool2d(tt(x, device), k, **kw), ref, "sum_pool2d")
        go = rng(9).standard_normal(ref.shape)
        close(T.sum_pool2d_backward(tt(go, device), tt(x, device), k, **kw), R.sum_pool2d_backward(go, x, k, **kw),
              "sum_pool2d_backward")


def check_global_pools(device):
    x = rng().standard_normal((2, 3, 4, 5))
    x[0, 0, 1, 1] = x[0, 0, 2, 3] = x[0, 0].max() + 1          # a tie: the first maximum wins
    go = rng(1).standard_normal((2, 3, 1, 1))
    for name in ("global_avg_pool2d", "global_max_pool2d"):
        close(getattr(T, name)(tt(x, device)), getattr(R, name)(x), name)
        close(getattr(T, name + "_backward")(tt(go, device), tt(x, device)),
              getattr(R, name + "_backward")(go, x), name + "_backward")


# --------------------------------------------------------------------------------------
# activations, linear, normalization, dropout, losses
# --------------------------------------------------------------------------------------
def check_activations(device):
    x = rng().standard_normal((3, 5, 2))
    x[0, 0, 0] = 0.0
    go = rng(1).standard_normal(x.shape)
    close(T.relu(tt(x, device)), R.relu(x), "relu")
    close(T.relu_backward(tt(go, device), tt(x, device)), R.relu_backward(go, x), "relu_backward")
    for name in ("sigmoid", "tanh"):
        out = getattr(R, name)(x)
        close(getattr(T, name)(tt(x, device)), out, name)
        close(getattr(T, name + "_backward")(tt(go, device), tt(out, device)),
              getattr(R, name + "_backward")(go, out), name + "_backward")
    for name in ("softmax", "log_softmax"):
        for dim in (1, -1):
            out = getattr(R, name)(x, dim)
            close(getattr(T, name)(tt(x, device), dim), out, name)
            close(getattr(T, name + "_backward")(tt(go, device), tt(out, device), dim),
                  getattr(R, name + "_backward")(go, out, dim), name + "_backward")


def check_linear_flatten(device):
    r = rng()
    x, w, b = r.standard_normal((4, 6)), r.standard_normal((3, 6)), r.standard_normal(3)
    ref = R.linear(x, w, b)
    close(T.linear(tt(x, device), tt(w, device), tt(b, device)), ref, "linear")
    go = r.standard_normal(ref.shape)
    for name, a, e in zip(("input", "weight", "bias"), T.linear_backward(tt(go, device), tt(x, device), tt(w, device)),
                          R.linear_backward(go, x, w)):
        close(a, e, f"linear_backward grad_{name}")
    img = r.standard_normal((2, 3, 4, 5))
    for args in ((), (1, 2), (0, -1)):
        flat = R.flatten(img, *args)
        close(T.flatten(tt(img, device), *args), flat, f"flatten{args}")
        close(T.flatten_backward(tt(flat, device), img.shape), R.flatten_backward(flat, img.shape), "flatten_backward")


def check_batch_norm(device):
    r = rng()
    for shape in ((6, 3), (4, 3, 5), (2, 3, 4, 4)):
        x, w, b = r.standard_normal(shape), r.standard_normal(3), r.standard_normal(3)
        go = r.standard_normal(shape)
        for training in (True, False):
            rm, rv = r.standard_normal(3), r.uniform(0.5, 2, 3)
            trm, trv = tt(rm, device), tt(rv, device)
            ref = R.batch_norm(x, rm, rv, w, b, training, 0.1, 1e-5)        # updates rm, rv in place
            out = T.batch_norm(tt(x, device), trm, trv, tt(w, device), tt(b, device), training, 0.1, 1e-5)
            close(out, ref, f"batch_norm training={training}")
            close(trm, rm, "running_mean")
            close(trv, rv, "running_var")
            grads = T.batch_norm_backward(tt(go, device), tt(x, device), tt(w, device), trm, trv, training)
            for name, a, e in zip(("input", "weight", "bias"), grads,
                                  R.batch_norm_backward(go, x, w, rm, rv, training)):
                close(a, e, f"batch_norm_backward grad_{name} training={training} {shape}")


def check_layer_norm(device):
    r = rng()
    x = r.standard_normal((2, 3, 4, 5))
    for shape in ((5,), (4, 5), (3, 4, 5)):
        w, b = r.standard_normal(shape), r.standard_normal(shape)
        ref = R.layer_norm(x, shape, w, b)
        close(T.layer_norm(tt(x, device), shape, tt(w, device), tt(b, device)), ref, "layer_norm")
        go = r.standard_normal(x.shape)
        for name, a, e in zip(("input", "weight", "bias"),
                              T.layer_norm_backward(tt(go, device), tt(x, device), shape, tt(w, device)),
                              R.layer_norm_backward(go, x, shape, w)):
            close(a, e, f"layer_norm_backward grad_{name} {shape}")


def check_dropout(device):
    # The two paths draw masks from different generators, so compare what must hold for
    # any mask: values 0 or 1/(1-p), output = input * mask, backward = grad * mask.
    x = rng().standard_normal((200, 50)) + 5.0
    p = 0.3
    out, mask = T.dropout(tt(x, device), p, True, 0, return_mask=True)
    m = mask.cpu().numpy()
    assert set(np.unique(m).round(12)) <= {0.0, round(1 / (1 - p), 12)}
    assert abs((m == 0).mean() - p) < 0.03                      # 10,000 draws: 4.6 standard deviations
    close(out, x * m, "dropout output = input * mask")
    close(T.dropout(tt(x, device), p, False), R.dropout(x, p, False), "dropout in eval mode is the identity")
    again = T.dropout(tt(x, device), p, True, 0, return_mask=True)[1]
    assert torch.equal(again, mask), "the same seed gives the same mask"
    go = rng(1).standard_normal(x.shape)
    close(T.dropout_backward(tt(go, device), mask), R.dropout_backward(go, m), "dropout_backward")
    tm = T.dropout_mask((1000,), 0.25, rng=1, dtype=np.float64, device=device).cpu().numpy()
    rm = R.dropout_mask((1000,), 0.25, rng=1, dtype=np.float64)
    assert set(np.unique(tm)) == set(np.unique(rm)) == {0.0, 1 / 0.75}
    assert np.all(T.dropout_mask((5,), 1.0, device=device).cpu().numpy() == R.dropout_mask((5,), 1.0))


def check_losses(device):
    r = rng()
    logits, target = r.standard_normal((5, 4)), r.integers(0, 4, 5)
    for reduction in ("mean", "sum", "none"):
        for smoothing in (0.0, 0.2):
            ref = R.cross_entropy(logits, target, reduction, smoothing)
            close(T.cross_entropy(tt(logits, device), tt(target, device), reduction, smoothing), ref,
                  f"cross_entropy {reduction} {smoothing}")
            go = r.standard_normal(5) if reduction == "none" else 0.7
            tgo = tt(go, device) if reduction == "none" else go
            close(T.cross_entropy_backward(tgo, tt(logits, device), tt(target, device), reduction, smoothing),
                  R.cross_entropy_backward(go, logits, target, reduction, smoothing),
                  f"cross_entropy_backward {reduction} {smoothing}")
        pred, y = r.standard_normal((3, 2, 2)), r.standard_normal((3, 2, 2))
        ref = R.mse_loss(pred, y, reduction)
        close(T.mse_loss(tt(pred, device), tt(y, device), reduction), ref, f"mse_loss {reduction}")
        go = r.standard_normal(pred.shape) if reduction == "none" else 1.5
        tgo = tt(go, device) if reduction == "none" else go
        close(T.mse_loss_backward(tgo, tt(pred, device), tt(y, device), reduction),
              R.mse_loss_backward(go, pred, y, reduction), f"mse_loss_backward {reduction}")


def check_penalties(device):
    ws = [rng(i).standard_normal(s) for i, s in enumerate(((3, 2), (4,)))]
    ws[0][0, 0] = 0.0
    tws = [tt(w, device) for w in ws]
    for name in ("l1_penalty", "l2_penalty"):
        close(getattr(T, name)(tws), getattr(R, name)(ws), name)
        close(getattr(T, name)(tws[1]), getattr(R, name)(ws[1]), name + " of one tensor")
        for a, e in zip(getattr(T, name + "_backward")(tws, 0.5), getattr(R, name + "_backward")(ws, 0.5)):
            close(a, e, name + "_backward")


# --------------------------------------------------------------------------------------
# layers: copy the reference layer's state into the torch one, compare forward and backward
# --------------------------------------------------------------------------------------
def compare_layer(ref_layer, torch_layer, x, device, what, train=True):
    ref_layer.train(train)
    torch_layer.train(train)
    torch_layer.to(device)
    state = {k: torch.from_numpy(np.array(v)) for k, v in ref_layer.state_dict().items()}
    torch_layer.load_state_dict(state)
    ref_out = ref_layer.forward(x.copy())
    tx = tt(x, device, requires_grad=True)
    out = torch_layer(tx)
    close(out, ref_out, f"{what}: forward")
    go = rng(7).standard_normal(ref_out.shape)
    ref_layer.zero_grad()
    ref_gx = ref_layer.backward(go)
    out.backward(tt(go, device))
    close(tx.grad, ref_gx, f"{what}: grad of the input")
    torch_params = dict(torch_layer.named_parameters())
    ref_params = {name: grad for name, _, grad in ref_layer.named_parameters()}
    assert set(torch_params) == set(ref_params), f"{what}: parameter names differ"
    for name, grad in ref_params.items():
        close(torch_params[name].grad, grad, f"{what}: grad of {name}")
    torch_state = torch_layer.state_dict()
    for name, value in ref_layer.state_dict().items():      # running statistics after the forward
        close(torch_state[name].double(), value, f"{what}: state {name}")


F64 = dict(dtype=np.float64)


def check_conv_layers(device):
    x = rng().standard_normal((2, 4, 7, 7))
    compare_layer(R.Conv2d(4, 6, 3, 2, 1, rng=0, **F64), T.Conv2d(4, 6, 3, 2, 1, dtype=np.float64), x, device, "Conv2d")
    compare_layer(R.Conv2d(4, 4, 3, 1, "same", 2, groups=2, bias=False, padding_mode="reflect", rng=1, **F64),
                  T.Conv2d(4, 4, 3, 1, "same", 2, groups=2, bias=False, padding_mode="reflect", dtype=np.float64),
                  x, device, "Conv2d reflect")
    compare_layer(R.ConvTranspose2d(4, 3, 3, 2, 1, 1, rng=2, **F64),
                  T.ConvTranspose2d(4, 3, 3, 2, 1, 1, dtype=np.float64), x, device, "ConvTranspose2d")
    with pytest.raises(ValueError, match="not a whole number"):
        T.Conv2d(4, 2, 3, stride=3).to(device)(torch.zeros(1, 4, 7, 7, device=device))
    assert T.Conv2d(4, 2, 3, stride=3, strict=False).to(device)(torch.zeros(1, 4, 7, 7, device=device)).shape[-1] == 2


def check_pool_layers(device):
    x = rng().standard_normal((2, 3, 7, 7))
    compare_layer(R.MaxPool2d(3, 2, 1), T.MaxPool2d(3, 2, 1), x, device, "MaxPool2d")
    compare_layer(R.AvgPool2d(3, 2, 1, count_include_pad=False), T.AvgPool2d(3, 2, 1, count_include_pad=False),
                  x, device, "AvgPool2d")
    compare_layer(R.SumPool2d(2, 2, ceil_mode=True), T.SumPool2d(2, 2, ceil_mode=True), x, device, "SumPool2d")
    compare_layer(R.GlobalAvgPool2d(), T.GlobalAvgPool2d(), x, device, "GlobalAvgPool2d")
    compare_layer(R.GlobalMaxPool2d(), T.GlobalMaxPool2d(), x, device, "GlobalMaxPool2d")
    with pytest.raises(ValueError, match="not a whole number"):
        T.MaxPool2d(2).to(device)(tt(x, device))


def check_activation_layers(device):
    x = rng().standard_normal((3, 4))
    for name in ("ReLU", "Sigmoid", "Tanh"):
        compare_layer(getattr(R, name)(), getattr(T, name)(), x, device, name)
    compare_layer(R.Softmax(1), T.Softmax(1), x, device, "Softmax")


def check_linear_layers(device):
    x = rng().standard_normal((5, 2, 3, 2))
    compare_layer(R.Flatten(), T.Flatten(), x, device, "Flatten")
    compare_layer(R.Linear(12, 4, rng=0, **F64), T.Linear(12, 4, dtype=np.float64), x.reshape(5, 12), device, "Linear")


def check_norm_layers(device):
    r = rng()
    for train in (True, False):
        ref = R.BatchNorm2d(3, momentum=0.2, **F64)
        ref.buffers["running_mean"][:] = r.standard_normal(3)
        ref.params["weight"][:] = r.standard_normal(3)
        compare_layer(ref, T.BatchNorm2d(3, momentum=0.2, dtype=np.float64), r.standard_normal((4, 3, 3, 3)),
                      device, f"BatchNorm2d train={train}", train)
        compare_layer(R.BatchNorm1d(5, momentum=None, **F64), T.BatchNorm1d(5, momentum=None, dtype=np.float64),
                      r.standard_normal((6, 5)), device, f"BatchNorm1d train={train}", train)
    ln = R.LayerNorm((3, 4), **F64)
    ln.params["weight"][:] = r.standard_normal((3, 4))
    compare_layer(ln, T.LayerNorm((3, 4), dtype=np.float64), r.standard_normal((2, 3, 4)), device, "LayerNorm")


def check_dropout_layer(device):
    x = rng().standard_normal((50, 40))
    compare_layer(R.Dropout(0.4, rng=0), T.Dropout(0.4, rng=0), x, device, "Dropout in eval mode", train=False)
    layer = T.Dropout(0.4, rng=3).to(device)
    tx = tt(x, device, requires_grad=True)
    out = layer(tx)
    go = rng(1).standard_normal(x.shape)
    out.backward(tt(go, device))
    mask = layer.mask.cpu().numpy()
    close(out, x * mask, "Dropout: output = input * mask")
    close(tx.grad, R.dropout_backward(go, mask), "Dropout: backward = grad * mask")


def check_sequential(device):
    ref = R.Sequential(R.Conv2d(2, 3, 3, padding=1, rng=0, **F64), R.ReLU(), R.MaxPool2d(2), R.Flatten(),
                       R.Linear(3 * 4 * 4, 5, rng=1, **F64))
    ours = T.Sequential(T.Conv2d(2, 3, 3, padding=1, dtype=np.float64), T.ReLU(), T.MaxPool2d(2), T.Flatten(),
                        T.Linear(3 * 4 * 4, 5, dtype=np.float64))
    compare_layer(ref, ours, rng().standard_normal((2, 2, 8, 8)), device, "Sequential")


def check_loss_objects(device):
    r = rng()
    logits, target = r.standard_normal((6, 3)), r.integers(0, 3, 6)
    for smoothing in (0.0, 0.1):
        ref = R.CrossEntropyLoss("sum", smoothing)
        value = ref(logits, target)
        tl = tt(logits, device, requires_grad=True)
        out = T.CrossEntropyLoss("sum", smoothing)(tl, tt(target, device))
        close(out, value, "CrossEntropyLoss")
        out.backward()
        close(tl.grad, ref.backward(), "CrossEntropyLoss backward")
    pred, y = r.standard_normal((4, 2)), r.standard_normal((4, 2))
    ref = R.MSELoss()
    value = ref(pred, y)
    tp = tt(pred, device, requires_grad=True)
    out = T.MSELoss()(tp, tt(y, device))
    close(out, value, "MSELoss")
    out.backward()
    close(tp.grad, ref.backward(), "MSELoss backward")


# --------------------------------------------------------------------------------------
# optimizers, training, gradient checks
# --------------------------------------------------------------------------------------
def _run_optimizer(ref_cls, torch_cls, kwargs, device, steps=4):
    r = rng()
    w0 = r.standard_normal((3, 2))
    grads = [r.standard_normal((3, 2)) for _ in range(steps)]
    w, g = w0.copy(), np.zeros_like(w0)
    ref = ref_cls([(w, g)], **kwargs)
    tw = tt(w0, device, requires_grad=True)
    ours = torch_cls([tw], **kwargs)
    for step in range(steps):
        g[...] = grads[step]
        ref.step()
        tw.grad = tt(grads[step], device)
        ours.step()
        close(tw, w, f"{torch_cls.__name__}({kwargs}) after step {step + 1}")


def check_sgd(device):
    for kwargs in (dict(lr=0.1), dict(lr=0.05, momentum=0.9, weight_decay=0.01),
                   dict(lr=0.05, momentum=0.9, dampening=0.5), dict(lr=0.05, momentum=0.8, nesterov=True)):
        _run_optimizer(R.SGD, T.SGD, kwargs, device)


def check_adam(device):
    for kwargs in (dict(lr=0.01), dict(lr=0.02, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1)):
        _run_optimizer(R.Adam, T.Adam, kwargs, device)


def check_optimizer_base(device):
    # The base classes are not used alone: both families derive their optimizers from them.
    assert issubclass(R.SGD, R.Optimizer) and issubclass(R.Adam, R.Optimizer)
    assert issubclass(T.SGD, T.Optimizer) and issubclass(T.Adam, T.Optimizer)
    p = torch.zeros(2, device=device, requires_grad=True)
    p.grad = torch.ones(2, device=device)
    opt = T.SGD([p], lr=1.0)
    opt.zero_grad()
    assert p.grad is None or torch.all(p.grad == 0)


def _tiny_problem():
    r = rng(3)
    x = r.standard_normal((24, 4))
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    return [(x[i:i + 8], y[i:i + 8]) for i in range(0, 24, 8)]


def check_fit_evaluate_history(device):
    batches = _tiny_problem()
    ref_model = R.Sequential(R.Linear(4, 5, rng=0, **F64), R.Tanh(), R.Linear(5, 2, rng=1, **F64))
    ours = T.Sequential(T.Linear(4, 5, dtype=np.float64), T.Tanh(), T.Linear(5, 2, dtype=np.float64)).to(device)
    ours.load_state_dict({k: torch.from_numpy(v) for k, v in ref_model.state_dict().items()})
    tbatches = [(tt(x, device), tt(y, device)) for x, y in batches]
    ref_h = R.fit(ref_model, batches, batches, 3, optimizer=R.SGD(ref_model.parameters(), lr=0.5),
                  loss_fn=R.CrossEntropyLoss(), progress=False)
    our_h = T.fit(ours, tbatches, tbatches, 3, optimizer=T.SGD(ours.parameters(), lr=0.5),
                  loss_fn=T.CrossEntropyLoss(), progress=False)
    assert isinstance(our_h, T.History)
    ref_fields = {f.name for f in dataclasses.fields(R.History)}
    assert ref_fields <= {f.name for f in dataclasses.fields(T.History)}
    for name in ref_fields:
        close(getattr(our_h, name), getattr(ref_h, name), f"History.{name}", rtol=1e-8)
    assert our_h.epochs == ref_h.epochs
    for (name, a), (_, b) in zip(sorted(ours.state_dict().items()), sorted(ref_model.state_dict().items())):
        close(a, b, f"weights after fit: {name}", rtol=1e-8)
    ref_eval, our_eval = R.evaluate(ref_model, batches), T.evaluate(ours, tbatches)
    close(our_eval[0], ref_eval[0], "evaluate loss", rtol=1e-8)
    assert our_eval[1] == ref_eval[1]


def check_gradchecks(device):
    x = rng().standard_normal((3, 4))

    def ref_fn(x):
        return np.sin(x) * x

    def torch_fn(x):
        return torch.sin(x) * x

    g = rng(1).standard_normal(x.shape)
    xr, xt = x.copy(), tt(x, device)
    close(T.numerical_gradient(lambda: torch_fn(xt), xt, tt(g, device)),
          R.numerical_gradient(lambda: ref_fn(xr), xr, g), "numerical_gradient", rtol=1e-6, atol=1e-8)
    hand = {"x": (np.cos(x) * x + np.sin(x)) * rng(0).standard_normal(x.shape)}   # default G: seed 0
    ref_report = R.gradcheck(ref_fn, {"x": x}, hand)
    our_report = T.gradcheck(torch_fn, {"x": tt(x, device)})                     # autograd as the analytic side
    assert set(our_report) == set(ref_report) == {"x"} and our_report["x"] < 1e-7
    assert T.gradcheck(torch_fn, {"x": tt(x, device)}, {"x": tt(hand["x"], device)})["x"] < 1e-7
    with pytest.raises(AssertionError, match="'x' at index"):
        T.gradcheck(torch_fn, {"x": tt(x, device)}, {"x": tt(2 * hand["x"], device)})
    with pytest.raises(AssertionError, match="'x' at index"):
        R.gradcheck(ref_fn, {"x": x}, {"x": 2 * hand["x"]})
    img = rng(2).standard_normal((1, 2, 4, 4))
    ref_report = R.check_layer_gradients(R.Conv2d(2, 2, 3, padding=1, rng=0), img)
    our_report = T.check_layer_gradients(T.Conv2d(2, 2, 3, padding=1).to(device), tt(img, device))
    assert set(our_report) == set(ref_report) == {"input", "weight", "bias"}
    assert max(our_report.values()) < 1e-6


# --------------------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------------------
PARITY = {
    # convolution and padding
    "conv2d": check_conv2d, "conv2d_backward": check_conv2d, "Conv2d": check_conv_layers,
    "conv_transpose2d": check_conv_transpose2d, "conv_transpose2d_backward": check_conv_transpose2d,
    "ConvTranspose2d": check_conv_layers, "pad": check_pad, "pad_backward": check_pad,
    # pooling
    "max_pool2d": check_max_pool2d, "max_pool2d_backward": check_max_pool2d, "MaxPool2d": check_pool_layers,
    "avg_pool2d": check_avg_pool2d, "avg_pool2d_backward": check_avg_pool2d, "AvgPool2d": check_pool_layers,
    "sum_pool2d": check_sum_pool2d, "sum_pool2d_backward": check_sum_pool2d, "SumPool2d": check_pool_layers,
    "global_avg_pool2d": check_global_pools, "global_avg_pool2d_backward": check_global_pools,
    "global_max_pool2d": check_global_pools, "global_max_pool2d_backward": check_global_pools,
    "GlobalAvgPool2d": check_pool_layers, "GlobalMaxPool2d": check_pool_layers,
    # activations
    "relu": check_activations, "relu_backward": check_activations, "sigmoid": check_activations,
    "sigmoid_backward": check_activations, "tanh": check_activations, "tanh_backward": check_activations,
    "softmax": check_activations, "softmax_backward": check_activations, "log_softmax": check_activations,
    "log_softmax_backward": check_activations, "ReLU": check_activation_layers,
    "Sigmoid": check_activation_layers, "Tanh": check_activation_layers, "Softmax": check_activation_layers,
    # linear, flatten, normalization, dropout
    "linear": check_linear_flatten, "linear_backward": check_linear_flatten, "Linear": check_linear_layers,
    "flatten": check_linear_flatten, "flatten_backward": check_linear_flatten, "Flatten": check_linear_layers,
    "batch_norm": check_batch_norm, "batch_norm_backward": check_batch_norm,
    "BatchNorm1d": check_norm_layers, "BatchNorm2d": check_norm_layers,
    "layer_norm": check_layer_norm, "layer_norm_backward": check_layer_norm, "LayerNorm": check_norm_layers,
    "dropout": check_dropout, "dropout_backward": check_dropout, "dropout_mask": check_dropout,
    "Dropout": check_dropout_layer, "Sequential": check_sequential,
    # losses and penalties
    "cross_entropy": check_losses, "cross_entropy_backward": check_losses, "mse_loss": check_losses,
    "mse_loss_backward": check_losses, "CrossEntropyLoss": check_loss_objects, "MSELoss": check_loss_objects,
    "l1_penalty": check_penalties, "l1_penalty_backward": check_penalties,
    "l2_penalty": check_penalties, "l2_penalty_backward": check_penalties,
    # optimizers, training loop, gradient checks
    "SGD": check_sgd, "Adam": check_adam, "Optimizer": check_optimizer_base,
    "fit": check_fit_evaluate_history, "evaluate": check_fit_evaluate_history,
    "History": check_fit_evaluate_history,
    "numerical_gradient": check_gradchecks, "gradcheck": check_gradchecks, "check_layer_gradients": check_gradchecks,
}

# Signature differences that are by design (everything else must match the reference's arguments).
SIGNATURE_EXCEPTIONS = {
    "Optimizer": "torch.optim.Optimizer(params, defaults) is a base class; its subclasses SGD and Adam "
                 "take the reference's arguments",
}


def test_every_reference_name_has_a_parity_check():
    names = reference_names()
    missing = [n for n in names if n not in PARITY and n not in T.NO_COUNTERPART]
    assert not missing, (
        f"reference names without a torch counterpart check: {missing}. Add a counterpart with the same "
        f"name and arguments to cnn_core.torch_ops (and its __all__), and an entry to PARITY in "
        f"tests/torch_ops/test_parity.py — or, if it truly has none, to cnn_core.torch_ops.NO_COUNTERPART "
        f"with the reason")
    stale = sorted(set(PARITY) - set(names))
    assert not stale, f"PARITY lists names the reference no longer exports: {stale}"
    for name, reason in T.NO_COUNTERPART.items():
        assert name in names and len(reason) > 20


def test_every_counterpart_exists_and_takes_the_reference_arguments():
    for name in reference_names():
        if name in T.NO_COUNTERPART:
            continue
        assert name in T.__all__, f"cnn_core.torch_ops does not export {name!r}"
        if name in SIGNATURE_EXCEPTIONS:
            continue
        try:
            ref_sig = inspect.signature(getattr(R, name))
            our_sig = inspect.signature(getattr(T, name))
        except (TypeError, ValueError):       # a C builtin (torch.sigmoid): checked by calling it
            continue
        ref_params = list(ref_sig.parameters.values())
        ours = list(our_sig.parameters.values())
        if any(p.kind is p.VAR_POSITIONAL for p in ours):       # nn.Module(*args, **kwargs), Sequential(*args)
            continue
        positional = [p.name for p in ref_params if p.kind is not p.KEYWORD_ONLY]
        assert [p.name for p in ours[:len(positional)]] == positional, (
            f"{name}: the reference takes {positional} in that order, the torch counterpart "
            f"{[p.name for p in ours]}")
        our_names = {p.name for p in ours}
        for p in ref_params:
            if p.kind is p.KEYWORD_ONLY:
                assert p.name in our_names, f"{name}: keyword {p.name!r} of the reference is missing"


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("check", sorted(set(PARITY.values()) | {check_strict_messages}, key=lambda f: f.__name__),
                         ids=lambda f: f.__name__)
def test_parity(check, device):
    torch.manual_seed(0)
    check(device)


# Mistakes a student makes, each refused by both paths with the same exception and the same words
# (the torch path names a tensor where the reference names an array). Each call gets the module
# (R or T) and its (input, weight, targets) built for that path.
X, W = rng(0).standard_normal((1, 2, 5, 5)), np.ones((4, 2, 3, 3))
MISTAKES = {
    "conv2d stride 0": lambda M, x, w, y: M.conv2d(x, w, stride=0),
    "conv2d negative padding": lambda M, x, w, y: M.conv2d(x, w, padding=-1),
    "conv2d groups that do not divide": lambda M, x, w, y: M.conv2d(x, w, groups=3),
    "conv2d filter larger than the input": lambda M, x, w, y: M.conv2d(x[..., :2, :2], w),
    "conv2d filter larger, strict=False": lambda M, x, w, y: M.conv2d(x[..., :2, :2], w, strict=False),
    "conv2d stride that misses pixels": lambda M, x, w, y: M.conv2d(x[..., :4, :4], w, stride=2),
    "conv2d without a batch axis": lambda M, x, w, y: M.conv2d(x[0], w),
    "conv2d wrong input channels": lambda M, x, w, y: M.conv2d(x[:, :1], w),
    "conv2d bias of the wrong size": lambda M, x, w, y: M.conv2d(x, w, w[:3, 0, 0, 0]),
    "conv2d 'same' at stride 2": lambda M, x, w, y: M.conv2d(x, w, stride=2, padding="same"),
    "conv2d unknown padding word": lambda M, x, w, y: M.conv2d(x, w, padding="full"),
    "conv2d unknown padding_mode": lambda M, x, w, y: M.conv2d(x, w, padding=1, padding_mode="mirror"),
    "max_pool2d padding over half the window": lambda M, x, w, y: M.max_pool2d(x, 2, padding=2),
    "max_pool2d window 0": lambda M, x, w, y: M.max_pool2d(x, 0),
    "max_pool2d windows that cover only padding": lambda M, x, w, y: M.max_pool2d(
        x[..., :1, :1], (1, 2), padding=(0, 1), dilation=(1, 2), strict=False),
    "max_pool2d_backward windows that cover only padding": lambda M, x, w, y: M.max_pool2d_backward(
        x[..., :1, :1], x[..., :1, :1], (1, 2), padding=(0, 1), dilation=(1, 2), strict=False),
    "MaxPool2d windows that cover only padding": lambda M, x, w, y: M.MaxPool2d(
        (1, 2), padding=(0, 1), dilation=(1, 2), strict=False)(x[..., :1, :1]),
    "max_pool2d stride that misses pixels": lambda M, x, w, y: M.max_pool2d(x, 2),
    "avg_pool2d stride that misses pixels": lambda M, x, w, y: M.avg_pool2d(x, 2),
    "avg_pool2d fractional stride": lambda M, x, w, y: M.avg_pool2d(x[..., :4, :4], 2, stride=1.5),
    "Conv2d groups that do not divide": lambda M, x, w, y: M.Conv2d(3, 4, 3, groups=2),
    "Conv2d kernel 0": lambda M, x, w, y: M.Conv2d(2, 4, 0),
    "Conv2d no input channels": lambda M, x, w, y: M.Conv2d(0, 4, 3),
    "Conv2d 'same' at stride 2": lambda M, x, w, y: M.Conv2d(2, 4, 3, stride=2, padding="same"),
    "Conv2d layer stride that misses pixels": lambda M, x, w, y: M.Conv2d(2, 4, 3, stride=2)(x[..., :4, :4]),
    "Linear no features": lambda M, x, w, y: M.Linear(0, 3),
    "dropout p above 1": lambda M, x, w, y: M.dropout(x, 1.5),
    "Dropout p above 1": lambda M, x, w, y: M.Dropout(1.5),
    "BatchNorm2d no features": lambda M, x, w, y: M.BatchNorm2d(0),
    "BatchNorm2d wrong channels": lambda M, x, w, y: M.BatchNorm2d(3)(x),
    "flatten start_dim out of range": lambda M, x, w, y: M.flatten(x, 5),
    "flatten start after end": lambda M, x, w, y: M.flatten(x, 3, 1),
    "cross_entropy class out of range": lambda M, x, w, y: M.cross_entropy(x[:, :, 0, 0], y + 5),
    "cross_entropy negative class (PyTorch ignores -100)": lambda M, x, w, y: M.cross_entropy(x[:, :, 0, 0], y - 100),
    "cross_entropy targets of the wrong length": lambda M, x, w, y: M.cross_entropy(x[:, :, 0, 0], y.repeat(2)),
    "cross_entropy logits without a batch axis": lambda M, x, w, y: M.cross_entropy(x[0, :, 0, 0], y),
    "CrossEntropyLoss class out of range": lambda M, x, w, y: M.CrossEntropyLoss()(x[:, :, 0, 0], y + 5),
}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_both_paths_refuse_a_mistake_in_the_same_words(mistake, device):
    call = MISTAKES[mistake]
    with pytest.raises((ValueError, TypeError)) as ref_err:
        call(R, X, W, np.zeros(1, dtype=np.int64))
    with pytest.raises((ValueError, TypeError)) as torch_err:
        call(T, tt(X, device), tt(W, device), torch.zeros(1, dtype=torch.long, device=device))
    assert type(torch_err.value) is type(ref_err.value)
    assert str(torch_err.value) == str(ref_err.value).replace(" array,", " tensor,"), mistake
