"""autograder.hiding: which files a part's jail is mounted without."""

from __future__ import annotations

import os

import pytest

from autograder.hiding import gutted, plan


def test_packages_nothing_needs_are_hidden_whole():
    p = plan(["torch", "cnn_core.reference", "scipy.ndimage"])
    assert p.hidden == ("cnn_core.reference", "scipy.ndimage", "torch")
    import torch
    assert os.path.dirname(torch.__file__) in p.dirs
    init = os.path.join(os.path.dirname(torch.__file__), "__init__.py")
    assert "ModuleNotFoundError" in p.files[init] and "write the code yourself" in p.files[init]


def test_a_function_of_an_allowed_package_is_gutted_in_its_module():
    p = plan(["numpy.pad"])
    import numpy.lib._arraypad_impl as impl
    assert p.hidden == () and list(p.files) == [impl.__file__]
    stub = p.files[impl.__file__]
    namespace = {}
    exec(compile(stub, "stub", "exec"), namespace)         # the package still imports it...
    with pytest.raises(ModuleNotFoundError, match="numpy.pad is not available"):
        namespace["pad"]([1], 1)                           # ...but none of its code is left
    assert "_pad_simple" in namespace and "np.empty" not in stub.split("def _pad_simple")[1][:200]


def test_what_an_allowed_package_cannot_do_without_is_refused_with_a_sentence():
    with pytest.raises(ValueError, match="cannot be hidden from a part: importing numpy needs numpy.lib"):
        plan(["numpy.lib"])


def test_names_that_are_not_installed_need_nothing_hidden():
    assert plan(["torchvision", "no_such_module.anything"]).files == {}


def test_gutting_keeps_signatures_and_decorators():
    src = "import functools\n@functools.lru_cache\ndef f(x, y=2):\n    return x + y\nCONSTANT = 3\n"
    out = gutted(src, "m.f")
    namespace = {}
    exec(out, namespace)
    assert namespace["CONSTANT"] == 3
    with pytest.raises(ModuleNotFoundError):
        namespace["f"](1)
