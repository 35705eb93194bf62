"""``collect``: submissions from an LMS download (a zip) into nbgrader's ``submitted/`` folders.

Understands the usual layouts:

- Canvas: ``<name>_<userid>_<submissionid>_<filename>`` (``_LATE_`` allowed), with Canvas's
  renames of resubmissions (``ps1-1.ipynb``);
- Moodle: ``<Full Name>_<participant id>_assignsubmission_file_/<filename>``;
- a folder per student: ``<student>/<filename>``.

Students are kept apart by what the LMS identifies them with: the student id is the name
*and* the LMS's number (``jane_doe_4411``), so two students with the same name (or names
that read the same once accents are dropped) never become one. In a folder-per-student zip,
two folders whose names sanitise to the same id get distinct ids, and the report says so.

A notebook is matched to the assignment's template by name, tolerating what browsers and
LMSs do to names (``ps1 (1).ipynb``, ``Copy of ps1.ipynb``, ``PS1.ipynb``, ``ps1-2.ipynb``);
when an assignment has a single notebook, a student's only notebook is it whatever its name.
Of two files for the same template, the newest (zip timestamp) wins and the other is
reported. The zip's timestamp of the chosen file goes to ``timestamp.txt`` beside it, as
``nbgrader collect`` writes it, so late penalties can be applied.

Nothing in the zip decides where a file is written; entries that are links, absolute paths
or climb out with ``..`` are refused, and a file is unpacked only up to
:data:`MAX_NOTEBOOK_BYTES` (a zip bomb stops there and is reported).
"""

from __future__ import annotations

import difflib
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from .course import Course

CANVAS = re.compile(r"^(?P<student>[^_/]+?)(?:_LATE)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<student>.+?)_(?P<uid>\d+)_assignsubmission_(?:file|onlinetext)_?$")
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024


@dataclass
class CollectReport:
    placed: dict[tuple[str, str], str] = field(default_factory=dict)     # (student, notebook) -> zip entry
    ignored: list[str] = field(default_factory=list)                    # entries and why
    renamed: list[str] = field(default_factory=list)                    # students given a distinct id


def safe_name(text: str) -> str:
    """An id for a folder name: accents dropped (``José`` -> ``Jose``), the rest ``[A-Za-z0-9_.@-]``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9_.@-]+", "_", ascii_text.strip()).strip("._")
    return name or "unknown"


def normalise(filename: str) -> str:
    """``Copy of PS1 (2).ipynb`` -> ``ps1``: the stem without the marks of copies and resubmissions."""
    stem = Path(filename).stem.lower().strip()
    stem = re.sub(r"^copy of\s+", "", stem)
    stem = re.sub(r"\s*\(\d+\)$", "", stem)
    stem = re.sub(r"-\d+$", "", stem)
    return re.sub(r"[\s_-]+", "_", stem)


def student_and_file(entry: str) -> tuple[str, str] | None:
    """(student id, file name) of a zip entry, or None when it is nobody's."""
    found = _whose(entry)
    return None if found is None else (found[0], found[2])


def _whose(entry: str) -> tuple[str, str, str] | None:
    """(student id, the identity the LMS gave, file name) of a zip entry."""
    parts = [p for p in entry.replace("\\", "/").split("/") if p and p != "."]
    if not parts or parts[0] == "__MACOSX" or parts[-1].startswith("._"):
        return None
    if len(parts) >= 2:
        folder = parts[-2]
        m = MOODLE.match(folder)
        if m:
            return f"{safe_name(m.group('student'))}_{m.group('uid')}", folder, parts[-1]
        return safe_name(folder), folder, parts[-1]
    m = CANVAS.match(parts[0])
    if m:
        return f"{safe_name(m.group('student'))}_{m.group('uid')}", f"{m.group('student')}_{m.group('uid')}", \
            m.group("file")
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


def unsafe(info: zipfile.ZipInfo) -> str | None:
    """Why an entry is refused (a link, an absolute path, ``..``), or None."""
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link"
    path = PurePosixPath(info.filename.replace("\\", "/"))
    if path.is_absolute() or re.match(r"^[A-Za-z]:", info.filename) or ".." in path.parts:
        return "a path outside the archive"
    return None


def read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int | None = None) -> bytes | None:
    """The entry's bytes, or None when it unpacks to more than ``limit`` (default
    :data:`MAX_NOTEBOOK_BYTES`), whatever its header says."""
    limit = MAX_NOTEBOOK_BYTES if limit is None else limit
    chunks, total = [], 0
    with zf.open(info) as f:
        while chunk := f.read(1 << 20):
            total += len(chunk)
            if total > limit:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def timestamp(info: zipfile.ZipInfo) -> str:
    """The zip's date of the entry, in the format of nbgrader's ``timestamp.txt``."""
    return datetime(*info.date_time).strftime("%Y-%m-%d %H:%M:%S.%f")


def collect(course: Course, assignment: str, archive: Path) -> CollectReport:
    templates = sorted(course.templates(assignment))
    report = CollectReport()
    per_student: dict[str, list[tuple[zipfile.ZipInfo, str]]] = {}
    identity: dict[str, str] = {}                           # student id -> the raw identity it came from
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            why = unsafe(info)
            if why:
                report.ignored.append(f"{info.filename}: refused ({why})")
                continue
            if not info.filename.lower().endswith(".ipynb"):
                report.ignored.append(f"{info.filename}: not a notebook")
                continue
            found = _whose(info.filename)
            if found is None:
                report.ignored.append(f"{info.filename}: cannot tell whose it is")
                continue
            student, raw, filename = found
            if identity.get(student, raw) != raw:           # two people, one sanitised name
                number = 2
                while f"{student}_{number}" in identity and identity[f"{student}_{number}"] != raw:
                    number += 1
                report.renamed.append(f"{raw!r} and {identity[student]!r} both read as {student}: "
                                      f"{raw!r} is {student}_{number}")
                student = f"{student}_{number}"
            identity.setdefault(student, raw)
            per_student.setdefault(student, []).append((info, filename))
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
                data = read_capped(zf, info)
                if data is None:
                    report.ignored.append(f"{info.filename}: unpacks to more than "
                                          f"{MAX_NOTEBOOK_BYTES // (1024 * 1024)} MiB, not a notebook")
                    continue
                folder = course.submitted(student, assignment)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{name}.ipynb").write_bytes(data)
                (folder / "timestamp.txt").write_text(timestamp(info) + "\n")
                report.placed[(student, name)] = info.filename
    return report
