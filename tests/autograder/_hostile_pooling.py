"""The adversarial suite, second assignment: ``ch07_pooling``, every attack with an honest twin.

Points (stated in the assignment's introduction): part 1 ``max_pool`` 4 (max_pool_forward 2 +
max_pool_overlap 2), part 2 ``max_pool_backward`` 5 (plain 2 + overlap 3), part 3
``avg_window`` 2, part 4 ``avg_pool_backward`` 4 (avg_pool_backward_check 2 +
unchanged_fraction_check 2): 15 in all.

Each attack below tries to earn part 1's points without writing max pooling: by reaching the
course's reference or PyTorch (which the part forbids) through some indirection, or by
reading what the tests expect out of the process the tests run in. Its *twin* is an honest
submission built the same way (the same indirection, the same introspection) around the
student's own code: it must score everything, so a grader that simply punished the
construction would fail the twin. An attack scores 15 - 4 = 11: part 1 is lost, and nothing
else is touched. The crash cases are broken in ways that must not stop the batch, each
with the score its answers really earn.
"""

from __future__ import annotations

import json

from ._hostile import ROOT, Case

ASSIGNMENT = "ch07_pooling"
TEMPLATE_PATH = ROOT / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
PART = {"max_pool": 4.0, "max_pool_backward": 5.0, "avg_window": 2.0, "avg_pool_backward": 4.0}
TOTAL = 15.0
ATTACKED = TOTAL - PART["max_pool"]
CELLS = {"max_pool_forward", "max_pool_overlap", "max_pool_backward_plain", "max_pool_backward_overlap",
         "avg_window_check", "avg_pool_backward_check", "unchanged_fraction_check"}


def template() -> dict:
    return json.loads(TEMPLATE_PATH.read_text())


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def solution_answers() -> dict[str, str]:
    return {c["metadata"]["nbgrader"]["grade_id"]: _source(c) for c in template()["cells"]
            if c["metadata"].get("nbgrader", {}).get("solution")}


def notebook(answers: dict[str, str], mutate=None) -> dict:
    nb = template()
    right = solution_answers()
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if cell["metadata"].get("nbgrader", {}).get("solution"):
            cell["source"] = answers.get(gid, right[gid])
    if mutate:
        mutate(nb)
    return nb


def _nb(answers, mutate=None):
    return lambda ctx: json.dumps(notebook(answers, mutate)).encode()


#: the solution's max pooling under another name: the honest twins build on it
OWN = solution_answers()["max_pool"].replace("def max_pool2d(", "def _own_max_pool2d(").rstrip() + "\n"
ZEROS = "    return np.zeros((x.shape[0], x.shape[1], (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1))\n"

