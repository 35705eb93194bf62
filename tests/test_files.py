"""cnn_core/_files.py: a file written with atomic_file appears complete or not at all."""

import os

import pytest

from cnn_core._files import atomic_file, write_text_atomic


def test_the_file_appears_complete_and_nothing_else_is_left(tmp_path):
    target = tmp_path / "sub" / "out.bin"
    with atomic_file(target) as f:
        f.write(b"abc")
        assert not target.exists(), "the target must not appear before the block ends"
    assert target.read_bytes() == b"abc"
    assert os.listdir(target.parent) == ["out.bin"]


def test_a_failing_block_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="half way"):
        with atomic_file(target, "w") as f:
            f.write("new, but only")
            raise RuntimeError("half way")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_text_is_utf8_and_the_mode_must_make_a_new_file(tmp_path):
    write_text_atomic(tmp_path / "t.json", "é ✓")
    assert (tmp_path / "t.json").read_bytes() == "é ✓".encode()
    with pytest.raises(ValueError, match="mode must be 'wb' or 'w'"):
        with atomic_file(tmp_path / "x", "ab"):
            pass
