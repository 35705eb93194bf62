"""autograder.remote: the judge's side of the student's process, against a real ``answers.py``.

Each test starts ``answers.py`` as a plain child process (its ``__main__``: serve on one end
of a socket pair, no zygote, no sandbox) and talks to it through :class:`Jail` and
:class:`Session`: names bound as data or proxies, calls with copy-restore, the student's
exceptions raised again, output collected and cut, deadlines and deaths.
"""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import autograder
from autograder import wire
from autograder.remote import (AnswerDied, AnswerError, AnswerTimeout, Jail, Remote, Session, Unreadable,
                               raise_answer_error)

ANSWERS = Path(autograder.__file__).parent / "answers.py"


@pytest.fixture
def start(tmp_path):
    started = []

    def start(output_limit=100_000, seconds=20.0):
        judge, student = socket.socketpair()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        env = {"PATH": os.environ.get("PATH", ""), "AUTOGRADER_RPC_FD": str(student.fileno())}
        proc = subprocess.Popen([sys.executable, "-s", str(ANSWERS)], cwd=tmp_path, env=env, stdout=out_w,
                                stderr=err_w, pass_fds=(student.fileno(),))
        student.close()
        os.close(out_w)
        os.close(err_w)
        jail = Jail(judge.detach(), out_r, err_r, output_limit=output_limit)
        jail.deadline = time.monotonic() + seconds
        started.append((proc, jail))
        return jail

    yield start
    for proc, jail in started:
        jail.close()
        proc.kill()
        proc.wait(10)


def cell(jail, source):
    return jail.request({"op": "cell", "source": source, "index": 0})


def test_bind_puts_data_and_proxies_in_the_namespace_and_skips_missing_names(start):
    jail = start()
    assert cell(jail, "a = {'k': [1, 2]}\ndef f(x): return x * 2")["status"] == "ok"
    session, ns = Session(jail), {}
    session.bind(ns, ["a", "f", "nope"])
    assert ns["a"] == {"k": [1, 2]} and isinstance(ns["f"], Remote) and "nope" not in ns
    assert ns["f"](21) == 42


def test_an_argument_the_student_changes_is_changed_in_the_judge(start):
    jail = start()
    cell(jail, "def fill(xs):\n    xs.append(3)\n    xs[0] = 'z'")
    session, ns = Session(jail), {}
    session.bind(ns, ["fill"])
    mine = [1, 2]
    assert ns["fill"](mine) is None
    assert mine == ["z", 2, 3]


def test_attributes_items_len_iteration_of_a_students_object(start):
    jail = start()
    cell(jail, "class Bag:\n    def __init__(self): self.items = [5, 6]\n"
               "    def __len__(self): return len(self.items)\n    def __iter__(self): return iter(self.items)\n"
               "    def __getitem__(self, i): return self.items[i]\nbag = Bag()")
    session, ns = Session(jail), {}
    session.bind(ns, ["bag"])
    bag = ns["bag"]
    assert bag.items == [5, 6] and len(bag) == 2 and list(bag) == [5, 6] and bag[1] == 6 and 6 in bag
    bag.extra = 9
    assert bag.extra == 9


def test_a_builtin_exception_is_raised_as_itself_with_the_students_traceback(start):
    jail = start()
    cell(jail, "def bad():\n    raise KeyError('missing key')")
    session, ns = Session(jail), {}
    session.bind(ns, ["bad"])
    with pytest.raises(KeyError) as info:
        ns["bad"]()
    assert "missing key" in str(info.value) and "in bad" in info.value.answer_traceback


def test_the_students_own_exception_becomes_answer_error(start):
    jail = start()
    cell(jail, "class Oops(Exception): pass\ndef bad():\n    raise Oops('no')")
    session, ns = Session(jail), {}
    session.bind(ns, ["bad"])
    with pytest.raises(AnswerError, match="^Oops: no$"):
        ns["bad"]()


def test_a_deleted_name_is_gone_for_the_students_functions_too(start):
    jail = start()
    cell(jail, "squares = [1, 4]\ndef has(): return 'squares' in globals()")
    session, ns = Session(jail), {}
    session.bind(ns, ["squares", "has"])
    assert ns["has"]() is True
    del ns["squares"]
    assert ns["has"]() is False


