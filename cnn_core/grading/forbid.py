"""The anti-reference rule: a part that asks you to implement X may not call a library's X.

``forbid(student_conv2d, ["cnn_core.reference", "torch", "scipy.signal"])`` inspects the
function before it is graded:

- every global name its code loads (the bytecode's globals, as in ``co_names``, of the function and of the functions,
  lambdas and comprehensions nested in it) is looked up in the function's globals; a
  module, function, class or object that comes from a forbidden module fails the check;
- its source (``inspect.getsource`` + ``ast``) may not import a forbidden module, nor use
  the back doors ``__import__``, ``importlib``, ``eval``, ``exec``, ``compile``,
  ``globals`` or ``sys.modules``;
- helper functions the student wrote (defined in the notebook) are inspected the same way,
  recursively.

In a student's own kernel this is a teaching check, not a security boundary: code can
always reach a module some other way. When the notebook is graded, the function is a
stand-in for code that runs in a separate process where the forbidden modules do not exist
at all (``autograder/README.md``); ``forbid`` then checks that the grader did hide them.
"""

from __future__ import annotations

import ast
import dis
import inspect
import textwrap
import types

from .remote import RemoteAnswer

BACK_DOORS = ("__import__", "importlib", "eval", "exec", "compile", "globals", "modules", "__builtins__",
              "getattr", "vars")


def _origin(obj) -> str | None:
    """The dotted module an object comes from: a module's name, a function's __module__, ..."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str):
        module = getattr(type(obj), "__module__", None)
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, type)):
        return module
    if callable(obj) or hasattr(obj, "__dict__"):
        return module or getattr(type(obj), "__module__", None)
    return None


def _qualified(obj) -> str | None:
    """``numpy.pad`` for ``np.pad``: the module and the name of a function or class."""
    name = getattr(obj, "__name__", None)
    module = getattr(obj, "__module__", None)
    if callable(obj) and isinstance(name, str) and isinstance(module, str):
        return f"{module}.{name}"
    return None


def _is_forbidden(module: str | None, forbidden) -> str | None:
    if not module:
        return None
    for f in forbidden:
        if module == f or module.startswith(f + "."):
            return f
    return None


def _code_objects(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _global_names(code: types.CodeType) -> list[str]:
    """Names the code loads as globals (not attribute names: ``np.pad`` loads ``np`` only)."""
    names = [ins.argval for ins in dis.get_instructions(code) if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")]
    attrs = [ins.argval for ins in dis.get_instructions(code) if ins.opname in ("LOAD_ATTR", "LOAD_METHOD")]
    return names + [a for a in attrs if a in ("modules", "__builtins__", "__import__")]


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _source_problems(func, forbidden) -> list[str]:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return []
    problems = []
    g = getattr(func, "__globals__", {})
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _is_forbidden(alias.name, forbidden):
                    problems.append(f"imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            if _is_forbidden(node.module, forbidden) or any(
                    _is_forbidden(f"{node.module}.{a.name}", forbidden) for a in node.names):
                problems.append(f"imports from {node.module}")
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted:
                root, *rest = dotted.split(".")
                base = g.get(root)
                if isinstance(base, types.ModuleType) and rest:
                    full = ".".join([base.__name__] + rest)
                    if _is_forbidden(full, forbidden):
                        problems.append(f"uses {dotted} ({full})")
    return problems


def forbidden_uses(func, forbidden, *, _seen=None) -> list[str]:
    """What ``func`` uses from the ``forbidden`` modules (empty when it is clean)."""
    _seen = set() if _seen is None else _seen
    if id(func) in _seen:
        return []
    _seen.add(id(func))
    func = inspect.unwrap(func) if callable(func) else func
    code = getattr(func, "__code__", None)
    if code is None:
        origin = _is_forbidden(_origin(func), forbidden)
        return [f"is {getattr(func, '__name__', func)!r} from {origin}"] if origin else []
    g = func.__globals__
    problems = []
    for co in _code_objects(code):
        for ins in dis.get_instructions(co):
            if ins.opname == "IMPORT_NAME" and _is_forbidden(ins.argval, forbidden):
                problems.append(f"imports {ins.argval}")
        for name in _global_names(co):
            if name in BACK_DOORS:
                problems.append(f"uses {name} (not allowed in this part)")
                continue
            if name not in g:
                continue
            obj = g[name]
            hit = _is_forbidden(_origin(obj), forbidden) or _is_forbidden(_qualified(obj), forbidden)
            if hit:
                problems.append(f"uses {name} (from {hit})")
            elif isinstance(obj, types.FunctionType) and obj.__globals__ is g:  # a helper the student wrote
                problems += [f"{name}() {p}" for p in forbidden_uses(obj, forbidden, _seen=_seen)]
    for cell in func.__closure__ or ():
        try:
            obj = cell.cell_contents
        except ValueError:
            continue
        hit = _is_forbidden(_origin(obj), forbidden) or _is_forbidden(_qualified(obj), forbidden)
        if hit:
            problems.append(f"uses a closure variable from {hit}")
    problems += _source_problems(func, forbidden)
    return list(dict.fromkeys(problems))


def is_stub(func) -> bool:
    """Is ``func`` still the release's stub (its body only raises NotImplementedError)?"""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return False
    node = tree.body[0] if tree.body else None
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    body = [b for b in node.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def forbid(func, forbidden, *, part: str | None = None) -> None:
    """Fail (AssertionError) if ``func`` uses any of the ``forbidden`` modules.

    func: the student's function; forbidden: dotted module names, e.g.
    ``["cnn_core.reference", "torch", "scipy.signal", "scipy.ndimage"]``.
    """
    forbidden = list(forbidden)
    name = part or f"{getattr(func, '__name__', 'function')} is your own implementation"
    if isinstance(func, RemoteAnswer):                 # graded: the code runs where these do not exist
        missing = [m for m in forbidden if m not in func.answer_hidden_modules()]
        if missing:
            raise AssertionError(f"FAIL {name}: the grader did not hide {', '.join(missing)} from this part "
                                 f"(a fault of the grader's set-up, not of the answer)")
        print(f"PASS {name}: it ran where none of {', '.join(forbidden)} exist")
        return
    if not callable(func):
        raise AssertionError(f"FAIL {name}: expected a function, got {type(func).__name__}")
    if is_stub(func):
        raise AssertionError(f"FAIL {name}: not answered yet ({getattr(func, '__name__', 'the function')} "
                             f"still raises NotImplementedError: write your code in its cell, then run it)")
    problems = forbidden_uses(func, forbidden)
    if problems:
        raise AssertionError(
            f"FAIL {name}: this part asks you to write it yourself with NumPy, but "
            f"{getattr(func, '__name__', 'the function')} " + "; ".join(problems)
            + f". Not allowed here: {', '.join(forbidden)}.")
    print(f"PASS {name}: uses none of {', '.join(forbidden)}")
