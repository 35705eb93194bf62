"""Grade one notebook: the student's cells run in jails, the test cells here, on data.

The judge is a trusted process (a fork of :mod:`autograder.worker`, one per notebook). It
walks the rebuilt notebook (:mod:`autograder.rebuild`) in order:

- a locked, answer, manual-code or added cell is sent to every student process of the
  notebook (one per set of modules the notebook's parts forbid: :mod:`autograder.hiding`);
  locked cells also run here, so the tests have the template's helpers and imports;
- a test cell runs **here**, in the judge's own namespace, never in a jail. The names it
  uses that the template's answers define (or that nothing trusted defines) are looked up
  in the student process that serves the cell's part: plain data, or proxies whose calls
  run there (:mod:`autograder.remote`). Expected values, comparisons and the verdict are
  computed here, by the template's test code and :mod:`cnn_core.grading`; nothing the
  student's code can reach takes part. A student process that runs out of time or dies is
  replaced, and the cells that had run are replayed into the new one;
- the cell scores as nbgrader scores it: 0 when it raises or writes to stderr, a number it
  evaluates to (partial credit), or its points; a manually graded answer is left for a
  person (``None``), or 0 when the student left the release's text unchanged.

:func:`grade_cells` returns plain data (scores, reasons, outputs), written to the gradebook
by the parent.
"""

from __future__ import annotations

import ast
import builtins
import io
import signal
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import asdict, dataclass, field

from .jails import GraderFault, JailServer
from .remote import AnswerDied, AnswerTimeout, Session
from .sandbox import Limits

OUTPUT_LIMIT = 100_000
NO_MODULES: tuple[str, ...] = ()


@dataclass
class CellResult:
    """What happened to one cell. status: ok, error, timeout, died, skipped (not run), manual."""

    index: int | None
    kind: str
    grade_id: str | None
    status: str = "skipped"
    ename: str = ""
    evalue: str = ""
    traceback: str = ""
    stdout: str = ""
    stderr: str = ""
    truncated: bool = False
    result: str | None = None          # the text of the value a test cell evaluated to (partial credit)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class NotebookPlan:
    """What the judge knows about a template before any submission: computed once."""

    answer_names: set[str]
    forbidden: dict[int, tuple[str, ...]] = field(default_factory=dict)   # test cell index -> modules
    checksums: dict[str, str] = field(default_factory=dict)               # manual grade_id -> release checksum

    @property
    def module_sets(self) -> list[tuple[str, ...]]:
        """One student process per set of hidden modules the test cells need (at least one)."""
        return sorted(set(self.forbidden.values()) or {NO_MODULES})


# ------------------------------------------------------------------ reading the template

def _bound_names(source: str) -> set[str]:
    """Names a cell binds at its top level (def, class, assignment), not its imports."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.With)):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    names.add(sub.id)
    return names


def assigned_names(source: str) -> set[str]:
    """Names a cell binds in its own (module) scope, anywhere: assignments, imports, defs."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names, todo = set(), list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue                                   # their bodies are another scope
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        todo.extend(ast.iter_child_nodes(node))
    return names


def loaded_names(source: str) -> set[str]:
    """Every name a cell reads or deletes, in its body and in the functions it defines."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Load, ast.Del))}


def _literals(sources) -> dict[str, object]:
    """NAME = <literal> assignments of the locked cells (``NOT_ALLOWED = [...]``)."""
    found = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    return found


def forbidden_modules(source: str, literals: dict[str, object]) -> tuple[str, ...]:
    """The modules a test cell's ``forbid(func, modules)`` calls name (their union)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return NO_MODULES
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "forbid" \
                and len(node.args) >= 2:
            arg = node.args[1]
            try:
                value = literals[arg.id] if isinstance(arg, ast.Name) else ast.literal_eval(arg)
            except (KeyError, ValueError):
                raise ValueError(f"forbid()'s list of modules must be a literal, or a name a locked cell "
                                 f"assigns a literal to: {ast.unparse(arg)}") from None
            found.update(str(v) for v in value)
    return tuple(sorted(found))


