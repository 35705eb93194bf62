"""autograder.wire: what crosses from the student's jail to the judge, and what cannot.

The encoder runs in the jail (here: in this process, on objects a student could make); the
decoder runs in the judge and must accept plain data only, whatever bytes arrive.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn

from autograder import wire
from autograder.wire import AnswerDecodeError, AnswerTooLarge, Decoder, Encoder, Handles


def roundtrip(obj, originals=None, origin=None):
    handles = Handles()
    tree = json.loads(json.dumps(Encoder(handles, origin).encode(obj)))     # through JSON, as on the socket
    return Decoder(lambda n, k, t: ("remote", n, k, t), originals).decode(tree), handles


@pytest.mark.parametrize("value", [None, True, 3, -2 ** 70, 2.5, float("inf"), "text", b"\x00\xff", 1 + 2j,
                                   (1, "a"), [1, [2, [3]]], {"a": 1, 2: (3,)}, {1, 2}, frozenset({3}), range(2, 9, 3)])
def test_plain_values_come_back_equal_and_of_the_same_type(value):
    got, _ = roundtrip(value)
    assert got == value and type(got) is type(value)


def test_nan_and_numpy_values_keep_their_dtypes():
    got, _ = roundtrip([float("nan"), np.float32(1.5), np.int64(7), np.arange(6, dtype=np.int16).reshape(2, 3)])
    assert np.isnan(got[0]) and type(got[1]) is np.float32 and type(got[2]) is np.int64
    assert got[3].dtype == np.int16 and got[3].shape == (2, 3) and got[3].flags.writeable


def test_identity_within_a_message_survives():
    shared = [1, 2]
    got, _ = roundtrip({"a": shared, "b": shared})
    assert got["a"] is got["b"]


def test_tensors_keep_dtype_grad_and_parameters():
    p = nn.Parameter(torch.randn(3, dtype=torch.float64))
    p.grad = torch.ones(3, dtype=torch.float64)
    half = torch.randn(2).to(torch.bfloat16)
    got, _ = roundtrip([p, half, torch.Size([2, 3]), torch.float16])
    assert isinstance(got[0], nn.Parameter) and got[0].dtype == torch.float64 and torch.equal(got[0].grad, p.grad)
    assert got[1].dtype == torch.bfloat16 and torch.equal(got[1], half)
    assert got[2] == torch.Size([2, 3]) and got[3] is torch.float16


def test_a_module_of_torch_classes_is_rebuilt_and_runs_torchs_forward():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(32, 3))
    model.eval()
    got, _ = roundtrip(model)
    assert type(got) is nn.Sequential and type(got[0]) is nn.Conv2d and got[0].padding == (1, 1)
    x = torch.randn(2, 1, 4, 4)
    assert torch.equal(got(x), model(x))
    assert not got.training and torch.equal(got[2].running_var, model[2].running_var)


class Mine(nn.Module):
    def forward(self, x):
        return x


def test_anything_else_stays_behind_as_a_handle():
    hooked = nn.Linear(2, 2)
    hooked.register_forward_hook(lambda *a: None)
    odd = nn.Linear(2, 2)
    odd.forward = lambda x: x                        # an instance attribute that is code
    got, handles = roundtrip([Mine(), hooked, odd, lambda x: x, object(), (i for i in range(3))])
    kinds = [g[0] if isinstance(g, tuple) else type(g).__name__ for g in got[:5]]
    assert kinds == ["remote"] * 5
    assert got[5] == [0, 1, 2]                       # a generator is read out
    assert isinstance(handles.get(got[0][1]), Mine)


def test_an_optimizer_is_rebuilt_over_the_rebuilt_parameters():
    model = nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.ones(1, 2)).sum().backward()
    opt.step()
    got, _ = roundtrip([model, opt])
    new_model, new_opt = got
    assert type(new_opt) is torch.optim.SGD and new_opt.param_groups[0]["lr"] == 0.1
    ids = {id(p) for g in new_opt.param_groups for p in g["params"]}
    assert ids == {id(p) for p in new_model.parameters()}
    assert len(new_opt.state) == 2


def test_objects_sent_by_the_judge_are_updated_in_place():
    judge_array, judge_list = np.zeros(3), [1]
    jail_array, jail_list = judge_array.copy(), list(judge_list)
    jail_array += 5
    jail_list.append(2)
    originals = {1: judge_array, 2: judge_list}
    origin = {id(jail_array): 1, id(jail_list): 2}
    got, _ = roundtrip([jail_array, jail_list], originals, origin)
    assert got[0] is judge_array and judge_array.tolist() == [5, 5, 5]
    assert got[1] is judge_list and judge_list == [1, 2]


def test_the_encoder_stops_at_its_limits(monkeypatch):
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(AnswerTooLarge, match="nested"):
        Encoder(Handles()).encode(deep)
    monkeypatch.setattr(wire, "MAX_BYTES", 1000)
    with pytest.raises(AnswerTooLarge, match="MiB"):
        Encoder(Handles()).encode(np.zeros(1000))


BAD = [
    ({"$": "ndarray", "dtype": "|O", "shape": [1], "b": ""}, "dtype"),               # object arrays
    ({"$": "ndarray", "dtype": "<f8", "shape": [2], "b": "AAAAAAAAAAA="}, "shape"),   # 8 bytes for 2 floats
    ({"$": "ndarray", "dtype": "<f8", "shape": [-1], "b": ""}, "shape"),
    ({"$": "module", "class": "__main__.Evil", "training": True, "attrs": [], "params": [], "buffers": [],
      "children": []}, "cannot be graded"),
    ({"$": "module", "class": "torch.nn.modules.linear.os", "training": True, "attrs": [], "params": [],
      "buffers": [], "children": []}, "cannot be graded"),
    ({"$": "module", "class": "torch.nn.modules.linear.Linear", "training": True,
      "attrs": [["__class__", 1]], "params": [], "buffers": [], "children": []}, "attribute"),
    ({"$": "optimizer", "class": "builtins.eval"}, "cannot be graded"),
    ({"$": "ref", "id": 99}, "reference"),
    ({"$": "pickle", "b": "gASVAAAAAAAAAAAu"}, "unknown kind"),
    ({"$": "pymodule", "name": "antigravity"}, "not one the tests use"),
    ({"$": "pymodule", "name": "os"}, "not one the tests use"),                        # loaded, but not a library
    ([1, 2], "unexpected list"),
    ({"$": "int", "v": "9" * 5000}, "malformed"),
]


@pytest.mark.parametrize("node, message", BAD, ids=[m for _, m in BAD])
def test_the_decoder_refuses_what_is_not_plain_data(node, message):
    with pytest.raises(AnswerDecodeError, match=message):
        Decoder(lambda *a: None).decode(node)


def test_frames_nested_too_deeply_or_too_large_are_refused():
    with pytest.raises(AnswerDecodeError, match="nested too deeply"):
        wire.parse_frame(b"[" * 100_000 + b"]" * 100_000)
    reader = wire.FrameReader(limit=10)
    with pytest.raises(AnswerTooLarge):
        reader.feed(b"\x00\x00\x00\x00\x00\x00\x01\x00" + b"x" * 300)
