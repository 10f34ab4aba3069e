"""Submissions: find the class's notebooks, read them without following links, stage them.

A class arrives as ``SUBMISSIONS/<student_id>/<lesson>/<lesson>.ipynb``, often unpacked
from archives or an LMS download, so any part of it may be a symbolic link, a hard link,
a FIFO or a device. Nothing here follows one: each folder and the notebook are opened
relative to their parent with ``O_NOFOLLOW``, and the notebook must be a regular file
with one link, no larger than the limit. Anything else is a row with status
``invalid submission`` and the reason, and the notebook is never read. What is read is
parsed, validated and written as a fresh nbformat-4 file into the grader's staging area:
nbgrader only ever sees that copy.
"""

import json
import os
import re
import stat
from pathlib import Path

import nbformat

from nbgrader.utils import parse_utc

from .course import LESSON_IDS, available_lessons, grade_ids
from .tables import (INVALID_NOTEBOOK, INVALID_STUDENT_ID, INVALID_SUBMISSION, MISSING, UNKNOWN_LESSON, WRONG_LESSON,
                     Row)

SAFE_ID = re.compile(r"^[\w.@+-]+$")
NO_FOLLOW = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


class Refused(ValueError):
    """A submission that cannot be graded: ``status`` and a message for the student's row."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _open_at(name, parent_fd, directory):
    """Open ``name`` under ``parent_fd`` without following a link; ``Refused`` if it is not a
    folder (``directory``) or a regular file. A FIFO or device is never opened."""
    kind = _kind(name, parent_fd)  # FileNotFoundError: nothing by that name
    if kind != ("a folder" if directory else "a file"):
        raise Refused(INVALID_SUBMISSION, f"{name} is {kind}, not a {'folder' if directory else 'file'}")
    try:
        return os.open(name, NO_FOLLOW | (os.O_DIRECTORY if directory else 0), dir_fd=parent_fd)
    except OSError as error:  # unreadable, or replaced since it was looked at
        raise Refused(INVALID_SUBMISSION, f"{name} cannot be opened ({error.strerror})") from None


def _kind(name, parent_fd):
    mode = os.stat(name, dir_fd=parent_fd, follow_symlinks=False).st_mode
    return {stat.S_IFLNK: "a symbolic link", stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket",
            stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFREG: "a file",
            stat.S_IFDIR: "a folder"}.get(stat.S_IFMT(mode), "not a regular file")


# What nbgrader's exchange writes beside a collected notebook, and what each must hold: when the
# student submitted, and the random key their feedback page is released under.
TIMESTAMP, SECRET = "timestamp.txt", "submission_secret.txt"
MAX_RECORD_BYTES = 300
HEX = re.compile(r"^[0-9a-f]{1,256}$")


def _open_file(root, student, lesson, name, max_bytes):
    """An open descriptor of ``root/student/lesson/name``, every step checked."""
    fds = [os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)]
    try:
        for folder in (student, lesson):
            fds.append(_open_at(folder, fds[-1], directory=True))
        opened = _open_at(name, fds[-1], directory=False)
    finally:
        for fd in fds:
            os.close(fd)
    info = os.fstat(opened)
    problem = ("is not a regular file" if not stat.S_ISREG(info.st_mode)
               else "is a hard link (it has other names)" if info.st_nlink != 1
               else f"is larger than {max_bytes} bytes" if info.st_size > max_bytes else None)
    if problem:
        os.close(opened)
        raise Refused(INVALID_SUBMISSION, f"{name} {problem}")
    return opened


def _open_notebook(root, student, lesson, max_bytes):
    return _open_file(root, student, lesson, f"{lesson}.ipynb", max_bytes)


def read_exchange_records(root, student, lesson):
    """``{name: text}`` of the exchange's records beside a submission (``timestamp.txt``,
    ``submission_secret.txt``, as ``nbgrader collect`` leaves them); either may be absent.
    ``Refused`` if one is unsafe to read or does not hold what it should."""
    records = {}
    for name, valid in ((TIMESTAMP, _is_time), (SECRET, HEX.match)):
        try:
            fd = _open_file(root, student, lesson, name, MAX_RECORD_BYTES)
        except FileNotFoundError:
            continue
        with os.fdopen(fd, "rb") as handle:
            text = handle.read(MAX_RECORD_BYTES).decode("utf-8", "replace").strip()
        if not valid(text):
            raise Refused(INVALID_SUBMISSION, f"{name} does not hold what nbgrader's exchange writes: {text[:40]!r}")
        records[name] = text
    return records


def _is_time(text):
    try:
        parse_utc(text)
    except Exception:  # dateutil raises several types for text that is not a time
        return False
    return True


def read_notebook(root, student, lesson, max_bytes):
    """The submitted notebook, parsed and validated as nbformat 4; ``Refused`` says why not."""
    try:
        fd = _open_notebook(root, student, lesson, max_bytes)
    except FileNotFoundError:
        raise Refused(MISSING, "no notebook submitted") from None
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Refused(INVALID_SUBMISSION, f"{lesson}.ipynb is larger than {max_bytes} bytes")
    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    except json.JSONDecodeError as error:
        raise Refused(INVALID_NOTEBOOK, f"not a notebook: the file is not valid JSON ({error.msg}, line {error.lineno})")
    except Exception as error:  # nbformat raises several types for unreadable notebooks
        raise Refused(INVALID_NOTEBOOK, f"not a notebook nbformat can read: {error}".splitlines()[0])
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise Refused(INVALID_NOTEBOOK, f"not a valid notebook: {error.message}".splitlines()[0])
    return notebook


def stage(root, student, lesson, staged, max_bytes):
    """Read a submission and write it, normalised, to ``staged``, with the exchange's records beside
    it (nbgrader then records how late it was, and names the feedback page for the exchange);
    return the records (``read_exchange_records``). ``Refused`` says why not."""
    notebook = read_notebook(root, student, lesson, max_bytes)
    check_lesson(notebook, lesson)
    records = read_exchange_records(root, student, lesson)
    demote_duplicate_cells(notebook)
    staged.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, staged)
    for name, text in records.items():
        (staged.parent / name).write_text(text)
    return records


def check_lesson(notebook, lesson):
    """``Refused`` for a notebook with no cells, or one that is another lesson's (it holds none of
    this lesson's graded cells and some of another's): grading it would only say every test failed."""
    if not notebook.cells:
        raise Refused(INVALID_NOTEBOOK, "the notebook has no cells")
    ids = {cell.metadata.get("nbgrader", {}).get("grade_id") for cell in notebook.cells}
    if ids & grade_ids(lesson):
        return
    for other in available_lessons():
        if other != lesson and ids & grade_ids(other):
            raise Refused(WRONG_LESSON, f"this is the notebook of {other}, submitted as {lesson}")


def demote_duplicate_cells(notebook):
    """Keep the first cell of each grade id; later copies become plain cells.

    nbgrader's own DeduplicateIds leaves copies with half their metadata, on which its
    add_missing_cells step fails; a copied test cell must not score twice either way.
    """
    seen = set()
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is None:
            continue
        if grade_id in seen:
            del cell.metadata["nbgrader"]
        seen.add(grade_id)


def refused_row(student, lesson, refusal):
    """The row of a refused submission; an invalid one also says why in ``failures.csv``."""
    failures = [["", str(refusal)]] if refusal.status == INVALID_SUBMISSION else []
    return Row(student, lesson, status=refusal.status, detail=str(refusal), failures=failures)


def find_work(submissions, lessons, max_bytes, students=None):
    """Split the class into (student, lesson) pairs to grade and rows already decided.

    Every student folder gets a row for every requested lesson: its notebook, or status
    ``missing``; a student folder that is a link, or a notebook that cannot be read safely,
    ``invalid submission``. A folder for a lesson the course does not have gets
    ``unknown lesson``, an id nbgrader cannot take ``invalid student id``.
    """
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise NotADirectoryError(f"{submissions} is not a folder of student submissions")
    to_grade, decided = [], []
    with os.scandir(submissions) as entries:
        students_found = sorted((e.name, e.is_symlink()) for e in entries if e.is_symlink() or e.is_dir())
    for student, is_link in students_found:
        if students and student not in students:
            continue
        for lesson in lessons:
            try:
                if is_link:
                    raise Refused(INVALID_SUBMISSION, f"the student folder {student} is a symbolic link")
                os.close(_open_notebook(submissions, student, lesson, max_bytes))
            except Refused as refusal:
                decided.append(refused_row(student, lesson, refusal))
            except FileNotFoundError:
                decided.append(Row(student, lesson, status=MISSING, detail=_missing_detail(submissions, student, lesson)))
            else:
                if SAFE_ID.match(student):
                    to_grade.append((student, lesson))
                else:
                    decided.append(Row(student, lesson, status=INVALID_STUDENT_ID,
                                       detail="student ids may hold letters, digits and . _ @ + - only"))
        if not is_link:
            for extra in sorted(p for p in (submissions / student).iterdir()
                                if not p.is_symlink() and p.is_dir() and p.name not in LESSON_IDS):
                decided.append(Row(student, extra.name, status=UNKNOWN_LESSON,
                                   detail=f"the course has no lesson {extra.name!r}"))
    return to_grade, decided


def _missing_detail(submissions, student, lesson):
    folder = submissions / student / lesson
    others = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() and not folder.is_symlink() else []
    return f"found {', '.join(others)} instead of {lesson}.ipynb" if others else "no notebook submitted"
