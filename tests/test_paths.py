"""cnn_core.paths: where checkpoints are cached."""

import pytest

from cnn_core.paths import checkpoint_dir, checkpoint_path


def test_environment_variable_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_CORE_CHECKPOINTS", str(tmp_path / "ckpt"))
    assert checkpoint_path("a.pt") == tmp_path / "ckpt" / "a.pt"
    assert (tmp_path / "ckpt").is_dir()


def test_inside_the_course_it_is_the_build_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CNN_CORE_CHECKPOINTS", raising=False)
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    page_dir = tmp_path / "book"
    page_dir.mkdir()
    assert checkpoint_dir(page_dir) == tmp_path / "_build" / "checkpoints"


def test_outside_the_course_it_is_the_user_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("CNN_CORE_CHECKPOINTS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert checkpoint_dir(tmp_path) == tmp_path / "home" / ".cache" / "cnn_core" / "checkpoints"


@pytest.mark.parametrize("bad", ["", "../x.pt", "a/b.pt"])
def test_names_are_plain_file_names(bad, tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_CORE_CHECKPOINTS", str(tmp_path))
    with pytest.raises(ValueError, match="plain file name"):
        checkpoint_path(bad)
