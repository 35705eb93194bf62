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


def test_a_shipped_checkpoint_is_preferred_unless_retraining(tmp_path, monkeypatch):
    import cnn_core.paths as paths

    monkeypatch.setattr(paths, "PRETRAINED", tmp_path / "pretrained")
    (tmp_path / "pretrained").mkdir()
    (tmp_path / "pretrained" / "shipped.pt").write_bytes(b"weights")
    monkeypatch.delenv("CNN_CORE_CHECKPOINTS", raising=False)
    monkeypatch.delenv("CNN_CORE_REQUIRE_PRETRAINED", raising=False)
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    assert checkpoint_path("shipped.pt", tmp_path) == tmp_path / "pretrained" / "shipped.pt"
    assert checkpoint_path("other.pt", tmp_path) == tmp_path / "_build" / "checkpoints" / "other.pt"
    monkeypatch.setenv("CNN_CORE_CHECKPOINTS", str(tmp_path / "again"))        # retraining: nothing shipped
    assert checkpoint_path("shipped.pt", tmp_path) == tmp_path / "again" / "shipped.pt"


def test_the_book_build_refuses_to_train_what_is_not_shipped(tmp_path, monkeypatch):
    import cnn_core.paths as paths

    monkeypatch.setattr(paths, "PRETRAINED", tmp_path)
    monkeypatch.delenv("CNN_CORE_CHECKPOINTS", raising=False)
    monkeypatch.setenv("CNN_CORE_REQUIRE_PRETRAINED", "1")
    with pytest.raises(paths.MissingPretrained, match="make weights"):
        checkpoint_path("never_trained.pt", tmp_path)
