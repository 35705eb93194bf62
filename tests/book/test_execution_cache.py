"""scripts/execution_cache.py: a change to cnn_core makes the next build recompute every page."""

from __future__ import annotations

from execution_cache import refresh


def test_a_package_change_clears_the_caches_and_nothing_else_does(tmp_path):
    package, build = tmp_path / "cnn_core", tmp_path / "_build"
    (package / "data").mkdir(parents=True)
    (package / "shapes.py").write_text("X = 1\n")
    (package / "data" / "sample.npz").write_bytes(b"\x00\x01")
    for name in (".jupyter_cache", ".doctrees", "checkpoints", "html"):
        (build / name).mkdir(parents=True)
        (build / name / "file").write_text("cached")

    # caches from a build that recorded no package hash cannot be trusted
    assert refresh(build, package) == [".jupyter_cache", ".doctrees", "checkpoints"]
    assert (build / "html" / "file").is_file()                      # the site itself stays
    for name in (".jupyter_cache", "checkpoints"):
        (build / name).mkdir()
    assert refresh(build, package) == []                            # nothing changed: all kept
    assert (build / ".jupyter_cache").is_dir()

    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "shapes.cpython-311.pyc").write_bytes(b"compiled")
    assert refresh(build, package) == []                            # bytecode is not a change

    (package / "data" / "sample.npz").write_bytes(b"\x00\x02")     # a data file changed
    assert refresh(build, package) == [".jupyter_cache", "checkpoints"]
    (package / "shapes.py").write_text("X = 2\n")                   # the code changed
    (build / ".jupyter_cache").mkdir()
    assert refresh(build, package) == [".jupyter_cache"]
    (package / "shapes.py").rename(package / "sizes.py")            # a file renamed
    (build / ".doctrees").mkdir()
    assert refresh(build, package) == [".doctrees"]


def test_a_cold_build_has_nothing_to_clear(tmp_path):
    (tmp_path / "cnn_core").mkdir()
    (tmp_path / "cnn_core" / "a.py").write_text("")
    assert refresh(tmp_path / "_build", tmp_path / "cnn_core") == []
    assert (tmp_path / "_build" / ".cnn_core.sha256").is_file()