def plan_notebook(cells: list[dict], template: dict) -> NotebookPlan:
    """The template's answer names, each test cell's forbidden modules, the release checksums."""
    answers = set()
    for cell in cells:
        if cell["kind"] in ("answer", "manual") and cell["cell_type"] == "code":
            answers |= _bound_names(cell["source"])
    literals = _literals(c["source"] for c in cells if c["kind"] == "locked")
    forbidden = {c["index"]: forbidden_modules(c["source"], literals) for c in cells if c["kind"] == "tests"}
    return NotebookPlan(answers, forbidden, release_checksums(template))


def release_checksums(template: dict) -> dict[str, str]:
    """{grade_id: checksum} of the manually graded answers as nbgrader releases them."""
    def by_hand(cell) -> bool:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        return bool(meta.get("solution") and meta.get("grade"))

    if not any(by_hand(c) for c in template.get("cells", [])):
        return {}                                  # nbgrader's preprocessors take 2 s to import
    import copy

    import nbformat
    from nbgrader.preprocessors import ClearSolutions
    from nbgrader.utils import compute_checksum

    nb = nbformat.from_dict(copy.deepcopy(template))
    nb, _ = ClearSolutions().preprocess(nb, {})
    return {c.metadata.nbgrader["grade_id"]: compute_checksum(c) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution") and c.metadata.get("nbgrader", {}).get("grade")}


def answer_checksum(template_cell: dict, source: str) -> str:
    """nbgrader's checksum of a student's answer in the template's cell."""
    import copy

    import nbformat
    from nbgrader.utils import compute_checksum

    cell = nbformat.from_dict(copy.deepcopy(template_cell))
    cell.source = source
    return compute_checksum(cell)


# ------------------------------------------------------------------ running a notebook

class _CellTimeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _CellTimeout()


class _Capped(io.StringIO):
    def __init__(self, limit: int = OUTPUT_LIMIT):
        super().__init__()
        self.truncated = False
        self.limit = limit

    def write(self, text):
        room = self.limit - self.tell()
        if len(text) > room:
            self.truncated = True
            text = text[:max(room, 0)]
        return super().write(text)


class Notebook:
    """One notebook's student processes (one per module set) and the judge's namespace."""

    def __init__(self, cells, plan: NotebookPlan, servers: dict[tuple, JailServer], limits: Limits, start: float):
        self.cells, self.plan, self.servers, self.limits = cells, plan, servers, limits
        self.start = start
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.sessions: dict[tuple, Session] = {}
        self.restarts = 0
        self.done: list[int] = []             # positions of the jail cells that ran, for a replay

    @property
    def sets(self) -> list[tuple]:
        return list(self.servers)

    def primary(self) -> tuple:
        return NO_MODULES if NO_MODULES in self.servers else self.sets[0]

    def deadline(self) -> float:
        return min(time.monotonic() + self.limits.cell_seconds, self.start + self.limits.notebook_seconds)

    # student processes

    def session(self, key) -> Session:
        found = self.sessions.get(key)
        if found is not None and found.jail.alive:
            return found
        if found is not None:
            self._drop(key)
        server = self.servers[key]
        jail = server.spawn(self.limits)
        session = Session(jail)
        self.sessions[key] = session
        for position in self.done:                       # bring the new process to where the old one was
            cell = self.cells[position]
            jail.deadline = self.deadline()
            try:
                jail.request(_cell_message(cell))
            except (AnswerTimeout, AnswerDied):
                break
            jail.take_output()
        return session

    def _drop(self, key) -> None:
        session = self.sessions.pop(key, None)
        if session is not None:
            session.jail.close()
            self.servers[key].reap()
        self.restarts += 1

    def close(self) -> None:
        for key in list(self.sessions):
            session = self.sessions.pop(key)
            session.jail.close()
            self.servers[key].reap()

    # cells

    def run_student_cell(self, position: int, result: CellResult) -> None:
        """A locked, answer or added cell, in every student process."""
        cell = self.cells[position]
        t0 = time.monotonic()
        for key in self.sets:
            session = self.session(key)
            session.jail.deadline = self.deadline()
            try:
                reply = session.jail.request(_cell_message(cell))
                status = reply.get("status", "error") if reply.get("status") in ("ok", "error") else "error"
                failure = (status, str(reply.get("ename", "")), str(reply.get("evalue", "")),
                           str(reply.get("traceback", "")))
            except AnswerTimeout as err:
                failure = ("timeout", "Timeout", f"the cell ran longer than {self.limits.cell_seconds:g} s ({err})", "")
            except AnswerDied as err:
                failure = ("died", "KernelDied", str(err), "")
            except GraderFault:
                raise
            except Exception as err:  # noqa: BLE001 - what the student's process sent could not be read
                failure = ("error", type(err).__name__, str(err)[:2000], "")
            out, errs, truncated = session.jail.take_output() if session.jail.alive else ("", "", False)
            if failure[0] in ("timeout", "died"):
                self._drop(key)
            if key == self.primary():
                result.status, result.ename, result.evalue, result.traceback = failure
                result.stdout, result.stderr, result.truncated = out, errs, truncated
        if result.status in ("ok", "error"):
            self.done.append(position)
        result.seconds = round(time.monotonic() - t0, 3)

    def run_trusted(self, position: int, result: CellResult, key) -> None:
        """A test cell (or a locked cell's trusted copy): here, with the student's names bound."""
        cell = self.cells[position]
        t0 = time.monotonic()
        deadline = self.deadline()
        out, err = _Capped(self.limits.output_bytes), _Capped(self.limits.output_bytes)
        session = None
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 0.001))
        try:
            session = self.session(key)
            session.jail.deadline = deadline
            if cell["kind"] == "tests":
                for other in self.sets:                   # later cells may use what the test imported
                    peer = self.session(other)
                    peer.jail.deadline = deadline
                    peer.jail.request({"op": "cell", "source": cell["source"], "index": position,
                                       "imports_only": True})
                    peer.jail.take_output()
            names = self._names_to_bind(cell["source"], session)
            session.bind(self.namespace, names)
            code, last = _compile(cell["source"], f"<{cell['kind']} cell {cell['grade_id']}>")
            with redirect_stdout(out), redirect_stderr(err):
                exec(code, self.namespace)
                if last is not None:
                    value = eval(last, self.namespace)
                    if value is not None:
                        result.result = repr(value)[:1000]
                        print(result.result)
            result.status = "ok"
        except _CellTimeout:
            result.status, result.ename = "timeout", "Timeout"
            result.evalue = f"the cell ran longer than {self.limits.cell_seconds:g} s (or the notebook's time ran out)"
        except AnswerTimeout as error:
            result.status, result.ename = "timeout", "Timeout"
            result.evalue = f"the student's code ran longer than the cell's {self.limits.cell_seconds:g} s ({error})"
        except AnswerDied as error:
            result.status, result.ename, result.evalue = "died", "KernelDied", str(error)
        except GraderFault:
            raise
        except Exception as error:  # noqa: BLE001 - the test failed (assertion, the answer's own error, ...)
            result.status, result.ename = "error", type(error).__name__
            result.evalue = str(error)[:4000]
            tb = traceback.format_exception(type(error), error, error.__traceback__)
            remote = getattr(error, "answer_traceback", "")
            result.traceback = ("".join(tb[-3:]) + ("\nIn the student's code:\n" + remote if remote else ""))[-8000:]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            if session is not None:
                session.release(self.namespace, keep=assigned_names(cell["source"]))
        jail_out, jail_err, jail_truncated = ("", "", False)
        if session is not None and session.jail.alive:
            jail_out, jail_err, jail_truncated = session.jail.take_output()
        if result.status in ("timeout", "died") and session is not None:
            self._drop(key)
        result.stdout = (jail_out + out.getvalue())[:self.limits.output_bytes]
        result.stderr = (jail_err + err.getvalue())[:self.limits.output_bytes]
        result.truncated = out.truncated or err.truncated or jail_truncated
        result.seconds = round(time.monotonic() - t0, 3)

    def _names_to_bind(self, source: str, session: Session) -> set[str]:
        """The names of a trusted cell that the student's process supplies: the template's answer
        names, and names nothing trusted defines (never a builtin, never a trusted name)."""
        loaded = loaded_names(source)
        unknown = {n for n in loaded if n not in self.namespace and not hasattr(builtins, n)}
        return (loaded & self.plan.answer_names) | unknown

    def student_names(self, source: str) -> set[str]:
        return loaded_names(source) & self.plan.answer_names


