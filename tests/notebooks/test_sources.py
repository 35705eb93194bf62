"""The notebook sources: generated from their .py, valid nbgrader metadata, honest test cells."""

from __future__ import annotations

import ast
import json
import re

import pytest

from ._course import ASSIGNMENTS, NOTEBOOKS, build_sources, graded_cells, source_notebook, wrong_submission

COURSE_CHAPTERS = 13


def _cells(assignment):
    return source_notebook(assignment)["cells"]


def _nbg(cell) -> dict:
    return cell["metadata"].get("nbgrader", {})


def test_one_assignment_per_chapter():
    chapters = {int(m.group(1)) for a in ASSIGNMENTS if (m := re.match(r"ch(\d\d)_", a))}
    assert len(ASSIGNMENTS) == len(chapters), "one assignment per chapter"
    assert chapters >= set(range(1, COURSE_CHAPTERS + 1)), f"missing chapters {set(range(1, 14)) - chapters}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_ipynb_is_built_from_its_source(assignment):
    folder = NOTEBOOKS / assignment
    assert (folder / f"{assignment}.ipynb").read_text() == build_sources.render(folder / f"{assignment}.py"), \
        "stale notebook: run python notebooks/build_sources.py"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_metadata(assignment):
    cells = _cells(assignment)
    ids = [_nbg(c)["grade_id"] for c in cells if _nbg(c)]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    for cell in cells:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
        meta = _nbg(cell)
        if not meta:
            continue
        assert meta["schema_version"] == 3
        assert re.fullmatch(r"[a-z0-9_]+", meta["grade_id"])
        if meta["grade"]:
            assert meta["points"] > 0 and meta["locked"] and not meta["solution"]
        if meta["solution"]:
            assert not meta["locked"] and not meta["grade"]
            assert "### BEGIN SOLUTION" in cell["source"] and "### END SOLUTION" in cell["source"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_parts_have_the_points_they_announce(assignment):
    """'## Part k (P points)' headings: 3 to 6 parts, each worth the points of its test cells."""
    parts, current = [], None
    for cell in _cells(assignment):
        m = re.match(r"## Part (\d+) \((\d+) points?\)", cell["source"]) if cell["cell_type"] == "markdown" else None
        if m:
            current = [int(m.group(2)), 0]
            parts.append(current)
        elif _nbg(cell).get("grade"):
            assert current is not None, "a test cell before the first '## Part' heading"
            current[1] += _nbg(cell)["points"]
    assert 3 <= len(parts) <= 6
    for k, (announced, actual) in enumerate(parts, start=1):
        assert announced == actual, f"part {k} announces {announced} points but its tests give {actual}"
    total = sum(p[0] for p in parts)
    intro = " ".join(_cells(assignment)[0]["source"].split())
    assert f"{total} in all" in intro, f"the introduction should state the total ({total} in all)"
    listed = [int(p) for p in re.findall(r"part \d+ \((\d+)\)", intro)]
    assert listed == [p[0] for p in parts], "the introduction's points per part differ from the headings"


def _test_cells(assignment):
    return [c for c in graded_cells(source_notebook(assignment))]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_test_cell_names_its_part_and_uses_checks(assignment):
    for cell in _test_cells(assignment):
        gid = _nbg(cell)["grade_id"]
        first = cell["source"].splitlines()[0]
        assert first == f'part("{gid}")', f"{gid}: the test cell must begin with part(\"{gid}\")"
        tree = ast.parse(cell["source"])
        calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert not any(isinstance(n, ast.Assert) for n in ast.walk(tree)), f"{gid}: use a check helper, not assert"
        assert calls & {"check_close", "check_equal", "check_shape", "check_number", "check_in_range",
                        "check_choice", "check_true"}, f"{gid}: no check helper called"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_test_cells_are_deterministic(assignment):
    """The grader compares a student's stream with the solution's: no unseeded randomness."""
    for cell in _test_cells(assignment):
        gid = _nbg(cell)["grade_id"]
        tree = ast.parse(cell["source"])
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = ast.unparse(node.func)
                if func.endswith("default_rng"):
                    assert node.args, f"{gid}: default_rng() needs a seed"
                assert not re.fullmatch(r"(np|numpy)\.random\.(rand|randn|randint|random|normal|uniform|choice|"
                                        r"shuffle|permutation)", func), f"{gid}: {func} uses the global RNG"
                if re.fullmatch(r"torch\.(rand|randn|randint|randperm|rand_like|randn_like)", func):
                    seeded = "torch.manual_seed(" in cell["source"] or any(k.arg == "generator" for k in node.keywords)
                    assert seeded, f"{gid}: seed torch (manual_seed or a seeded generator) for {func}"
        if "@given" in cell["source"]:
            assert "derandomize=True" in cell["source"], f"{gid}: hypothesis needs derandomize=True"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_wrong_submission_is_well_formed(assignment):
    answers, failures = wrong_submission(assignment)
    solution_ids = {_nbg(c)["grade_id"] for c in _cells(assignment) if _nbg(c).get("solution")}
    test_ids = {_nbg(c)["grade_id"] for c in _test_cells(assignment)}
    assert answers and set(answers) <= solution_ids
    assert failures and failures < test_ids, "a wrong submission fails some, not all, test cells"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_intro_states_the_anti_reference_rule(assignment):
    intro = " ".join(_cells(assignment)[0]["source"].split())
    if "forbid(" in json.dumps(source_notebook(assignment)):
        assert "may not be used" in intro and "sandbox" in intro


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_answer_name_is_given_in_the_text(assignment):
    """The released stub hides the solution, so the text must name what to define."""
    text = " ".join(c["source"] for c in _cells(assignment) if c["cell_type"] == "markdown")
    for cell in _cells(assignment):
        if not _nbg(cell).get("solution"):
            continue
        for node in ast.parse(cell["source"]).body:
            names = [node.name] if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else \
                [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)] + \
                [e.id for t in getattr(node, "targets", []) if isinstance(t, ast.Tuple) for e in t.elts]
            for name in names:
                assert re.search(rf"`{name}[`(]", text), f"{_nbg(cell)['grade_id']}: the text never names `{name}`"


