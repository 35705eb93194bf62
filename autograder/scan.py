"""Read the student's answer cells (as text, in the grader) for what honest answers never need.

The runner repairs the obvious tampering before every test cell (see
:mod:`autograder.kernel_runner`), and the verdict is made outside the student's process,
but code that shares a process with the tests can always reach further (stack frames, the
garbage collector, ``ctypes``, threads that race the repair). Such code is not refused
automatically (a curious student may import ``sys`` for nothing); the submission is flagged
so that a person looks at it. This reads source only: nothing the student runs can change it.
"""

from __future__ import annotations

import ast

SUSPECT_MODULES = {"ctypes", "gc", "inspect", "threading", "_thread", "multiprocessing", "subprocess", "signal",
                   "importlib", "builtins", "socket", "pty", "resource", "sqlite3", "sqlalchemy", "nbgrader",
                   "IPython", "cnn_core.grading", "cnn_core.reference", "traceback", "code", "marshal", "pickle"}
SUSPECT_NAMES = {"__import__", "eval", "exec", "compile", "globals", "vars", "get_ipython", "setattr", "delattr",
                 "__builtins__", "breakpoint"}
SUSPECT_ATTRS = {"_getframe", "settrace", "setprofile", "f_back", "f_locals", "f_globals", "__globals__", "__code__",
                 "__subclasses__", "__closure__", "modules", "_exit", "fork", "forkpty", "kill", "killpg", "system",
                 "popen", "execv", "execve", "spawnv", "dup2", "fdopen", "write", "environ", "setsid",
                 "input_transformers_post", "input_transformers_cleanup", "register_magic_function", "__eq__",
                 "addaudithook", "setrecursionlimit"}


def scan_answers(answers: dict[str, str], protected_names: set[str]) -> list[str]:
    """What looks like tampering in ``answers`` ({grade_id: source}), one line per finding.

    protected_names: the names the locked cells define (``check_close``, ``np``, ``part``);
    an answer that rebinds one is flagged.
    """
    findings = []
    for gid, source in answers.items():
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue                               # the run reports it; nothing to read
        seen = set()
        for node in ast.walk(tree):
            what = _finding(node, protected_names)
            if what and what not in seen:
                seen.add(what)
                findings.append(f"answer {gid!r}: {what}")
    return findings


def _finding(node, protected: set[str]) -> str | None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if _suspect_module(alias.name):
                return f"imports {alias.name}"
    if isinstance(node, ast.ImportFrom) and node.module and _suspect_module(node.module):
        return f"imports from {node.module}"
    if isinstance(node, ast.Name) and node.id in SUSPECT_NAMES:
        return f"uses {node.id}"
    if isinstance(node, ast.Attribute) and node.attr in SUSPECT_ATTRS:
        return f"uses .{node.attr}"
    if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.name in protected:
        return f"redefines {node.name} (defined by a locked cell)"
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in protected:
        return f"assigns to {node.id} (defined by a locked cell)"
    if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Attribute):
        return f"assigns to an attribute of a module or class ({ast.unparse(node)})"
    if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name) \
            and node.value.id in protected:
        return f"assigns to {ast.unparse(node)}"
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
            "gradebook" in node.value or "/proc/" in node.value or "../" in node.value):
        return f"mentions {node.value[:40]!r}"
    return None


def _suspect_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in SUSPECT_MODULES)


def locked_names(cells: list[dict]) -> set[str]:
    """Names bound at the top level of the locked cells (imports, assignments, defs)."""
    names = set()
    for cell in cells:
        if cell["kind"] != "locked":
            continue
        try:
            tree = ast.parse(cell["source"])
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names