def _cell_message(cell: dict) -> dict:
    return {"op": "cell", "source": cell["source"], "index": cell["index"] if cell["index"] is not None else -1}


def _compile(source: str, filename: str):
    """(code of the body, code of the last expression or None): a cell's value, as IPython shows it."""
    tree = ast.parse(source, filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = compile(ast.Expression(tree.body.pop().value), filename, "eval")
    return compile(tree, filename, "exec"), last


def grade_cells(cells: list[dict], template: dict, plan: NotebookPlan, servers: dict[tuple, JailServer],
                limits: Limits, report=None) -> list[CellResult]:
    """Run the rebuilt notebook; one :class:`CellResult` per cell, in order.

    report: called with each CellResult as it is finished (so a killed judge loses none).
    """
    start = time.monotonic()
    notebook = Notebook(cells, plan, {k: servers[k] for k in plan.module_sets}, limits, start)
    results = [CellResult(c["index"], c["kind"], c["grade_id"]) for c in cells]
    try:
        for position, (cell, result) in enumerate(zip(cells, results)):
            if time.monotonic() - start > limits.notebook_seconds:
                result.status, result.ename = "timeout", "Timeout"
                result.evalue = f"the notebook ran longer than {limits.notebook_seconds:g} s"
            elif notebook.restarts > limits.restarts:
                result.evalue = f"not run: the student's process was restarted {limits.restarts} times already"
            elif cell["cell_type"] != "code":
                result.status = "manual" if cell["kind"] == "manual" else "skipped"
            elif cell["kind"] == "tests":
                notebook.run_trusted(position, result, plan.forbidden.get(cell["index"], NO_MODULES))
            else:
                notebook.run_student_cell(position, result)
                if cell["kind"] == "locked" and result.status == "ok":
                    trusted = CellResult(cell["index"], "locked", cell["grade_id"])
                    uses_answers = bool(notebook.student_names(cell["source"]))
                    notebook.run_trusted(position, trusted, notebook.primary())
                    if trusted.status != "ok" and not uses_answers:
                        raise GraderFault(f"the template's locked cell {cell['grade_id']!r} fails in the grader: "
                                          f"{trusted.ename}: {trusted.evalue[:300]}")
                if cell["kind"] == "manual":
                    result.status = "manual" if result.status == "ok" else result.status
            if report is not None:
                report(result)
    finally:
        notebook.close()
    return results


def verdict(cell: dict, result: CellResult, plan: NotebookPlan, template: dict) -> tuple[float | None, str]:
    """(score, reason) of a graded cell, as nbgrader's ``determine_grade`` decides it."""
    points = cell["points"]
    if cell["kind"] == "manual":
        checksum = plan.checksums.get(cell["grade_id"])
        if checksum is not None and answer_checksum(template["cells"][cell["index"]], cell["source"]) == checksum:
            return 0.0, "no response: the release's text is unchanged"
        return None, "graded by hand"
    if result.status != "ok":
        first = (result.evalue.strip().splitlines() or [""])[0][:300]
        return 0.0, f"{result.ename or result.status}: {first}" if first else (result.ename or result.status)
    if result.stderr.strip():
        return 0.0, "the cell wrote to stderr: " + result.stderr.strip().splitlines()[0][:300]
    if result.result is not None:
        try:
            partial = float(result.result)
        except ValueError:
            return points, ""
        if partial >= 0:
            if partial > points:
                return points, f"the cell's value {partial:g} is more than its {points:g} points (counted as {points:g})"
            return partial, "" if partial == points else f"partial credit: {partial:g} of {points:g}"
    return points, ""

