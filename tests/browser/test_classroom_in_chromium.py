"""The classroom's whole loop on a real JupyterHub, in a real browser.

The hub starts as `make classroom` starts it (``python -m autograder classroom``), on a free
port, its state in a temporary folder, with the roster of etc/classroom/. Then, as a course
goes: the instructor releases lesson 01 with nbgrader's commands in the instructor's
configuration; two students log in through the hub's login page, fetch the lesson in the
Assignment List, answer (one right, one wrong) and submit with its button, the second after
the due date; the instructor collects, grades with `grade`, and releases feedback; each
student fetches their feedback in the Assignment List and opens their own page. Formgrader
lists both submissions with the scores of grades.csv; the instructor grades a written
answer there, re-grades one student without losing it, and the LMS exports carry the late
penalty and the written answer. A screenshot of each step goes to test-artifacts/screenshots/.
"""

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest

from autograder import classroom, synthetic
from autograder.course import ROOT
from chromium import SCREENSHOTS, browser  # noqa: F401 (browser: a fixture)
from test_jupyterlab import free_port

pytestmark = pytest.mark.slow

LESSON = "01_computation_graphs"
RIGHT, WRONG = "ada", "alan"       # two students of etc/classroom/roster.csv
HUB_START_TIMEOUT = 120            # seconds
PAGE_TIMEOUT = 120_000             # ms: a server spawns, a lab loads, an exchange command runs


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """The classroom's hub, running; its settings say where its state is."""
    base = tmp_path_factory.mktemp("classroom")
    settings = base / "classroom.toml"
    defaults = (ROOT / "etc" / "classroom" / "classroom.toml").read_text()
    settings.write_text(re.sub(r'(?m)^(state|port) = .*$',
                               lambda m: f'state = "{base / "state"}"' if m[1] == "state" else f"port = {free_port()}",
                               defaults))
    room = classroom.load(settings)
    if not classroom.PROXY.exists():
        pytest.fail(f"the hub's proxy is not installed: {classroom.INSTALL_PROXY}")
    log = base / "hub.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen([sys.executable, "-m", "autograder", "classroom", "--settings", str(settings)],
                                   cwd=ROOT, stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        wait_for_hub(room, process, log)
        yield room
    finally:
        os.killpg(process.pid, signal.SIGTERM)   # the hub stops its servers and its proxy
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_for_hub(room, process, log):
    deadline = time.monotonic() + HUB_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the hub exited with code {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{room.url}/hub/api", timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"the hub did not answer within {HUB_START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"classroom-{name}.png")


def log_in(browser, room, account):  # noqa: F811 (browser: the fixture)
    """A browser of its own for ``account``, logged in through the hub's login page, in its lab."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT)
    page = context.new_page()
    page.goto(f"{room.url}/hub/login")
    page.fill("#username_input", account)
    page.fill("#password_input", room.password)
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{account}/lab"), timeout=PAGE_TIMEOUT)
    page.locator(".jp-LabShell").wait_for()
    return page


def click_in_list(page, section, label):
    """Click ``label`` (Fetch, Submit, Fetch Feedback) on the lesson's row of a list of the Assignment List."""
    row = page.locator(f"#{section} .list_item", has_text=LESSON).first
    row.locator("button", has_text=re.compile(rf"^{label}$")).click()


def answer(room, student, notebook):
    """The student's answer, saved over the fetched lesson in their home folder."""
    path = room.home(student) / LESSON / f"{LESSON}.ipynb"
    assert path.exists(), f"{student} has no fetched {LESSON}"
    nbformat.write(notebook, path)


def wrong_answer():
    variant = next(v for v in synthetic.corpus(LESSON, "wrong") if v.name == "add_backward_splits_half")
    return synthetic.with_variant(variant, lean=False)


def instructor(room, *args):
    """``nbgrader ARGS`` in the instructor's course folder and configuration."""
    return classroom.instructor_nbgrader(*args, room=room)


def grade(room, *args):
    return subprocess.run([sys.executable, "-m", "autograder", "grade", "submitted", "--out", ".",
                           "--assignment", LESSON, *args], cwd=room.course_root,
                          env=classroom.instructor_environment(room), capture_output=True, text=True, check=True)


def rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def submit(page, student):
    page.locator("#refresh_assignments_list").click()
    click_in_list(page, "fetched_assignments_list", "Submit")
    page.locator("#submitted_assignments_list .list_item", has_text=LESSON).first.wait_for()
    shot(page, f"3-{student}-submitted")


def test_the_whole_loop(browser, room):  # noqa: F811 (browser: the fixture)
    # The instructor releases the lesson, due in a day.
    due = datetime.now(timezone.utc) + timedelta(days=1)
    instructor(room, "db", "assignment", "add", LESSON, f"--duedate={due.isoformat()}")
    instructor(room, "release_assignment", LESSON)

    pages = {}
    for student, notebook in ((RIGHT, synthetic.complete(LESSON)), (WRONG, wrong_answer())):
        page = pages[student] = log_in(browser, room, student)
        shot(page, f"1-{student}-lab")
        # The student view: no formgrader, no Create Assignment.
        page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
        items = page.locator(".lm-Menu-item .lm-Menu-itemLabel").all_inner_texts()
        assert "Assignment List" in items and not any("Formgrader" in item for item in items), items
        assert page.locator("#nbgrader-create_assignemnt").count() == 0   # nbgrader's id, misspelt upstream
        assert "course-validate-spin" in page.request.get(f"{room.url}/user/{student}/custom/custom.css").text()
        page.locator(".lm-Menu-item", has_text="Assignment List").click()
        page.locator("#released_assignments_list").wait_for()
        click_in_list(page, "released_assignments_list", "Fetch")
        page.locator("#fetched_assignments_list .list_item", has_text=LESSON).first.wait_for()
        shot(page, f"2-{student}-fetched")
        answer(room, student, notebook)
    submit(pages[RIGHT], RIGHT)
    # The due date passes between the two submissions.
    instructor(room, "db", "assignment", "add", LESSON, f"--duedate={datetime.now(timezone.utc).isoformat()}")
    time.sleep(1)
    submit(pages[WRONG], WRONG)

    # The instructor collects and grades, then releases the feedback.
    instructor(room, "collect", LESSON)
    for student in (RIGHT, WRONG):
        assert (room.course_root / "submitted" / student / LESSON / "timestamp.txt").exists()
    graded = grade(room)
    grades = {row["student_id"]: row for row in rows(room.course_root / "grades.csv")}
    assert grades[RIGHT]["status"] == "written answers to grade" and grades[RIGHT]["seconds_late"] == "", graded.stdout
    assert int(grades[WRONG]["seconds_late"]) > 0 and float(grades[WRONG]["late_penalty"]) == 1.0, graded.stdout
    assert re.search(rf"(?m)^{WRONG} .* \(late \d+ s, −1 point\)$", graded.stdout), graded.stdout
    assert float(grades[WRONG]["score"]) < float(grades[RIGHT]["score"])
    instructor(room, "release_feedback", LESSON)

    # Each student fetches and opens their own feedback, and only theirs.
    for student in (RIGHT, WRONG):
        page = pages[student]
        page.locator("#refresh_assignments_list").click()
        click_in_list(page, "submitted_assignments_list", "Fetch Feedback")
        feedback = room.home(student) / LESSON / "feedback"
        deadline = time.monotonic() + PAGE_TIMEOUT / 1000
        while not list(feedback.glob(f"*/{LESSON}.html")) and time.monotonic() < deadline:
            time.sleep(0.5)
        pages_fetched = list(feedback.glob(f"*/{LESSON}.html"))
        assert len(pages_fetched) == 1, f"{student} fetched {pages_fetched}"
        relative = pages_fetched[0].relative_to(room.home(student)).as_posix()
        page.goto(f"{room.url}/user/{student}/files/{relative}")
        text = page.locator("body").inner_text()
        shot(page, f"4-{student}-feedback")
        assert f"Score: {float(grades[student]['score']):.1f} / {float(grades[student]['max_score']):.1f}" in text
        assert ("late penalty took 1 point off" in text) == (student == WRONG), text[:1500]
    assert (room.home(WRONG) / LESSON / "feedback").exists() and not list(room.home(RIGHT).glob(f"**/{WRONG}*"))
    right_page = next((room.home(RIGHT) / LESSON / "feedback").glob(f"*/{LESSON}.html")).read_text()
    wrong_page = next((room.home(WRONG) / LESSON / "feedback").glob(f"*/{LESSON}.html")).read_text()
    assert right_page != wrong_page and "add_backward" in wrong_page

    # Formgrader, in the instructor's server, lists both with the scores of grades.csv (formgrader's
    # before the late penalty, which grades.csv has in a column of its own).
    teacher = log_in(browser, room, room.instructor)
    teacher.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
    assert "Formgrader" in teacher.locator(".lm-Menu-item .lm-Menu-itemLabel").all_inner_texts()
    assert teacher.locator("#nbgrader-create_assignemnt").count() == 1
    teacher.keyboard.press("Escape")
    teacher.goto(f"{room.url}/user/{room.instructor}/formgrader/manage_submissions/{LESSON}")
    teacher.locator("tr", has_text=WRONG).first.wait_for()
    shot(teacher, "5-formgrader-submissions")
    listed = teacher.request.get(f"{room.url}/user/{room.instructor}/formgrader/api/submissions/{LESSON}").json()
    listed = {s["student"]: s for s in listed}
    for student in (RIGHT, WRONG):
        assert abs(listed[student]["score"] - float(grades[student]["score"]) - float(grades[student]["late_penalty"])) < 1e-9

    # The instructor grades one written answer of the right student in formgrader.
    api = f"{room.url}/user/{room.instructor}/formgrader/api"
    notebook_id = next(n["id"] for n in teacher.request.get(f"{api}/submitted_notebooks/{LESSON}/{LESSON}").json()
                       if n["student"] == RIGHT)
    written = [g for g in teacher.request.get(f"{api}/grades?submission_id={notebook_id}").json()
               if g["name"].startswith("written_")]
    teacher.goto(f"{room.url}/user/{room.instructor}/formgrader/submissions/{notebook_id}/?index=0")
    given = written[0]["max_score"]
    box = teacher.locator(f"input.score#{written[0]['name']}")   # formgrader's score box of that answer
    box.scroll_into_view_if_needed()
    box.fill(f"{given:g}")
    box.press("Tab")                             # formgrader saves a score when its box changes
    shot(teacher, "6-formgrader-written-answer")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        marked = [g for g in teacher.request.get(f"{api}/grades?submission_id={notebook_id}").json()
                  if g["name"].startswith("written_") and g["manual_score"] is not None]
        if marked:
            break
        time.sleep(0.5)
    assert [g["manual_score"] for g in marked] == [given], marked

    # Re-grading the other student keeps that manual grade; the LMS exports carry it and the penalty.
    grade(room, "--student", WRONG)
    kept = teacher.request.get(f"{api}/grade/{marked[0]['id']}").json()
    assert kept["manual_score"] == given
    canvas = {row["SIS Login ID"]: row for row in rows(room.course_root / "canvas.csv") if row["SIS Login ID"]}
    final = {row["student_id"]: row for row in rows(room.course_root / "grades.csv")}
    assert float(canvas[WRONG][LESSON]) == float(final[WRONG]["score"])
    assert float(canvas[RIGHT][LESSON]) == float(final[RIGHT]["score"]) + given
    moodle = {row["Username"]: row for row in rows(room.course_root / "moodle.csv")}
    assert float(moodle[RIGHT][LESSON]) == float(canvas[RIGHT][LESSON])
    shutil.copy(room.course_root / "canvas.csv", SCREENSHOTS / "classroom-canvas.csv")
