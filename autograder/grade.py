"""Grade: the entry point that grades a whole class into one gradebook, tables and pages.

It finds the submissions (``submissions``), prepares the course gradebook and the run's
shared state, starts the run's kernel fork server (``forkserver``) and cgroups
(``limits.Quota``), and hands each (student, lesson) to a forked grading worker
(``pool``), which runs ``autograde.grade_submission``; or, given a Dask scheduler, hands
batches of them to that cluster's workers (``cluster``). It collects the workers' rows into
the tables (``tables``). A submission that cannot be graded is a row with its status; the
rest of the class is graded. The course's own settings (``policy``: late penalties, the roster)
come from its nbgrader configuration. If the sandbox that worked when the run started stops
working, grading stops (``GradingStopped``) rather than going on without it.

Layout of ``OUT``::

    gradebook.db  grades.csv  cells.csv  failures.csv  timings.csv  run.json
    canvas.csv  moodle.csv   the gradebook as an LMS imports it (``lms``)
    autograded/<student>/<lesson>/   feedback/<student>/<lesson>/<lesson>.html
    work/        the grader's own: staged submissions, released lessons, worker logs and results
"""

import gc
import importlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from nbgrader.api import Gradebook

from . import cluster, feedback, forkserver, judge, lms, overrides, policy, release, submissions
from .autograde import SANDBOX_FAILED, gradebook_path, grade_submission
from .course import available_lessons, teaching_cell_ids
from .limits import GradingError, Limits, Quota, tmpfs_works
from .pool import run_pool
from .tables import GRADER_ERROR, NOT_ON_ROSTER, TIMEOUT, Row, write_tables

__all__ = ["grade", "Limits", "GradingError", "GradingStopped"]


class GradingStopped(GradingError):
    """The sandbox stopped working during the run: ``rows`` say who was graded and who not."""

    def __init__(self, message, rows):
        super().__init__(message)
        self.rows = rows


def prepare_gradebook(out, lessons):
    """Record the lessons in the course gradebook, which every worker then writes to; return
    each lesson's points and the released notebooks.

    SQLite in write-ahead-log mode lets the workers' short writes take turns while readers
    go on; each worker's autograde is nbgrader's own, writing its own student's rows. The
    students are added before a batch (``Session.grade_batch``), once, because two workers
    grading two lessons of one student would otherwise both try to create that student.
    """
    work = out / "work"
    for folder in ("submitted", "templates"):
        shutil.rmtree(work / folder, ignore_errors=True)
        (work / folder).mkdir(parents=True)
    course = gradebook_path(out)
    new = not course.exists()
    with sqlite3.connect(course) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        if new:
            overrides.stamp_new_gradebook(connection)  # nbgrader then runs no alembic command
    released = release.generate(lessons, work / "release", course, out)
    with Gradebook(f"sqlite:///{course}") as gradebook:
        return {lesson: gradebook.find_assignment(lesson).max_score for lesson in lessons}, released


class Progress:
    """A progress bar on a terminal; a plain line every few seconds otherwise."""

    def __init__(self, total, stream=sys.stderr, every=5.0):
        self.total, self.stream, self.every = total, stream, every
        self.done, self.started, self.last_line = 0, time.monotonic(), 0.0
        self.tty = stream.isatty()

    def advance(self, row):
        self.done += 1
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        figures = f"{self.done}/{self.total} notebooks  {rate:.2f}/s  ETA {eta:4.0f} s"
        if self.tty:
            filled = int(30 * self.done / max(self.total, 1))
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {figures}  {row.student_id[:20]:<20}")
            if self.done == self.total:
                self.stream.write("\n")
        elif self.done == self.total or elapsed - self.last_line >= self.every:
            self.last_line = elapsed
            self.stream.write(f"graded {figures}\n")
        self.stream.flush()


def describe_run(limits, mechanisms):
    """What protects this run, for its first lines and for the report (``OUT/run.json``):
    ``mechanisms`` says in a sentence what holds each sandbox to ``limits``."""
    warnings = []
    if limits.isolation == "none":
        warnings.append("no sandbox (bubblewrap is not installed, or --isolation none): student code can read "
                        "every file the grader can, solutions/ and the gradebook included")
    return dict(isolation=limits.isolation, limits=mechanisms, warnings=warnings)