def test_release_removes_the_students_values_but_keeps_what_the_cell_bound(start):
    jail = start()
    cell(jail, "a = 1\nb = 2")
    session, ns = Session(jail), {"mine": 0}
    session.bind(ns, ["a", "b"])
    session.release(ns, keep={"b"})
    assert ns == {"mine": 0, "b": 2}


def test_output_is_collected_per_stream(start):
    jail = start()
    cell(jail, "import sys\nprint('hello')\nprint('oops', file=sys.stderr)")
    assert jail.take_output() == ("hello\n", "oops\n", False)
    assert jail.take_output() == ("", "", False)


def test_output_past_the_limit_is_cut_and_marked(start):
    jail = start(output_limit=10)
    cell(jail, "print('x' * 50)")
    out, _, truncated = jail.take_output()
    assert out == "x" * 10 and truncated


def test_code_past_the_deadline_raises_answer_timeout_which_except_exception_misses(start):
    jail = start()
    jail.deadline = time.monotonic() + 0.5
    with pytest.raises(AnswerTimeout):
        cell(jail, "while True: pass")
    assert not jail.alive and not issubclass(AnswerTimeout, Exception)
    with pytest.raises(AnswerDied):
        cell(jail, "1")                  # a dead jail takes no more requests


def test_a_process_that_exits_raises_answer_died(start):
    jail = start()
    with pytest.raises(AnswerDied):
        cell(jail, "import os\nos._exit(1)")
    assert not jail.alive and not issubclass(AnswerDied, Exception)


def test_a_proxy_cannot_be_copied_or_sent_to_another_process(start):
    jail, other = start(), start()
    cell(jail, "def f(x): return x")
    cell(other, "def g(x): return x")
    s1, s2, ns1, ns2 = Session(jail), Session(other), {}, {}
    s1.bind(ns1, ["f"])
    s2.bind(ns2, ["g"])
    with pytest.raises(TypeError, match="cannot be copied"):
        copy.copy(ns1["f"])
    with pytest.raises(TypeError, match="cannot be sent to the student's code"):
        ns2["g"](ns1["f"])
    assert ns1["f"](ns1["f"]) is ns1["f"]          # its own process's proxy goes as a handle


def test_a_value_the_judge_cannot_pickle_is_a_type_error(start):
    jail = start()
    cell(jail, "def f(x): return 1")
    session, ns = Session(jail), {}
    session.bind(ns, ["f"])
    with pytest.raises(TypeError, match="cannot be sent"):
        ns["f"](lambda: 0)


@pytest.mark.parametrize("ename, cls", [("ValueError", ValueError), ("ZeroDivisionError", ZeroDivisionError),
                                        ("NameError", NameError)])
def test_raise_answer_error_raises_builtins_as_themselves(ename, cls):
    with pytest.raises(cls) as info:
        raise_answer_error({"ename": ename, "evalue": "why", "traceback": "tb"})
    assert type(info.value) is cls and str(info.value) == "why" and info.value.answer_traceback == "tb"


def test_raise_answer_error_never_raises_a_base_exception_the_student_names():
    for ename in ("SystemExit", "KeyboardInterrupt", "GeneratorExit", "AnswerTimeout"):
        with pytest.raises(AnswerError, match=f"^{ename}$"):
            raise_answer_error({"ename": ename})


def test_raise_answer_error_cuts_long_fields():
    with pytest.raises(AnswerError) as info:
        raise_answer_error({"ename": "E" * 500, "evalue": "v" * 9000, "traceback": "t" * 9000})
    assert str(info.value) == "E" * 100 + ": " + "v" * 4000 and len(info.value.answer_traceback) == 4000


def test_an_unreadable_value_fails_when_used_saying_why():
    value = Unreadable("model", "a tensor of an unknown dtype")
    with pytest.raises(wire.AnswerDecodeError, match="model could not be graded: a tensor of an unknown dtype"):
        value.shape
