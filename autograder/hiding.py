"""Which files a jail must not contain, for a part that forbids some modules.

A test cell that calls ``forbid(func, ["cnn_core.reference", "torch", ...])`` is answered by
a student process in whose jail those modules are physically absent: no Python trick
(``importlib``, a name built at run time, a copy of the module's source) can reach code
that is not there. For each forbidden name the grader asks the trusted environment where
its code lives, and the jail is mounted without it:

- a module or package that nothing else needs at import time (``torch``,
  ``cnn_core.reference``, ``scipy.ndimage``) is **hidden**: its folder (or file) is
  replaced by an empty one whose ``__init__`` raises ``ModuleNotFoundError`` with a
  sentence in the course's words;
- a module that an allowed package imports when it starts (``numpy.pad`` lives in
  ``numpy.lib._arraypad_impl``, which ``import numpy`` loads) is **gutted**: its file is
  replaced by a copy in which every function body raises that error, so the package
  still imports but none of the forbidden code exists in the jail;
- ``numpy.pad`` and other dotted names that are functions are resolved to the module that
  defines them.

:func:`plan` is computed once per set of forbidden names, in the trusted process.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Plan:
    """What one jail hides: the forbidden names, and how each file is masked."""

    names: tuple[str, ...]
    hidden: tuple[str, ...] = ()                       # module names that do not import at all
    dirs: tuple[str, ...] = ()                         # package folders replaced by an empty one
    files: dict[str, str] = field(default_factory=dict)    # file -> the text that replaces it

    @property
    def key(self) -> str:
        return ",".join(self.names) or "(nothing hidden)"


def message(name: str) -> str:
    return (f"{name} is not available in this part of the assignment: the part asks you to write "
            f"the code yourself (see the notebook's rules)")


def _stub_init(name: str) -> str:
    return f"raise ModuleNotFoundError({message(name)!r}, name={name!r})\n"


def gutted(source: str, name: str) -> str:
    """``source`` with the body of every function (and method) replaced by a raise."""
    tree = ast.parse(source)
    raising = ast.parse(f"raise ModuleNotFoundError({message(name)!r})").body
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.body = list(raising)
    return ast.unparse(tree) + "\n"


def _loaded_by_its_package(module: str) -> bool:
    """Does importing the top-level package of ``module`` load ``module`` (in a fresh Python)?"""
    top = module.split(".")[0]
    code = f"import sys, {top}; print({module!r} in sys.modules)"
    result = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=120)
    return result.stdout.strip() == "True"


def _resolve(name: str) -> tuple[str, object | None]:
    """(module name, spec) for a module name, or for a function's dotted name its module's."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is not None:
        return name, spec
    parent, _, attr = name.rpartition(".")
    if not parent:
        return name, None
    try:
        obj = getattr(importlib.import_module(parent), attr)
    except (ImportError, AttributeError):
        return name, None
    defining = inspect.getmodule(inspect.unwrap(obj)) if callable(obj) else None
    if not isinstance(defining, types.ModuleType):
        return name, None
    return defining.__name__, importlib.util.find_spec(defining.__name__)


def plan(names) -> Plan:
    """How to mount a jail in which ``names`` (modules, packages, or functions) do not exist."""
    names = tuple(sorted(set(names)))
    hidden, dirs, files = [], [], {}
    for name in names:
        module, spec = _resolve(name)
        if spec is None:
            continue                                     # not installed: nothing to hide
        top_level = "." not in module
        if not top_level and _loaded_by_its_package(module):
            if not (spec.origin and spec.origin.endswith(".py") and not spec.submodule_search_locations):
                raise ValueError(f"{name} cannot be hidden from a part: importing {module.split('.')[0]} needs "
                                 f"{module}. Forbid its functions or submodules instead (e.g. numpy.pad).")
            files[spec.origin] = gutted(Path(spec.origin).read_text(), name)
            continue
        hidden.append(module)
        if spec.submodule_search_locations:
            for folder in spec.submodule_search_locations:
                dirs.append(folder)
                files[str(Path(folder) / "__init__.py")] = _stub_init(name)
        elif spec.origin and spec.origin not in ("built-in", "frozen"):
            files[spec.origin] = _stub_init(name)
    return Plan(names, tuple(sorted(set(hidden))), tuple(sorted(set(dirs))), files)