# What every worker would otherwise import for itself: the hidden tests' random generators,
# jupyter_client's kernel specs, the feedback page's markdown and template extensions.
WORKER_PRELOAD = ("numpy.random", "ipykernel.kernelspec", "jinja2.ext", "mistune.plugins.def_list",
                  "mistune.plugins.task_lists", "mistune.plugins.url")


# Submissions a grading worker grades before a fresh fork takes its place: its first pays for
# compiling nbgrader's queries and the page's templates, the next ones reuse them; whatever else a
# worker keeps (its database connection, memory the submissions left behind) lives no longer than this.
NOTEBOOKS_PER_WORKER = 25


class Session:
    """What the submissions graded in one process share: the course gradebook of ``out`` with
    its lessons, the kernels' fork server, the cgroups, a scratch root and the cells not run.
    Entered once, it grades any number of batches (``grade_batch``): ``grade`` runs one batch,
    a Dask worker's grading agent (``cluster``) one per task.
    """

    def __init__(self, out, lessons, limits, every_cell=False, late=None):
        self.out, self.lessons, self.limits, self.late = out, lessons, limits, late
        # Started first: the template imports what kernels need while this process releases the lessons.
        self._template = forkserver.Template()
        try:
            self.max_scores, released = prepare_gradebook(out, lessons)
            feedback.remember(released)  # the lessons' prose rendered once, for every page
            self.skip_cells = {lesson: () if every_cell else teaching_cell_ids(lesson) for lesson in lessons}
        except BaseException:
            self._template.stop()
            raise
        self.quota, self.jobs_started = Quota(limits), 0

    def __enter__(self):
        for lesson in self.lessons:
            judge.remember(lesson)  # the reference loaded and its own answers judged once, for every worker
        for module in WORKER_PRELOAD:
            importlib.import_module(module)
        tmpfs_works()  # probed once, in a fork of its own, here rather than in every worker
        # What is loaded by now (nbgrader, the references, the templates) lives as long as the run:
        # frozen, the workers' garbage collector no longer walks it, and their pages stay shared.
        gc.collect()
        gc.freeze()
        self.scratch_root = Path(tempfile.mkdtemp(prefix="backprop-run-"))  # short: kernels' sockets live under it
        try:
            self.kernels = self._template.ready()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, *error):
        self._close()

    def _close(self):
        self._template.stop()
        gc.unfreeze()
        self.quota.remove()
        shutil.rmtree(self.scratch_root, ignore_errors=True)

    def grade_batch(self, submissions_folder, to_grade, jobs, on_row):
        """Grade the (student, lesson) pairs ``to_grade`` of ``submissions_folder`` on ``jobs``
        forked workers; ``on_row(row, seconds)`` for each. Returns the rows of the pairs never
        started because the sandbox stopped working."""
        with Gradebook(f"sqlite:///{gradebook_path(self.out)}") as gradebook:
            for student in sorted({student for student, _ in to_grade}):
                gradebook.update_or_create_student(student)
        first = self.jobs_started
        self.jobs_started += len(to_grade)

        def job(index, item):
            student, lesson = item
            scratch = self.scratch_root / f"{first + index:05d}"
            scratch.mkdir()
            try:
                row = grade_submission(self.out, Path(submissions_folder), student, lesson, self.limits, self.kernels,
                                       self.quota.for_kernel(first + index), scratch, self.skip_cells[lesson],
                                       self.late)
            except Exception as error:  # the worker reports its own failure instead of vanishing
                row = Row(student, lesson, status=GRADER_ERROR, detail=repr(error)[:300])
            return asdict(row)

        def on_done(index, item, result, seconds):
            student, lesson = item
            on_row(Row(**result) if result else Row(student, lesson, status=TIMEOUT,
                                                    detail="the grading worker was stopped after overrunning every limit"),
                   seconds)

        not_started = run_pool(to_grade, job, jobs or os.cpu_count() or 1, self.limits.worker_deadline,
                               self.out / "work", on_done, stop=_sandbox_failed, per_worker=NOTEBOOKS_PER_WORKER)
        return [Row(student, lesson, max_score=self.max_scores[lesson], status=GRADER_ERROR,
                    detail="not graded: grading stopped because the sandbox stopped working")
                for student, lesson in not_started]


