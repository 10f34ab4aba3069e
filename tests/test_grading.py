"""Grading a class: pathological submissions get a status and lose only what they broke,
the well-behaved students beside them keep full marks, and nothing else is touched."""

import csv
import hashlib
import html
import json
import re
import sqlite3

import nbformat
import pytest
from conftest import hidden_lines
from nbformat.v4 import new_code_cell

from autograder import grade, synthetic, tables
from autograder.course import LESSONS, SOLUTIONS, available_lessons, solution_notebook

pytestmark = pytest.mark.slow

LESSON = "01_computation_graphs"
LIMITS = grade.Limits(cell_timeout=5, notebook_timeout=25, memory_mb=1536, max_output_bytes=2**20)

IGNORE_SIGINT_AND_LOOP = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"


def with_cell(code, position):
    """A complete submission with a student's own cell inserted after ``position`` cells
    (``None``: at the end)."""
    notebook = synthetic.complete(LESSON, lean=True)
    setup = next(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    index = len(notebook.cells) if position is None else setup + 1
    notebook.cells.insert(index, new_code_cell(code))
    return notebook


def deleted_test_cell():
    notebook = synthetic.complete(LESSON, lean=True)
    first_test = next(i for i, c in enumerate(notebook.cells)
                      if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_"))
    del notebook.cells[first_test]
    return notebook


def duplicated_cells():
    notebook = synthetic.complete(LESSON, lean=True)
    notebook.cells = notebook.cells + [c.copy() for c in notebook.cells if c.cell_type == "code"]
    return notebook


# student -> (notebook or raw text, expected status, expected score: "full", "zero" or "some")
PATHOLOGICAL = {
    "good_1": (lambda: synthetic.complete(LESSON, lean=True), "graded", "full"),
    "good_2": (lambda: synthetic.complete(LESSON), "graded", "full"),
    # An interrupted loop costs only its cell; one that ignores the interrupt leaves no kernel
    # for the hidden tests, which run after every other cell.
    "loops_at_end": (lambda: with_cell("while True:\n    pass", None), "timeout", "full"),
    "loops_at_end_ignoring_interrupts": (lambda: with_cell(IGNORE_SIGINT_AND_LOOP, None), "timeout", "zero"),
    "loops_at_start": (lambda: with_cell(IGNORE_SIGINT_AND_LOOP, 0), "timeout", "zero"),
    "exits_kernel": (lambda: with_cell("import os\nos._exit(3)", 0), "kernel died", "zero"),
    "calls_sys_exit": (lambda: with_cell("import sys\nsys.exit(1)", 0), "graded", "full"),
    "eats_memory": (lambda: with_cell("hog = bytearray(10 * 2**30)", None), "memory limit", "full"),
    "floods_output": (lambda: with_cell("for i in range(40000):\n    print('x' * 100)", None), "output capped", "full"),
    "not_json": (lambda: "{this is not a notebook", "invalid notebook", "zero"),
    "nbformat_3": (lambda: nbformat.convert(synthetic.complete(LESSON, lean=True), 3), "graded", "full"),
    "deleted_test_cell": (deleted_test_cell, "graded", "full"),
    "duplicated_cells": (duplicated_cells, "graded", "full"),
}


def write(submissions, student, content):
    path = submissions / student / LESSON / f"{LESSON}.ipynb"
    path.parent.mkdir(parents=True)
    if isinstance(content, str):
        path.write_text(content)
    elif content.get("nbformat") == 3:
        path.write_text(json.dumps(content))
    else:
        nbformat.write(content, path)


def tree_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def pathological(tmp_path_factory):
    root = tmp_path_factory.mktemp("pathological")
    submissions = root / "submitted"
    for student, (build, _, _) in PATHOLOGICAL.items():
        write(submissions, student, build())
    (submissions / "empty_folder").mkdir()
    (submissions / "unknown_lesson" / "99_not_a_lesson").mkdir(parents=True)
    write(submissions, "odd id!", synthetic.complete(LESSON, lean=True))
    before = tree_digest(SOLUTIONS), tree_digest(LESSONS)
    rows = grade.grade(submissions, root / "out", lessons=[LESSON], jobs=2, limits=LIMITS)
    after = tree_digest(SOLUTIONS), tree_digest(LESSONS)
    return {(r.student_id, r.assignment_id): r for r in rows}, root, before == after


@pytest.mark.parametrize("student", sorted(PATHOLOGICAL))
def test_each_submission_gets_its_status_and_score(pathological, student):
    rows, _, _ = pathological
    row = rows[student, LESSON]
    _, status, score = PATHOLOGICAL[student]
    # A complete answer's written answers wait for the instructor: every test point, no final score yet.
    assert row.status == status or (status == "graded" and row.status in tables.SCORED), f"{student}: {row.status} ({row.detail})"
    assert row.max_score > 0
    expected = {"full": row.scored_max, "zero": 0}[score]
    assert row.score == expected, f"{student}: {row.score} / {row.max_score}, failures {row.failures}"


def test_folders_without_a_gradable_notebook_get_rows(pathological):
    rows, _, _ = pathological
    assert rows["empty_folder", LESSON].status == "missing"
    assert rows["unknown_lesson", LESSON].status == "missing"
    assert rows["unknown_lesson", "99_not_a_lesson"].status == "unknown lesson"
    assert rows["odd id!", LESSON].status == "invalid student id"


def test_grading_writes_nothing_into_the_course(pathological):
    _, _, untouched = pathological
    assert untouched, "grading changed a file under solutions/ or lessons/"


def test_tables_and_feedback(pathological):
    rows, root, _ = pathological
    out = root / "out"
    with open(out / "grades.csv", newline="") as handle:
        grades = list(csv.DictReader(handle))
    assert list(grades[0]) == tables.GRADE_COLUMNS
    assert {(g["student_id"], g["assignment_id"]) for g in grades} == set(rows)
    with open(out / "cells.csv", newline="") as handle:
        cells = list(csv.DictReader(handle))
    good = [c for c in cells if c["student_id"] == "good_1"]
    # Every test's points; a written answer has no score until the instructor grades it.
    assert good and all(c["score"] == c["max_score"] for c in good if not c["grade_id"].startswith("written_"))
    assert all(c["score"] == "" for c in good if c["grade_id"].startswith("written_"))
    assert sum(float(c["max_score"]) for c in good) == rows["good_1", LESSON].max_score
    for student in ("good_1", "exits_kernel", "loops_at_start"):
        assert (out / "feedback" / student / LESSON / f"{LESSON}.html").is_file()


def test_regrading_one_student_replaces_only_that_row(pathological):
    rows, root, _ = pathological
    out = root / "out"
    before = (out / "grades.csv").read_text().splitlines()
    stub = root / "submitted" / "good_1" / LESSON / f"{LESSON}.ipynb"
    nbformat.write(synthetic.stubs(LESSON), stub)
    grade.grade(root / "submitted", out, lessons=[LESSON], students=["good_1"], jobs=1, limits=LIMITS)
    after = (out / "grades.csv").read_text().splitlines()
    changed = sorted(set(before) ^ set(after))
    assert len(before) == len(after)
    assert changed == sorted([line for line in before if line.startswith("good_1,")] +
                             [line for line in after if line.startswith("good_1,")])
    assert any(line.startswith(f"good_1,{LESSON},0,") for line in after)


def test_feedback_shows_no_hidden_test(graded_corpus):
    _, out = graded_corpus
    for lesson in available_lessons():
        hidden = hidden_lines(nbformat.read(solution_notebook(lesson), as_version=4), min_length=12)
        assert hidden, f"{lesson}: no hidden test lines to look for"
        pages = list((out / "feedback").glob(f"*/{lesson}/{lesson}.html"))
        assert pages, f"{lesson}: no feedback pages"
        for page in pages:
            # The page's text as a reader sees it: no tags (code is split into highlighted
            # spans), entities decoded. Lines the student wrote themselves are no leak.
            text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
            student = page.parent.parent.name
            submitted = (out / "work" / "submitted" / student / lesson / f"{lesson}.ipynb").read_text()
            leaked = [line for line in hidden if line in text and json.dumps(line)[1:-1] not in submitted]
            assert not leaked, f"{page}: shows hidden test lines {leaked[:3]}"


def test_parallel_and_serial_grading_agree_cell_by_cell(tmp_path):
    submissions = tmp_path / "submitted"
    synthetic.write_submission(submissions, "complete", LESSON, synthetic.complete(LESSON, lean=True))
    synthetic.write_submission(submissions, "stubs", LESSON, synthetic.stubs(LESSON))
    for variant in synthetic.corpus(LESSON, "wrong")[:4]:
        synthetic.write_submission(submissions, variant.name, LESSON, synthetic.with_variant(variant))
    grade.grade(submissions, tmp_path / "serial", lessons=[LESSON], jobs=1)
    grade.grade(submissions, tmp_path / "parallel", lessons=[LESSON], jobs=2)
    for table in ("grades.csv", "cells.csv"):
        assert (tmp_path / "serial" / table).read_text() == (tmp_path / "parallel" / table).read_text()


def test_report_names_what_the_class_got_wrong(graded_corpus):
    from autograder import report

    _, out = graded_corpus
    page = report.write_report(out).read_text()
    fractions, functions = report.summarise(out)
    for lesson in available_lessons():
        assert lesson in page
        assert f"alt='score distribution of {lesson}'" in page  # the chart, inside the page
        worst = functions[lesson][0]
        # Every lesson's corpus breaks some function for some students, and the report says how.
        assert worst["lost"] > 0 and worst["message"], f"{lesson}: {worst}"
        assert f"<code>{worst['function']}</code>" in page


def test_the_course_gradebook_is_the_one_nbgrader_makes(pathological, tmp_path):
    """prepare_gradebook starts the gradebook itself (nbgrader would run the ``alembic`` command
    for its revision): same tables, same revision, as nbgrader's own."""
    from nbgrader.api import Gradebook

    def schema(path):
        with sqlite3.connect(path) as connection:
            return (sorted(connection.execute("SELECT type, name, sql FROM sqlite_master")),
                    connection.execute("SELECT version_num FROM alembic_version").fetchall())

    _, root, _ = pathological
    Gradebook(f"sqlite:///{tmp_path / 'nbgraders.db'}").close()
    assert schema(root / "out" / "gradebook.db") == schema(tmp_path / "nbgraders.db")