# (name, attack source for the max_pool cell, honest twin source)
PAIRS = [
    ("partial_of_the_reference",
     "import functools\nimport cnn_core.reference as R\nmax_pool2d = functools.partial(R.max_pool2d)\n",
     OWN + "import functools\nmax_pool2d = functools.partial(_own_max_pool2d)\n"),
    ("callable_instance",
     "class _Pool:\n    def __call__(self, x, k, s):\n        from cnn_core.reference import max_pool2d as f\n"
     "        return f(x, k, s)\nmax_pool2d = _Pool()\n",
     OWN + "class _Pool:\n    def __call__(self, x, k, s):\n        return _own_max_pool2d(x, k, s)\n"
     "max_pool2d = _Pool()\n"),
    ("class_as_function",
     "class max_pool2d:\n    def __new__(cls, x, k, s):\n        import torch.nn.functional as F, torch\n"
     "        return F.max_pool2d(torch.from_numpy(x), k, s).numpy()\n",
     OWN + "class max_pool2d:\n    def __new__(cls, x, k, s):\n        return _own_max_pool2d(x, k, s)\n"),
    ("default_argument",
     "def max_pool2d(x, k, s, _impl=None):\n    if _impl is None:\n        import importlib\n"
     "        _impl = importlib.import_module('cnn_core.reference').max_pool2d\n    return _impl(x, k, s)\n",
     OWN + "def max_pool2d(x, k, s, _impl=_own_max_pool2d):\n    return _impl(x, k, s)\n"),
    ("dict_global",
     "TABLE = {'pool': lambda *a: __import__('cnn_core.reference', fromlist=['x']).max_pool2d(*a)}\n"
     "def max_pool2d(x, k, s):\n    return TABLE['pool'](x, k, s)\n",
     OWN + "TABLE = {'pool': _own_max_pool2d}\ndef max_pool2d(x, k, s):\n    return TABLE['pool'](x, k, s)\n"),
    ("list_global",
     "IMPLS = [None]\ndef max_pool2d(x, k, s):\n    if IMPLS[0] is None:\n"
     "        import sys, importlib\n        IMPLS[0] = importlib.import_module('torch').nn.functional.max_pool2d\n"
     "    import torch\n    return IMPLS[0](torch.from_numpy(x), k, s).numpy()\n",
     OWN + "IMPLS = [_own_max_pool2d]\ndef max_pool2d(x, k, s):\n    return IMPLS[0](x, k, s)\n"),
    ("namespace_global",
     "import types\nLIB = types.SimpleNamespace(get=lambda: __import__('cnn_core.reference', fromlist=['x']))\n"
     "def max_pool2d(x, k, s):\n    return LIB.get().max_pool2d(x, k, s)\n",
     OWN + "import types\nLIB = types.SimpleNamespace(pool=_own_max_pool2d)\ndef max_pool2d(x, k, s):\n"
     "    return LIB.pool(x, k, s)\n"),
    ("attrgetter",
     "import operator, importlib\ndef max_pool2d(x, k, s):\n"
     "    return operator.attrgetter('max_pool2d')(importlib.import_module('cnn_core.reference'))(x, k, s)\n",
     OWN + "import operator, types\n_NS = types.SimpleNamespace(max_pool2d=_own_max_pool2d)\n"
     "def max_pool2d(x, k, s):\n    return operator.attrgetter('max_pool2d')(_NS)(x, k, s)\n"),
    ("aliased_importlib",
     "import importlib as il\ndef max_pool2d(x, k, s):\n    return il.import_module('cnn_' + 'core.refer' + 'ence')"
     ".max_pool2d(x, k, s)\n",
     OWN + "import importlib as il\ndef max_pool2d(x, k, s):\n    npy = il.import_module('num' + 'py')\n"
     "    return npy.asarray(_own_max_pool2d(x, k, s))\n"),
    ("name_built_at_run_time",
     "import pkgutil\ndef max_pool2d(x, k, s):\n    return pkgutil.resolve_name('.'.join(['cnn_core', 'reference'])"
     " + ':max_pool2d')(x, k, s)\n",
     OWN + "import pkgutil\ndef max_pool2d(x, k, s):\n    maximum = pkgutil.resolve_name('numpy:maximum')\n"
     "    return maximum(_own_max_pool2d(x, k, s), -1e300)\n"),
    ("copied_source_file",
     "import os, sys, cnn_core\nsrc = open(os.path.join(os.path.dirname(cnn_core.__file__), 'reference', 'pooling.py'))"
     ".read()\nopen('mypool.py', 'w').write(src)\nsys.path.insert(0, '.')\nfrom mypool import max_pool2d\n",
     "open('mypool.py', 'w').write(" + repr("import numpy as np\n" + OWN.replace("_own_max_pool2d", "max_pool2d"))
     + ")\n"
     "from mypool import max_pool2d\n"),
    ("alias_chain",
     "import types\nholder = types.SimpleNamespace(lib=types.SimpleNamespace(\n"
     "    find=lambda: __import__('sys').modules.get('cnn_core.reference') or __import__('cnn_core.reference', "
     "fromlist=['x'])))\ndef max_pool2d(x, k, s):\n    return holder.lib.find().max_pool2d(x, k, s)\n",
     OWN + "import types\nholder = types.SimpleNamespace(lib=types.SimpleNamespace(find=lambda: _own_max_pool2d))\n"
     "def max_pool2d(x, k, s):\n    return holder.lib.find()(x, k, s)\n"),
    ("exec_of_compiled_import",
     "exec(compile('from cnn_core.reference import max_pool2d', 'x', 'exec'))\n",
     "exec(compile(" + repr(OWN.replace("_own_max_pool2d", "max_pool2d")) + ", 'mine', 'exec'))\n"),
    ("scipy_ndimage",
     "def max_pool2d(x, k, s):\n    from scipy.ndimage import maximum_filter\n"
     "    full = maximum_filter(x, size=(1, 1, k, k), origin=(0, 0, -(k // 2), -(k // 2)))\n"
     "    return full[:, :, :x.shape[2] - k + 1:s, :x.shape[3] - k + 1:s]\n",
     "def max_pool2d(x, k, s):\n    from numpy.lib.stride_tricks import sliding_window_view\n"
     "    x = np.asarray(x, dtype=float)\n    windows = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]\n"
     "    return windows.max(axis=(-2, -1))\n"),
    ("dlopen_libtorch",
     "import ctypes, glob, sys\nlibs = [p for d in sys.path for p in glob.glob(d + '/torch/lib/libtorch_cpu.so')]\n"
     "TORCH = ctypes.CDLL(libs[0])\ndef max_pool2d(x, k, s):\n" + ZEROS,
     OWN + "import ctypes\nLIBC = ctypes.CDLL(None)\ndef max_pool2d(x, k, s):\n    LIBC.getpid()\n"
     "    return _own_max_pool2d(x, k, s)\n"),
    # reaching into the tests' process
    ("frame_walk_for_expected",
     "import sys\ndef max_pool2d(x, k, s):\n    f = sys._getframe(1)\n    while f is not None:\n"
     "        for name in ('expected', '_ref_max_pool2d', 'exp'):\n            if name in f.f_locals:\n"
     "                v = f.f_locals[name]\n                return v(x, k, s) if callable(v) else v\n"
     "        f = f.f_back\n" + ZEROS,
     OWN + "import sys\ndef max_pool2d(x, k, s):\n    depth, f = 0, sys._getframe(1)\n    while f is not None:\n"
     "        depth, f = depth + 1, f.f_back\n    return _own_max_pool2d(x, k, s)\n"),
    ("globals_search",
     "def max_pool2d(x, k, s):\n    for name, v in list(globals().items()):\n        if 'ref' in name and callable(v):\n"
     "            return v(x, k, s)\n" + ZEROS,
     OWN + "def max_pool2d(x, k, s):\n    return globals()['_own_max_pool2d'](x, k, s)\n"),
    ("gc_scan_for_arrays",
     "import gc\ndef max_pool2d(x, k, s):\n    want = (x.shape[0], x.shape[1], (x.shape[2] - k) // s + 1, "
     "(x.shape[3] - k) // s + 1)\n    for o in gc.get_objects():\n"
     "        if isinstance(o, np.ndarray) and o.shape == want and o is not x:\n            return o.copy()\n" + ZEROS,
     OWN + "import gc\ndef max_pool2d(x, k, s):\n    gc.collect()\n    return _own_max_pool2d(x, k, s)\n"),
    ("array_protocol_object",
     "import sys\nclass Lazy:\n    def __init__(self, shape):\n        self.shape = shape\n"
     "    def __array__(self, dtype=None, copy=None):\n        f = sys._getframe(1)\n        while f:\n"
     "            if 'expected' in f.f_locals or 'exp' in f.f_locals:\n"
     "                return np.asarray(f.f_locals.get('expected', f.f_locals.get('exp')))\n            f = f.f_back\n"
     "        return np.zeros(self.shape)\n"
     "def max_pool2d(x, k, s):\n    return Lazy((x.shape[0], x.shape[1], (x.shape[2] - k) // s + 1, "
     "(x.shape[3] - k) // s + 1))\n",
     OWN + "class Pooled(np.ndarray):\n    pass\ndef max_pool2d(x, k, s):\n"
     "    return np.asarray(_own_max_pool2d(x, k, s)).view(Pooled)\n"),
    ("fake_numpy_method",
     "class FakeTensor:\n    def __init__(self, shape):\n        self.shape = shape\n    def detach(self):\n"
     "        return self\n    def cpu(self):\n        return self\n    def numpy(self):\n"
     "        import sys\n        return sys._getframe(2).f_locals.get('expected', np.zeros(self.shape))\n"
     "def max_pool2d(x, k, s):\n    return FakeTensor((x.shape[0], x.shape[1], (x.shape[2] - k) // s + 1, "
     "(x.shape[3] - k) // s + 1))\n",
     OWN + "def max_pool2d(x, k, s):\n    return _own_max_pool2d(x, k, s).tolist()\n"),
    ("patched_check_code",
     "import cnn_core.grading as G, cnn_core.grading.checks as C\nC.check_close.__code__ = "
     "(lambda *a, **k: None).__code__\nG.forbid.__code__ = (lambda *a, **k: None).__code__\n"
     "def max_pool2d(x, k, s):\n" + ZEROS,
     OWN + "from cnn_core.grading import check_close\ncheck_close('my own check', _own_max_pool2d("
     "np.arange(16.).reshape(1, 1, 4, 4), 2, 2), [[[[5., 7.], [13., 15.]]]])\nmax_pool2d = _own_max_pool2d\n"),
    ("repatching_thread",
     "import threading, time, cnn_core.grading.checks as C\ndef _loop():\n    while True:\n"
     "        C.check_close = lambda *a, **k: None\n        time.sleep(0.001)\n"
     "threading.Thread(target=_loop, daemon=True).start()\ndef max_pool2d(x, k, s):\n" + ZEROS,
     OWN + "import threading\n_t = threading.Thread(target=lambda: None)\n_t.start()\n_t.join()\n"
     "max_pool2d = _own_max_pool2d\n"),
    ("alarm_handler",
     "import signal, cnn_core.grading.checks as C\ndef _again(*a):\n    C.check_close = lambda *a, **k: None\n"
     "signal.signal(signal.SIGALRM, _again)\nsignal.setitimer(signal.ITIMER_REAL, 0.005, 0.005)\n"
     "def max_pool2d(x, k, s):\n" + ZEROS,
     OWN + "import signal\nsignal.signal(signal.SIGALRM, lambda *a: None)\nsignal.setitimer(signal.ITIMER_REAL, 0.001)\n"
     "signal.setitimer(signal.ITIMER_REAL, 0)\nmax_pool2d = _own_max_pool2d\n"),
    ("getattr_trap",
     "class _Trap:\n    def __getattr__(self, name):\n        import cnn_core.grading.checks as C\n"
     "        C.check_close = lambda *a, **k: None\n        raise AttributeError(name)\n"
     "    def __call__(self, x, k, s):\n" + ZEROS.replace("    return", "        return") + "max_pool2d = _Trap()\n",
     OWN + "class _Pool:\n    def __getattr__(self, name):\n        raise AttributeError(name)\n"
     "    def __call__(self, x, k, s):\n        return _own_max_pool2d(x, k, s)\nmax_pool2d = _Pool()\n"),
    ("forged_reply_frames",
     "import os, json, struct\ndef max_pool2d(x, k, s):\n    out = np.zeros((x.shape[0], x.shape[1], "
     "(x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1))\n"
     "    frame = json.dumps({'status': 'ok', 'result': 1, 'sent': []}).encode()\n"
     "    for fd in range(3, 12):\n        try:\n            os.write(fd, struct.pack('>Q', len(frame)) + frame)\n"
     "        except OSError:\n            pass\n    return out\n",
     OWN + "import sys\ndef max_pool2d(x, k, s):\n    print('pooling', x.shape, k, s)\n    sys.stdout.flush()\n"
     "    return _own_max_pool2d(x, k, s)\n"),
]