def grade(submissions_folder, out, lessons=None, students=None, jobs=None, limits=Limits(), progress_stream=None,
          every_cell=False, scheduler=None):
    """Grade every submission; return the rows of this run (all lessons x students asked for).

    The cells that only teach (``course.teaching_cell_ids``) are not run, unless ``every_cell``.
    With ``scheduler`` (a Dask scheduler's address) the workers of that cluster grade
    (``cluster``); without it, this machine's forked workers do.
    """
    progress_stream = progress_stream or sys.stderr
    out = Path(out).resolve()
    lessons = lessons or available_lessons()
    unknown = [lesson for lesson in lessons if lesson not in available_lessons()]
    if unknown:
        raise GradingError(f"no such lesson: {', '.join(unknown)} (the course has {', '.join(available_lessons())})")
    try:
        to_grade, decided = submissions.find_work(submissions_folder, lessons, limits.max_submission_bytes, students)
    except NotADirectoryError as error:
        raise GradingError(str(error)) from None
    out.mkdir(parents=True, exist_ok=True)
    course = policy.course_config()
    late = policy.late_config(course)
    if policy.Roster(config=course).required:
        to_grade, decided = off_roster(out, to_grade, decided)
    if scheduler:  # each worker resolves the limits and makes its sandboxes, as a local run does
        max_scores, _ = prepare_gradebook(out, lessons)  # the workers render the pages, each from its release
        session = None
        run = describe_run(limits, f"each worker of the Dask cluster at {scheduler} sets its own, as a local run does")
        run["scheduler"] = scheduler
    else:
        limits = limits.resolved()
        session = Session(out, lessons, limits, every_cell, late)
        max_scores = session.max_scores
        run = describe_run(limits, session.quota.mechanisms())
    (out / "run.json").write_text(json.dumps(run, indent=1))
    for warning in run["warnings"]:
        progress_stream.write(f"warning: {warning}\n")
    progress_stream.write(f"limits per submission: {run['limits']}\n")
    for row in decided:
        row.max_score = max_scores.get(row.assignment_id, 0.0)
    rows = list(decided)
    progress = Progress(len(to_grade), progress_stream)

    def add_row(row, seconds):
        row.seconds = seconds
        row.max_score = row.max_score or max_scores[row.assignment_id]
        rows.append(row)
        progress.advance(row)

    if scheduler:
        try:
            cluster.grade_on_cluster(scheduler, Path(submissions_folder), out, to_grade, limits, every_cell, add_row,
                                     late=late)
        except cluster.CourseMismatch as error:
            raise GradingError(f"a Dask worker refused to grade: {error}") from None
        finally:
            write_tables(out, rows)
            lms.write_exports(out)
        return rows
    with session:
        not_started = session.grade_batch(submissions_folder, to_grade, jobs, add_row)
    rows += not_started
    write_tables(out, rows)
    lms.write_exports(out)
    failed = [row for row in rows if _sandbox_failed(asdict(row))]
    if failed:
        raise GradingStopped(f"grading stopped: {failed[0].detail}; {len(not_started)} submissions not graded. "
                             "Nothing was graded without the sandbox; fix it and grade again.", rows)
    return rows


def off_roster(out, to_grade, decided):
    """Split off the submissions of students not in the course gradebook: a row each, status
    ``not on roster``; their notebooks stay where they are, to be graded once they are added."""
    with Gradebook(f"sqlite:///{gradebook_path(out)}") as gradebook:
        enrolled = {student.id for student in gradebook.students}
    strangers = [(student, lesson) for student, lesson in to_grade if student not in enrolled]
    return ([pair for pair in to_grade if pair[0] in enrolled],
            decided + [Row(student, lesson, status=NOT_ON_ROSTER,
                           detail=f"{student} is not on the course roster: add them (nbgrader db student add "
                                  f"{student}) and grade again") for student, lesson in strangers])


def _sandbox_failed(result):
    return result["status"] == GRADER_ERROR and result["detail"].startswith(SANDBOX_FAILED)
