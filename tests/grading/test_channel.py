"""cnn_core.grading.channel: silent by default, one JSON line per check when asked."""

import json
import os

import numpy as np
import pytest

from cnn_core.grading import ENV_VAR, channel, check_close, check_number, forbid, part


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_nothing_is_written_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    part("p")
    check_number("n", 3, 3)
    assert list(tmp_path.iterdir()) == []


def test_path_channel_records_parts_checks_and_failures(tmp_path, monkeypatch):
    path = tmp_path / "channel.jsonl"
    monkeypatch.setenv(ENV_VAR, str(path))
    part("conv2d_basic")
    check_close("conv", np.array([[1.0, 2.0]]), np.array([[1.0, 2.0]]), rtol=1e-5, atol=1e-6)
    with pytest.raises(AssertionError):
        check_number("size", 4, 5)
    lines = _lines(path)
    assert [entry["event"] for entry in lines] == ["part", "check", "check"]
    assert [entry["seq"] for entry in lines] == sorted(entry["seq"] for entry in lines)
    assert all(entry["grade_id"] == "conv2d_basic" for entry in lines)
    conv = lines[1]
    assert conv["check"] == "check_close" and conv["name"] == "conv" and conv["passed"] is True
    assert conv["got"] == {"shape": [1, 2], "values": [1.0, 2.0]}
    assert conv["tolerance"] == {"rtol": 1e-5, "atol": 1e-6}
    assert lines[2]["passed"] is False and lines[2]["got"] == 4.0


def test_fd_channel(tmp_path, monkeypatch):
    read, write = os.pipe()
    monkeypatch.setenv(ENV_VAR, str(write))
    part("x")
    check_number("n", 2, 2)
    os.close(write)
    with os.fdopen(read) as f:
        lines = [json.loads(line) for line in f]
    assert [entry["event"] for entry in lines] == ["part", "check"]
    assert lines[1]["got"] == 2.0


def test_large_values_are_capped(tmp_path, monkeypatch):
    path = tmp_path / "c.jsonl"
    monkeypatch.setenv(ENV_VAR, str(path))
    big = np.arange(channel.MAX_VALUES + 10, dtype=float)
    check_close("big", big, big)
    got = _lines(path)[-1]["got"]
    assert got["truncated"] is True and got["shape"] == [big.size]
    assert got["sum"] == float(big.sum()) and got["max"] == big.max() and len(got["sample"]) <= 1001


def test_nan_is_recorded_as_text(tmp_path, monkeypatch):
    path = tmp_path / "c.jsonl"
    monkeypatch.setenv(ENV_VAR, str(path))
    with pytest.raises(AssertionError):
        check_close("nan", np.array([np.nan, 1.0]), np.array([1.0, 1.0]))
    assert _lines(path)[-1]["got"]["values"] == ["nan", 1.0]


def test_forbid_is_recorded(tmp_path, monkeypatch):
    path = tmp_path / "c.jsonl"
    monkeypatch.setenv(ENV_VAR, str(path))
    forbid(lambda x: np.sum(x), ["torch"])
    entry = _lines(path)[-1]
    assert entry["check"] == "forbid" and entry["tolerance"] == {"forbidden": ["torch"]}


def test_part_needs_a_name():
    with pytest.raises(ValueError):
        part("")