def _bad_points(value):
    def mutate(nb):
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("grade"):
                meta["points"] = value
    return mutate


def _nested(ctx):
    deep = "[" * 200_000 + "]" * 200_000
    text = json.dumps(notebook({}))
    return (text[:-1] + ', "deep": ' + deep + "}").encode()


def _junk_metadata(nb):
    nb["cells"][0]["metadata"] = "not a dict"
    nb["cells"].insert(1, "a cell that is a string")
    nb["cells"].insert(2, {"cell_type": "code", "metadata": {"nbgrader": "yes"}, "source": 42})
    nb["cells"].insert(3, {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": 7, "grade": True,
                                                                         "points": [1]}}, "source": ["x = 1\n"]})


def _source_of_ints(nb):
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "avg_window":
            cell["source"] = [1, 2, 3]


DISK = '''
import os
written = 0
try:
    for i in range(100_000):
        with open(f"f{i}.bin", "wb") as f:
            f.write(b"x" * 65536)
        written += 65536
except OSError as err:
    print("STOPPED", type(err).__name__)
print("MB", written // 2**20)
'''

BIG_FILE = '''
try:
    with open("big.bin", "wb") as f:
        for _ in range(1024):
            f.write(b"x" * 2**20)
    print("WROTE A GIGABYTE")
except OSError as err:
    print("STOPPED", type(err).__name__)
'''


