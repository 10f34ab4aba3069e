"""The classroom without a browser: the course's policies, the LMS exports, and one class through
nbgrader's real exchange (fetch, submit, collect, release_feedback, fetch_feedback, each run
as the student's or the instructor's server runs it) with every kind of bad input."""

import csv
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest

from autograder import classroom, synthetic
from autograder.course import ROOT
from autograder.policy import HOUR, LatePenalty, Roster, course_config

LESSON, OTHER = "01_computation_graphs", "02_jacobians"


@pytest.mark.parametrize("method, seconds_late, penalty", [
    ("none", 5 * HOUR, None),
    ("zero", 60, 18.0),
    ("per_hour", 1, 1.5),              # an hour or part of one
    ("per_hour", 2 * HOUR + 1, 4.5),
    ("per_hour", 11 * HOUR, 16.5),
    ("per_hour", 13 * HOUR, 18.0),     # never more than the score
    ("per_hour", 49 * HOUR, 18.0),     # past the cutoff
    ("cutoff", 47 * HOUR, 0.0),
    ("cutoff", 49 * HOUR, 18.0),
])
def test_late_penalty(method, seconds_late, penalty):
    plugin = LatePenalty(penalty_method=method, points_per_hour=1.5, cutoff_hours=48)
    assert plugin.late_submission_penalty("ada", 18.0, seconds_late) == penalty


def test_course_config_is_nbgrader_s_with_the_folder_s_own_last(tmp_path, monkeypatch):
    shared, course = tmp_path / "shared", tmp_path / "course"
    for folder, method in ((shared, "zero"), (course, "per_hour")):
        folder.mkdir()
        (folder / "nbgrader_config.py").write_text(f"c = get_config()\nc.LatePenalty.penalty_method = '{method}'\n"
                                                   "c.Roster.required = True\n")
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(shared))
    assert LatePenalty(config=course_config(tmp_path)).penalty_method == "zero"
    config = course_config(course)
    assert LatePenalty(config=config).penalty_method == "per_hour" and Roster(config=config).required


# --- one class through the exchange -----------------------------------------------------------

@pytest.fixture(scope="module")
def room(tmp_path_factory):
    base = tmp_path_factory.mktemp("classroom")
    roster = base / "roster.csv"
    roster.write_text((ROOT / "etc" / "classroom" / "roster.csv").read_text()
                      + "edsger,Edsger,Dijkstra,edsger@example.edu,1004\nbarbara,Barbara,Liskov,barbara@example.edu,1005\n")
    settings = base / "classroom.toml"
    values = (ROOT / "etc" / "classroom" / "classroom.toml").read_text()
    settings.write_text(re.sub(r'(?m)^roster = .*$', f'roster = "{roster}"',
                               re.sub(r'(?m)^state = .*$', f'state = "{base / "state"}"', values)))
    room = classroom.load(settings)
    classroom.prepare(room)
    return room


def as_student(room, student, *args):
    """``nbgrader ARGS`` as the student's server runs it: their home, the student configuration."""
    env = {**os.environ, **room.server_environment(student), "JUPYTERHUB_USER": student, "HOME": str(room.home(student))}
    room.home(student).mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=room.home(student), env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def hand_in(room, student, notebook):
    """The student fetches the lesson, puts ``notebook`` in its place (or leaves the file as it is
    when ``notebook`` is bytes: an unreadable file) and submits."""
    path = room.home(student) / LESSON / f"{LESSON}.ipynb"
    if not path.exists():
        as_student(room, student, "fetch_assignment", LESSON)
    if isinstance(notebook, bytes):
        path.write_bytes(notebook)
    else:
        nbformat.write(notebook, path)
    as_student(room, student, "submit", LESSON)
    time.sleep(1.1)  # the exchange's timestamps tell submissions apart by the second


def table(path, key):
    with open(path, newline="") as handle:
        return {row[key]: row for row in csv.DictReader(handle) if row[key]}


def wrong(name):
    return synthetic.with_variant(next(v for v in synthetic.corpus(LESSON, "wrong") if v.name == name))


def written_answers_left_blank(notebook):
    """``notebook`` with its written answers as handed out: they score 0, and nothing waits for the instructor."""
    handed_out = {cell.id: cell.source for cell in synthetic.stubs(LESSON).cells}
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith("written_"):
            cell.source = handed_out[cell.id]
    return notebook


