"""``collect``: submissions from an LMS download (a zip) into nbgrader's ``submitted/`` folders.

Understands the usual layouts:

- Canvas: ``<login>_<userid>_<submissionid>_<filename>`` (``_LATE_`` allowed), with
  Canvas's renames of resubmissions (``ps1-1.ipynb``);
- Moodle: ``<Full Name>_<id>_assignsubmission_file_/<filename>``;
- a folder per student: ``<student>/<filename>``.

A notebook is matched to the assignment's template by name, tolerating what browsers and
LMSs do to names (``ps1 (1).ipynb``, ``Copy of ps1.ipynb``, ``PS1.ipynb``, ``ps1-2.ipynb``);
when an assignment has a single notebook, a student's only notebook is it whatever its name.
Several notebooks per student are matched one by one; of two files for the same template, the
newest (zip timestamp) wins and the other is reported. Names are sanitised: nothing in the zip
decides where a file is written.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .course import Course

CANVAS = re.compile(r"^(?P<student>[^_/]+?)(?:_LATE)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<student>.+?)_\d+_assignsubmission_(?:file|onlinetext)_?$")


@dataclass
class CollectReport:
    placed: dict[tuple[str, str], str] = field(default_factory=dict)     # (student, notebook) -> zip entry
    ignored: list[str] = field(default_factory=list)                    # entries and why


def safe_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.@-]+", "_", text.strip()).strip("._")
    return name or "unknown"


def normalise(filename: str) -> str:
    """``Copy of PS1 (2).ipynb`` -> ``ps1``: the stem without the marks of copies and resubmissions."""
    stem = Path(filename).stem.lower().strip()
    stem = re.sub(r"^copy of\s+", "", stem)
    stem = re.sub(r"\s*\(\d+\)$", "", stem)
    stem = re.sub(r"-\d+$", "", stem)
    return re.sub(r"[\s_-]+", "_", stem)


def student_and_file(entry: str) -> tuple[str, str] | None:
    parts = [p for p in entry.replace("\\", "/").split("/") if p and p != "."]
    if not parts or parts[0] == "__MACOSX" or parts[-1].startswith("._"):
        return None
    if len(parts) >= 2:
        folder = parts[-2]
        m = MOODLE.match(folder)
        return safe_name(m.group("student") if m else folder), parts[-1]
    m = CANVAS.match(parts[0])
    if m:
        return safe_name(m.group("student")), m.group("file")
    return None


def match_template(filename: str, templates: list[str], only_one: bool) -> str | None:
    norm = normalise(filename)
    by_norm = {normalise(t): t for t in templates}
    if norm in by_norm:
        return by_norm[norm]
    if only_one and len(templates) == 1:
        return templates[0]
    close = difflib.get_close_matches(norm, list(by_norm), n=1, cutoff=0.6)
    return by_norm[close[0]] if close else None


def collect(course: Course, assignment: str, archive: Path) -> CollectReport:
    templates = sorted(course.templates(assignment))
    report = CollectReport()
    per_student: dict[str, list[tuple[zipfile.ZipInfo, str]]] = {}
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            if not info.filename.lower().endswith(".ipynb"):
                report.ignored.append(f"{info.filename}: not a notebook")
                continue
            found = student_and_file(info.filename)
            if found is None:
                report.ignored.append(f"{info.filename}: cannot tell whose it is")
                continue
            per_student.setdefault(found[0], []).append((info, found[1]))
        for student, files in sorted(per_student.items()):
            chosen: dict[str, zipfile.ZipInfo] = {}
            for info, filename in files:
                name = match_template(filename, templates, only_one=len(files) == 1)
                if name is None:
                    report.ignored.append(f"{info.filename}: matches none of {templates}")
                    continue
                if name in chosen:
                    older, newer = sorted([chosen[name], info], key=lambda i: i.date_time)
                    report.ignored.append(f"{older.filename}: an older copy of {student}'s {name}.ipynb")
                    info = newer
                chosen[name] = info
            for name, info in chosen.items():
                folder = course.submitted(student, assignment)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{name}.ipynb").write_bytes(zf.read(info))
                report.placed[(student, name)] = info.filename
    return report