def _disk_bounded(ctx, result):
    text = "".join(c["stdout"] for c in result["cells"])
    assert "STOPPED" in text, text[-300:]
    written = int(text.split("MB ")[1].split()[0])
    assert written <= ctx["limits"].disk_mb, f"the jail let one notebook write {written} MB"


def _printed(*must, forbidden=()):
    def check(ctx, result):
        text = "".join(c["stdout"] + c["stderr"] for c in result["cells"])
        for m in must:
            assert m in text, (m, text[-800:])
        for f in forbidden:
            assert f not in text, (f, text[-800:])
    return check


def cases() -> list[Case]:
    found = []
    for name, attack, twin in PAIRS:
        found.append(Case(name, _nb({"max_pool": attack}), ATTACKED))
        found.append(Case(name + "__twin", _nb({"max_pool": twin}), TOTAL))
    found += [
        Case("points_not_a_number", _nb({}, mutate=_bad_points("ten")), TOTAL),
        Case("points_huge", _nb({}, mutate=_bad_points(1e308)), TOTAL),
        Case("points_huge__twin", _nb({}), TOTAL),
        Case("json_nested_too_deep", _nested, 0.0),
        Case("junk_metadata", _nb({}, mutate=_junk_metadata), TOTAL),
        Case("source_of_ints", _nb({}, mutate=_source_of_ints), TOTAL - PART["avg_window"]),
        Case("huge_return_value", _nb({"max_pool": "def max_pool2d(x, k, s):\n    return np.zeros(2 * 10**9)\n"}),
             ATTACKED),
        Case("deeply_nested_return", _nb({"max_pool": "def max_pool2d(x, k, s):\n    out = []\n"
                                                      "    for _ in range(100_000):\n        out = [out]\n"
                                                      "    return out\n"}), ATTACKED),
        Case("fills_the_disk", _nb({"avg_window": DISK + solution_answers()["avg_window"]}), TOTAL,
             check=_disk_bounded),
        Case("one_huge_file", _nb({"avg_window": BIG_FILE + solution_answers()["avg_window"]}), TOTAL,
             check=_printed("STOPPED", forbidden=("WROTE A GIGABYTE",))),
        Case("helper_in_an_added_cell", _added_helper, TOTAL),
    ]
    return found


def _added_helper(ctx):
    """An honest student who moves the work into a helper, in a cell of their own above the answer."""
    nb = notebook({"max_pool": "def max_pool2d(x, kernel_size, stride):\n"
                               "    return _windows_max(x, kernel_size, stride)\n"})
    helper = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": OWN.replace("_own_max_pool2d", "_windows_max")}
    index = next(i for i, c in enumerate(nb["cells"])
                 if c["metadata"].get("nbgrader", {}).get("grade_id") == "max_pool")
    nb["cells"].insert(index, helper)
    return json.dumps(nb).encode()