@pytest.fixture(scope="module")
def graded(room):
    """The class, handed in through the exchange, collected and graded by the instructor."""
    due = datetime.now(timezone.utc) + timedelta(days=1)
    classroom.instructor_nbgrader("db", "assignment", "add", LESSON, f"--duedate={due.isoformat()}", room=room)
    classroom.instructor_nbgrader("release_assignment", LESSON, room=room)
    hand_in(room, "ada", wrong("add_backward_splits_half"))   # first try ...
    hand_in(room, "ada", synthetic.complete(LESSON, lean=True))  # ... and the one that counts
    hand_in(room, "grace", synthetic.stubs(OTHER))           # lesson 02's notebook under lesson 01's name
    hand_in(room, "mallory", synthetic.complete(LESSON, lean=True))  # not on the roster
    hand_in(room, "edsger", nbformat.v4.new_notebook())     # a notebook with no cells
    hand_in(room, "barbara", b'{"cells": [')                # not a notebook at all
    classroom.instructor_nbgrader("db", "assignment", "add", LESSON,
                                  f"--duedate={datetime.now(timezone.utc).isoformat()}", room=room)
    time.sleep(1.1)
    hand_in(room, "alan", written_answers_left_blank(wrong("max_backward_routes_to_loser")))
    classroom.instructor_nbgrader("collect", LESSON, room=room)
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", "submitted", "--out", ".",
                           "--assignment", LESSON], cwd=room.course_root, env=classroom.instructor_environment(room),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
def test_each_submission_gets_its_status(room, graded):
    grades = table(room.course_root / "grades.csv", "student_id")
    failures = table(room.course_root / "failures.csv", "student_id")
    assert grades["ada"]["status"] == "written answers to grade" and "ada" not in failures   # her last try
    assert grades["ada"]["seconds_late"] == "" and grades["ada"]["late_penalty"] == "0"
    assert grades["alan"]["status"] == "late" and int(grades["alan"]["seconds_late"]) >= 1
    assert float(grades["alan"]["late_penalty"]) == 1.0   # the classroom's policy: 1 point per hour
    assert grades["grace"]["status"] == "wrong lesson"
    assert grades["mallory"]["status"] == "not on roster"
    assert grades["edsger"]["status"] == "invalid notebook" and "no cells" in graded
    assert grades["barbara"]["status"] == "invalid notebook" and "does not appear to be JSON" in graded
    assert re.search(r"(?m)^grace .*wrong lesson \(this is the notebook of 02_jacobians, submitted as "
                     r"01_computation_graphs\)$", graded), graded


@pytest.mark.slow
def test_nothing_is_lost(room, graded):
    inbound = sorted(p.name for p in (room.exchange / room.course_id / "inbound").iterdir())
    assert len([name for name in inbound if name.startswith(f"ada+{LESSON}+")]) == 2   # both tries kept
    submitted = room.course_root / "submitted"
    assert (submitted / "mallory" / LESSON / f"{LESSON}.ipynb").exists()   # waits until mallory is enrolled
    collected = (submitted / "ada" / LESSON / "timestamp.txt").read_text()
    last = max(name for name in inbound if name.startswith(f"ada+{LESSON}+")).split("+")[2]
    assert collected == last, (collected, inbound)                         # collect takes the last try


@pytest.mark.slow
def test_lms_exports_carry_the_roster_and_the_late_penalty(room, graded):
    grades = table(room.course_root / "grades.csv", "student_id")
    canvas = table(room.course_root / "canvas.csv", "SIS Login ID")
    assert sorted(canvas) == ["ada", "alan", "barbara", "edsger", "grace"]   # the roster, not mallory
    assert canvas["ada"]["ID"] == "1001" and canvas["ada"]["Student"] == "Lovelace, Ada"
    assert float(canvas["alan"][LESSON]) == float(grades["alan"]["score"])
    assert float(canvas["grace"][LESSON]) == 0.0
    points = next(csv.reader(open(room.course_root / "canvas.csv")))
    assert points[5:] == [LESSON, "Backprop Lab total"]
    moodle = table(room.course_root / "moodle.csv", "Username")
    assert {name: row[LESSON] for name, row in moodle.items()} == {name: row[LESSON] for name, row in canvas.items()}
    assert moodle["alan"]["Email address"] == "alan@example.edu"


@pytest.mark.slow
def test_each_student_fetches_only_their_own_feedback(room, graded):
    classroom.instructor_nbgrader("release_feedback", LESSON, room=room)
    for student in ("ada", "alan"):
        as_student(room, student, "fetch_feedback", LESSON)
    pages = {student: list((room.home(student) / LESSON / "feedback").glob(f"*/{LESSON}.html"))
             for student in ("ada", "alan")}
    assert len(pages["ada"]) == 1 and len(pages["alan"]) == 1, pages
    assert "late penalty took 1 point off" in pages["alan"][0].read_text()
    assert "late penalty" not in pages["ada"][0].read_text()
    assert not (room.home("grace") / LESSON / "feedback").exists()   # refused: nothing to fetch