def test_few_choices_remain_and_their_keys_are_not_guessable():
    """Multiple choice gave way to computed tasks; the few choices left do not share a key, and
    the key is not simply the longest option."""
    keys = []
    for assignment in ASSIGNMENTS:
        for cell in _test_cells(assignment):
            for node in ast.walk(ast.parse(cell["source"])):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check_choice" \
                        and len(node.args) >= 3 and isinstance(node.args[2], ast.Constant):
                    keys.append((assignment, node.args[2].value))
    assert len(keys) <= 5, f"{len(keys)} fixed-key choices: {keys}"
    assert len({k for _, k in keys}) > 1 or len(keys) <= 1, f"every choice has the key {keys[0][1]!r}"
    for assignment, key in keys:
        text = " ".join(c["source"] for c in _cells(assignment) if c["cell_type"] == "markdown")
        options = dict(re.findall(r"- \(([a-e])\) (.*?)(?=\s- \([a-e]\)|\n\n|$)", text, re.S))
        if key in options and len(options) > 1:
            longest = max(options, key=lambda k: len(options[k]))
            assert not (longest == key and all(len(options[key]) > 1.5 * len(v) for k, v in options.items() if k != key)), \
                f"{assignment}: the key ({key}) is by far the longest option"


def test_every_template_can_be_planned_by_the_grader():
    """The grader reads each test cell's forbidden modules from its source (autograder/judge.py)."""
    from autograder.judge import plan_notebook
    from autograder.rebuild import rebuild

    for assignment in ASSIGNMENTS:
        template = source_notebook(assignment)
        plan = plan_notebook(rebuild(template, None, use_template_answers=True).cells, template)
        assert plan.answer_names, assignment
