"""autograder.release: the student version of an assignment, made by nbgrader, and a new course's set-up.

The oracles: nbgrader's own fixture notebooks (``nbgrader/tests/apps/files``) as sources, whose
solutions, hidden tests and points are read off the files by hand; nbformat's v4 schema for the
released notebooks; nbgrader's ``compute_checksum`` for their checksums; nbgrader's
:class:`~nbgrader.api.Gradebook` for what the release recorded; and plain file-system facts for
what is copied (never a ``.py``, which holds the solutions).
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import nbformat
import nbgrader
import pytest
from nbgrader.api import Gradebook
from nbgrader.utils import compute_checksum

from autograder import release as release_module
from autograder.cli import Mistake
from autograder.course import Course
from autograder.release import ReleaseFailed, adopt, course_assignments, release

FILES = Path(nbgrader.__file__).parent / "tests" / "apps" / "files"
REPO_NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def read(path: Path):
    return nbformat.read(str(path), as_version=4)


def text_of(path: Path) -> str:
    return "\n".join(c.source for c in read(path).cells)


def open_db(url: str, course_id: str = "default_course") -> Gradebook:
    return Gradebook(url, course_id=course_id)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """ps1 of nbgrader's test.ipynb (p1) and test-hidden-tests.ipynb (p2), released by ``release``
    over an earlier release (an older p1 and a notebook since dropped)."""
    root = tmp_path_factory.mktemp("course")
    src = root / "source" / "ps1"
    src.mkdir(parents=True)
    shutil.copy(FILES / "test.ipynb", src / "p1.ipynb")
    shutil.copy(FILES / "test-hidden-tests.ipynb", src / "p2.ipynb")
    earlier = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("An earlier release.")])
    (root / "release" / "ps1").mkdir(parents=True)
    for name in ("p1", "dropped"):
        nbformat.write(earlier, str(root / "release" / "ps1" / f"{name}.ipynb"))
    course = Course(root)
    return course, release(course, "ps1")


# --- the release, by nbgrader -------------------------------------------------------------------------

def test_release_returns_the_release_folder_and_copies_nothing_when_the_source_is_there(released):
    course, (copied, folder) = released
    assert copied is None and folder == course.root / "release" / "ps1"


def test_the_earlier_release_is_replaced_by_the_current_source(released):
    _, (_, folder) = released
    assert sorted(p.name for p in folder.iterdir()) == ["p1.ipynb", "p2.ipynb"]
    assert "An earlier release." not in text_of(folder / "p1.ipynb")


@pytest.mark.parametrize("name", ["p1", "p2"])
def test_released_notebooks_are_valid_v4_notebooks(released, name):
    _, (_, folder) = released
    nbformat.validate(read(folder / f"{name}.ipynb"))


def test_solutions_are_replaced_by_nbgraders_stubs(released):
    _, (_, folder) = released
    text = text_of(folder / "p1.ipynb")
    for solution in ("return [i ** 2 for i in range(1, n + 1)]", "return sum(squares(n))", r"$\sum_{i=1}^n i^2$",
                     "def pyramidal_number(n):", "### BEGIN SOLUTION"):
        assert solution in text_of(FILES / "test.ipynb") and solution not in text
    assert "raise NotImplementedError()" in text and "YOUR ANSWER HERE" in text


def test_hidden_tests_are_removed_and_the_visible_ones_kept(released):
    _, (_, folder) = released
    text = text_of(folder / "p2.ipynb")
    assert "assert squares(10) ==" not in text and "assert sum_of_squares(11) == 506" not in text
    assert "### BEGIN HIDDEN TESTS" not in text
    assert "assert squares(2) == [1, 4]" in text and "assert sum_of_squares(2) == 5" in text


def test_nbgraders_cells_are_locked_and_carry_nbgraders_checksums(released):
    _, (_, folder) = released
    cells = [c for c in read(folder / "p1.ipynb").cells if c.metadata.get("nbgrader", {}).get("grade_id")]
    assert len(cells) == 9                                     # every cell of test.ipynb with a grade_id
    for cell in cells:
        assert cell.metadata.nbgrader["checksum"] == compute_checksum(cell), cell.metadata.nbgrader["grade_id"]
        assert cell.metadata.get("deletable") is False                     # no graded or answer cell can go
        if not cell.metadata.nbgrader["solution"]:                          # tests and read-only cells
            assert cell.metadata.get("editable") is False


def test_the_gradebook_knows_the_assignment_and_its_points(released):
    course, _ = released
    gb = open_db(course.db_url)
    try:
        nbs = {nb.name: nb.max_score for nb in gb.find_assignment("ps1").notebooks}
    finally:
        gb.close()
    assert nbs == {"p1": 6.0, "p2": 3.0}          # p1: 1 + 1 + 0.5 + 0.5 + 1 + 2; p2: 1 + 1 + 0.5 + 0.5


def test_a_source_nbgrader_cannot_read_is_refused_with_nbgraders_reason(tmp_path):
    src = tmp_path / "source" / "ps1"
    src.mkdir(parents=True)
    (src / "p1.ipynb").write_text('{"cells": [')
    with pytest.raises(ReleaseFailed) as err:
        release(Course(tmp_path), "ps1")
    message = str(err.value)
    assert message.startswith("nbgrader could not release ps1 (in p1.ipynb): ")
    assert "Notebook does not appear to be JSON" in message and "nothing was released" in message
    assert "\n" not in message                                                   # one sentence
    log = tmp_path / ".autograder" / "release-ps1.log"
    assert f"nbgrader's whole output is in {log}" in message and "Traceback" in log.read_text()
    assert (src / "p1.ipynb").read_text() == '{"cells": ['                      # the source is left as it was
    assert not list((tmp_path / "release").rglob("*.ipynb"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".autograder", "gradebook.db", "source"]  # no scratch


def test_a_failed_release_keeps_the_earlier_one_and_the_command_says_why_in_one_line(tmp_path, capsys):
    """nbgrader's --force empties release/<a> before it converts: the course's release goes through a
    scratch folder, so the notebooks students were given survive a broken source."""
    from autograder.cli import main

    course = Course(tmp_path)
    (tmp_path / "source" / "ps1").mkdir(parents=True)
    shutil.copy(FILES / "test.ipynb", tmp_path / "source" / "ps1" / "p1.ipynb")
    release(course, "ps1")
    given = (tmp_path / "release" / "ps1" / "p1.ipynb").read_bytes()
    (tmp_path / "source" / "ps1" / "p1.ipynb").write_text('{"cells": [')
    assert main(["release", "ps1", "--course", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("autograder: nbgrader could not release ps1 (in p1.ipynb)")
    assert "the earlier release in" in err and "is kept as it was" in err
    assert (tmp_path / "release" / "ps1" / "p1.ipynb").read_bytes() == given
    assert [p.name for p in (tmp_path / "release").iterdir()] == ["ps1"]


# --- a new course: the repository's own assignment is copied in ---------------------------------------

@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    """A stand-in for this repository's ``notebooks/``: ps2 (nbgrader's test.ipynb), its solution
    source ps2.py and a data folder; a folder whose notebook has another name is no assignment."""
    root = tmp_path_factory.mktemp("repo") / "notebooks"
    (root / "ps2" / "data" / "train").mkdir(parents=True)
    shutil.copy(FILES / "test.ipynb", root / "ps2" / "ps2.ipynb")
    (root / "ps2" / "ps2.py").write_text("def squares(n):\n    return 'the solution'\n")
    (root / "ps2" / "data" / "train" / "x.csv").write_text("1,2\n")
    (root / "ps2" / "data" / "labels.txt").write_text("cat\n")
    (root / "ps1").mkdir()
    shutil.copy(FILES / "test.ipynb", root / "ps1" / "ps1.ipynb")
    (root / "scratch").mkdir()
    shutil.copy(FILES / "test.ipynb", root / "scratch" / "other.ipynb")
    (root / "README.md").write_text("not an assignment")
    return root


@pytest.fixture
def repo(repository, monkeypatch):
    monkeypatch.setattr(release_module, "NOTEBOOKS", repository)
    return repository


@pytest.fixture(scope="module")
def adopted(repository, tmp_path_factory):
    """ps2 released into an empty course, with a gradebook elsewhere, another course id and a PATH
    without this environment's ``bin`` (where nbgrader's ``alembic`` is)."""
    tmp = tmp_path_factory.mktemp("adopted")
    course = Course(tmp / "course", f"sqlite:///{tmp / 'elsewhere' / 'gb.db'}")
    (tmp / "elsewhere").mkdir()
    course.root.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(release_module, "NOTEBOOKS", repository)
        mp.setenv("PATH", "/usr/bin:/bin")
        out = release(course, "ps2", course_id="cnn101")
    return course, out


def test_a_course_without_the_source_gets_the_repositorys_notebook_and_data(adopted, repository):
    course, (copied, _) = adopted
    assert copied == repository / "ps2"
    src = course.source("ps2")
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file()) == [
        "data/labels.txt", "data/train/x.csv", "ps2.ipynb"]
    assert filecmp.cmp(src / "ps2.ipynb", repository / "ps2" / "ps2.ipynb", shallow=False)


def test_the_solution_source_is_never_copied(adopted):
    course, _ = adopted
    files = [p for p in course.root.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix == ".py"]
    assert not [p for p in files if p.suffix != ".db" and "the solution" in p.read_text(errors="replace")]


def test_the_adopted_assignment_is_released_with_its_data(adopted):
    course, (_, folder) = adopted
    assert (folder / "ps2.ipynb").is_file() and (folder / "data" / "train" / "x.csv").read_text() == "1,2\n"
    assert "return sum(squares(n))" not in text_of(folder / "ps2.ipynb")


def test_the_release_goes_to_the_gradebook_and_course_id_given(adopted):
    course, _ = adopted
    assert not (course.root / "gradebook.db").exists()
    gb = open_db(course.db_url, "cnn101")
    try:
        assert gb.find_assignment("ps2").course_id == "cnn101"
        assert [nb.name for nb in gb.find_assignment("ps2").notebooks] == ["ps2"]
    finally:
        gb.close()


def test_the_courses_own_source_is_kept(tmp_path, repo):
    course = Course(tmp_path)
    (tmp_path / "source" / "ps2").mkdir(parents=True)
    (tmp_path / "source" / "ps2" / "mine.ipynb").write_text("{}")
    assert adopt(course, "ps2") is None
    assert sorted(p.name for p in (tmp_path / "source" / "ps2").iterdir()) == ["mine.ipynb"]


def test_an_empty_source_folder_is_filled(tmp_path, repo):
    (tmp_path / "source" / "ps2").mkdir(parents=True)
    assert adopt(Course(tmp_path), "ps2") == repo / "ps2"
    assert (tmp_path / "source" / "ps2" / "ps2.ipynb").is_file()


def test_the_real_repositorys_assignment_is_copied_without_its_py_files(tmp_path):
    course = Course(tmp_path)
    assert adopt(course, "ch02_convolution") == REPO_NOTEBOOKS / "ch02_convolution"
    assert (REPO_NOTEBOOKS / "ch02_convolution" / "ch02_convolution.py").is_file()      # there, and not copied
    assert [p.name for p in course.source("ch02_convolution").iterdir()] == ["ch02_convolution.ipynb"]
    assert filecmp.cmp(course.source("ch02_convolution") / "ch02_convolution.ipynb",
                       REPO_NOTEBOOKS / "ch02_convolution" / "ch02_convolution.ipynb", shallow=False)


# --- which assignments there are; an unknown one -----------------------------------------------------

def test_course_assignments_are_the_folders_holding_their_own_notebook(repo):
    assert course_assignments() == ["ps1", "ps2"]


def test_course_assignments_of_this_repository():
    found = course_assignments()
    assert found == sorted(found) and "ch02_convolution" in found and "ch15_capstone" in found
    assert "README.md" not in found and len(found) == 15            # ch01 .. ch15


def test_no_notebooks_folder_means_no_assignments(tmp_path, monkeypatch):
    monkeypatch.setattr(release_module, "NOTEBOOKS", tmp_path / "nowhere")
    assert course_assignments() == []


def test_a_misspelt_assignment_gets_the_close_name_and_nothing_is_created(tmp_path, repo):
    with pytest.raises(Mistake, match=r"there is no assignment 'ps22' in .*source nor in .*notebooks: "
                                      r"did you mean ps2\?"):
        release(Course(tmp_path), "ps22")
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_assignment_lists_those_there_are(tmp_path, repo):
    with pytest.raises(Mistake, match=r"no assignment 'essay_week' in .* nor in .*: this repository has ps1, ps2$"):
        adopt(Course(tmp_path), "essay_week")
    assert list(tmp_path.iterdir()) == []


def test_with_no_assignments_at_all_it_says_none(tmp_path, monkeypatch):
    monkeypatch.setattr(release_module, "NOTEBOOKS", tmp_path / "nowhere")
    with pytest.raises(Mistake, match="this repository has none"):
        adopt(Course(tmp_path / "course"), "ps1")
