"""autograder.answers: the student's process running cells and answering the judge's requests.

Each test loads a fresh copy of ``answers.py`` (its own namespace and handles), as the jail
does (``wire`` imported as a plain module), and calls :func:`handle` with requests built by
hand; replies are decoded with the judge's own :class:`autograder.wire.Decoder`.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import pickle
import sys
from pathlib import Path

import pytest

import autograder
from autograder import wire

ANSWERS = Path(autograder.__file__).parent / "answers.py"


@pytest.fixture
def answers(monkeypatch):
    monkeypatch.setitem(sys.modules, "wire", wire)
    spec = importlib.util.spec_from_file_location("answers_under_test", ANSWERS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def blob(value, handles=()) -> str:
    """A pickle as the judge sends it; objects in ``handles`` (by id) go as handle numbers."""
    numbers = {id(obj): n for obj, n in handles}

    class P(pickle.Pickler):
        def persistent_id(self, obj):
            return ("handle", numbers[id(obj)]) if id(obj) in numbers else None

    buffer = io.BytesIO()
    P(buffer, protocol=5).dump(value)
    return base64.b64encode(buffer.getvalue()).decode()


def decode(node):
    return wire.Decoder(lambda n, k, t: ("remote", n, k, t)).decode(node)


def test_a_cell_runs_in_the_notebook_namespace(answers):
    assert answers.handle({"op": "cell", "source": "x = 6 * 7", "index": 0}) == {"status": "ok"}
    assert answers.handle({"op": "cell", "source": "y = x + 1", "index": 1}) == {"status": "ok"}
    assert answers.NAMESPACE["y"] == 43 and answers.NAMESPACE["__name__"] == "__main__"


def test_a_failing_cell_reports_name_message_and_a_traceback_naming_the_cell(answers):
    reply = answers.handle({"op": "cell", "source": "1 / 0", "index": 7})
    assert reply["status"] == "error" and reply["ename"] == "ZeroDivisionError"
    assert reply["evalue"] == "division by zero"
    assert "<cell 7>" in reply["traceback"] and not reply["traceback"].startswith("Traceback")


def test_system_exit_in_a_cell_is_an_error_not_an_exit(answers):
    reply = answers.handle({"op": "cell", "source": "raise SystemExit(3)", "index": 0})
    assert reply["status"] == "error" and reply["ename"] == "SystemExit" and reply["evalue"] == "3"


def test_long_messages_are_cut(answers):
    reply = answers.handle({"op": "cell", "source": "raise ValueError('v' * 10_000)", "index": 0})
    assert len(reply["evalue"]) == answers.TEXT_LIMIT == 4000
    assert len(reply["traceback"]) <= 4000


def test_an_exception_whose_str_fails_still_reports(answers):
    src = "class E(Exception):\n    def __str__(self): raise RuntimeError\nraise E()"
    reply = answers.handle({"op": "cell", "source": src, "index": 0})
    assert reply["ename"] == "E" and reply["evalue"] == "(its message could not be read)"


def test_imports_only_runs_just_the_imports_and_skips_missing_modules(answers):
    src = "import math\nimport no_such_module_xyz\nfrom os import path as p\nz = 1\nraise ValueError"
    assert answers.handle({"op": "cell", "source": src, "index": 0, "imports_only": True}) == {"status": "ok"}
    assert "math" in answers.NAMESPACE and "p" in answers.NAMESPACE
    assert "z" not in answers.NAMESPACE and "no_such_module_xyz" not in answers.NAMESPACE


def test_lookup_gives_values_as_plain_data_and_marks_missing_names(answers):
    answers.handle({"op": "cell", "source": "a = [1, (2, 'x')]\ndef f(): pass", "index": 0})
    reply = answers.handle({"op": "lookup", "names": ["a", "f", "nope"]})
    assert reply["status"] == "ok"
    assert decode(reply["values"]["a"]) == [1, (2, "x")]
    assert decode(reply["values"]["f"])[0] == "remote"            # a function stays in the jail
    assert reply["values"]["nope"] == {"$": "missing"}


def test_a_call_returns_the_result_and_the_arguments_as_changed(answers):
    answers.handle({"op": "cell", "source": "def fill(xs, k=0):\n    xs.append(k)\n    return len(xs)", "index": 0})
    reply = answers.handle({"op": "call", "name": "fill", "args": blob(([[1, 2]], {"k": 9}))})
    assert reply["status"] == "ok" and decode(reply["result"]) == 3
    assert decode(reply["sent"]) == [[[1, 2, 9]], {"k": 9}]


def test_operations_on_an_object_left_in_the_jail_by_handle(answers):
    answers.handle({"op": "cell", "source": "class Box:\n    pass\nb = Box()\nd = {'k': 1}", "index": 0})
    number = answers.HANDLES.add(answers.NAMESPACE["b"])
    assert answers.handle({"op": "setattr", "target": number, "attr": "v", "value": blob(5)})["status"] == "ok"
    assert decode(answers.handle({"op": "getattr", "target": number, "attr": "v"})["result"]) == 5
    assert answers.handle({"op": "setitem", "name": "d", "value": blob(("j", 2))})["status"] == "ok"
    assert decode(answers.handle({"op": "getitem", "name": "d", "key": blob("j")})["result"]) == 2
    assert decode(answers.handle({"op": "len", "name": "d"})["result"]) == 2
    assert decode(answers.handle({"op": "contains", "name": "d", "value": blob("k")})["result"]) is True
    assert answers.handle({"op": "delitem", "name": "d", "key": blob("k")})["status"] == "ok"
    assert decode(answers.handle({"op": "list", "name": "d"})["result"]) == ["j"]
    assert decode(answers.handle({"op": "bool", "name": "d"})["result"]) is True


def test_a_handle_in_the_arguments_is_the_jails_own_object(answers):
    answers.handle({"op": "cell", "source": "class C: pass\nc = C()\ndef same(o): return o is c", "index": 0})
    obj = object()
    number = answers.HANDLES.add(answers.NAMESPACE["c"])
    reply = answers.handle({"op": "call", "name": "same", "args": blob(([obj], {}), [(obj, number)])})
    assert decode(reply["result"]) is True


def test_repr_and_str_are_cut_to_the_text_limit(answers):
    answers.handle({"op": "cell", "source": "s = 'q' * 9000", "index": 0})
    assert decode(answers.handle({"op": "repr", "name": "s"})["result"]) == "'" + "q" * 3999
    assert decode(answers.handle({"op": "str", "name": "s"})["result"]) == "q" * 4000


def test_sync_deletes_and_rebinds_names_before_the_request(answers):
    answers.handle({"op": "cell", "source": "a = 1\nb = 2\nclass K: pass\nk = K()\ndef get(n): return globals().get(n, 'gone')",
                    "index": 0})
    number = answers.HANDLES.add(answers.NAMESPACE["k"])
    sync = [["a", "del"], ["b", "value", blob([3])], ["c", "handle", number]]
    answers.handle({"op": "bind", "sync": sync})
    assert "a" not in answers.NAMESPACE and answers.NAMESPACE["b"] == [3]
    assert answers.NAMESPACE["c"] is answers.NAMESPACE["k"]
    assert decode(answers.handle({"op": "call", "name": "get", "args": blob((["a"], {}))})["result"]) == "gone"


def test_an_undefined_name_is_a_name_error(answers):
    reply = answers.handle({"op": "len", "name": "missing"})
    assert reply["status"] == "error" and reply["ename"] == "NameError" and "'missing'" in reply["evalue"]


def test_an_unknown_handle_is_a_lookup_error(answers):
    reply = answers.handle({"op": "len", "target": 99})
    assert reply["ename"] == "LookupError" and "no object 99" in reply["evalue"]


def test_an_unknown_request_is_refused(answers):
    answers.handle({"op": "cell", "source": "x = 1", "index": 0})
    reply = answers.handle({"op": "explode", "name": "x"})
    assert reply["status"] == "error" and reply["ename"] == "ValueError" and "unknown request 'explode'" in reply["evalue"]


def test_an_unknown_persistent_id_in_the_arguments_is_refused(answers):
    answers.handle({"op": "cell", "source": "def f(*a): return 1", "index": 0})
    obj = object()

    class P(pickle.Pickler):
        def persistent_id(self, o):
            return ("file", "/etc/passwd") if o is obj else None

    buffer = io.BytesIO()
    P(buffer).dump(([obj], {}))
    reply = answers.handle({"op": "call", "name": "f", "args": base64.b64encode(buffer.getvalue()).decode()})
    assert reply["status"] == "error" and reply["ename"] == "UnpicklingError"


def test_iterating_an_endless_object_stops_at_the_item_limit(answers):
    answers.handle({"op": "cell", "source": "import itertools\nit = itertools.count()", "index": 0})
    reply = answers.handle({"op": "list", "name": "it"})
    assert reply["status"] == "error" and reply["ename"] == "AnswerTooLarge"
    assert f"{wire.MAX_ITEMS:,}" in reply["evalue"]
