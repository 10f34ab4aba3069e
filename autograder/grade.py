"""Grade: a whole class through nbgrader's autograde, in parallel, into one gradebook.

Each submission is graded by nbgrader's real ``autograde`` in a worker process of its own,
forked from this one, in its own process session, so that a submission which hangs,
crashes its kernel or exhausts memory is reported for that student alone: the worker is
killed if it overruns, and the class goes on. Its kernel is forked, warm, from the run's
one fork server (``autograder.forkserver``) into its own sandbox. Workers write their
scores into the one course gradebook ``OUT/gradebook.db`` (the one nbgrader's formgrader
reads); this process collects their rows into ``OUT/grades.csv`` and ``OUT/cells.csv``.

Layout of ``OUT``::

    gradebook.db  grades.csv  cells.csv  failures.csv  timings.csv
    autograded/<student>/<lesson>/   feedback/<student>/<lesson>/<lesson>.html
    work/        scratch: staged copies of submissions, worker logs and results
"""

import csv
import functools
import gc
import importlib
import json
import os
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import jsonschema
import nbformat
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.converters import Autograde
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.preprocessors import CheckCellMetadata, Execute

from . import execute, feedback, forkserver, judge, release, sandbox
from .course import LESSON_IDS, available_lessons, nbgrader_config
from .reference import reference


@dataclass(frozen=True)
class Limits:
    """What one submission may use and see. The defaults sit far above what a lesson needs."""

    cell_timeout: int = 120
    notebook_timeout: float = 600.0
    memory_mb: int = 4096
    max_output_bytes: int = 10 * 2**20
    # "bwrap": the kernel sees only its own files (sandbox); "none": it sees what the grader
    # sees; "auto": bwrap where this machine can run it.
    isolation: str = "auto"

    def resolved(self):
        if self.isolation == "auto":
            return replace(self, isolation="bwrap" if sandbox.bwrap_works() else "none")
        if self.isolation == "bwrap" and not sandbox.bwrap_works():
            raise GradingError("--isolation bwrap: bubblewrap is not installed, or its sandboxes cannot be made or joined here")
        return self

    @property
    def worker_deadline(self):
        # The worker itself is killed only if nbgrader's own limits did not stop it.
        return self.notebook_timeout + self.cell_timeout + 120


@dataclass
class Row:
    """One (student, lesson): its score, status, and per-cell scores and failures."""

    student_id: str
    assignment_id: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "graded"
    detail: str = ""
    seconds: float = 0.0
    cells: list = field(default_factory=list)      # [grade_id, score, max_score]
    failures: list = field(default_factory=list)   # [grade_id, message]


GRADE_COLUMNS = ["student_id", "assignment_id", "score", "max_score", "status"]
CELL_COLUMNS = ["student_id", "assignment_id", "grade_id", "score", "max_score"]
FAILURE_COLUMNS = ["student_id", "assignment_id", "grade_id", "message"]
TIMING_COLUMNS = ["student_id", "assignment_id", "seconds", "status"]


class GradingError(RuntimeError):
    """The grader itself cannot run (bad arguments, unreadable solutions)."""


# --- what to grade ------------------------------------------------------------------------

def find_work(submissions, lessons, students=None):
    """Split the class into submissions to grade and rows already decided.

    Every student folder gets a row for every requested lesson: its notebook, or status
    ``missing``. A folder for a lesson the course does not have gets ``unknown lesson``.
    """
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise GradingError(f"{submissions} is not a folder of student submissions")
    to_grade, decided = [], []
    for student_dir in sorted(p for p in submissions.iterdir() if p.is_dir()):
        student = student_dir.name
        if students and student not in students:
            continue
        for lesson in lessons:
            notebook = student_dir / lesson / f"{lesson}.ipynb"
            if notebook.is_file():
                to_grade.append((student, lesson, notebook))
            else:
                others = sorted(p.name for p in (student_dir / lesson).glob("*.ipynb"))
                detail = f"found {', '.join(others)} instead of {lesson}.ipynb" if others else "no notebook submitted"
                decided.append(Row(student, lesson, status="missing", detail=detail))
        for extra in sorted(p for p in student_dir.iterdir() if p.is_dir() and p.name not in LESSON_IDS):
            decided.append(Row(student, extra.name, status="unknown lesson",
                               detail=f"the course has no lesson {extra.name!r}"))
    return to_grade, decided


# --- one submission, in a worker ------------------------------------------------------------

def stage_submission(source, staged):
    """Copy a submission to the grader's staging area as a valid nbformat-4 notebook.

    Raises ``ValueError`` with a message for the student's row when it cannot be read.
    """
    try:
        notebook = nbformat.read(source, as_version=4)
    except json.JSONDecodeError as error:
        raise ValueError(f"not a notebook: the file is not valid JSON ({error.msg}, line {error.lineno})")
    except Exception as error:  # nbformat raises several types for unreadable notebooks
        raise ValueError(f"not a notebook nbformat can read: {error}".splitlines()[0])
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise ValueError(f"not a valid notebook: {error.message}".splitlines()[0])
    demote_duplicate_cells(notebook)
    staged.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, staged)


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


def gradebook_path(out):
    """The course gradebook of a grading folder: the one nbgrader's formgrader reads."""
    return out / "gradebook.db"


class CompiledMetadataValidator(MetadataValidator):
    """nbgrader's cell-metadata validator with its schema compiled once.

    nbgrader checks each cell with ``jsonschema.validate``, which checks the schema itself
    first, every time: a tenth of what grading a notebook costs, in two passes. Cells of
    another schema version go to nbgrader's own check, for its messages.
    """

    @functools.cached_property
    def compiled(self):
        return jsonschema.validators.validator_for(self.schema)(self.schema)

    def validate_cell(self, cell):
        metadata = cell.metadata.get("nbgrader")
        if metadata is None:
            return
        if metadata.get("schema_version", 0) != self.schema_version:
            return super().validate_cell(cell)
        self.compiled.validate(metadata)


class CheckCellMetadataCompiled(CheckCellMetadata):
    """nbgrader's CheckCellMetadata step, with ``CompiledMetadataValidator``."""

    validator = CompiledMetadataValidator()

    def preprocess(self, nb, resources):
        try:
            self.validator.validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            raise ValidationError("Notebook failed to validate; the nbgrader metadata may be corrupted.")
        return nb, resources


def worker_config(out, limits, scratch, kernels):
    config = nbgrader_config(out, gradebook_path(out), release_dir=out / "work" / "release",
                             submitted_dir=out / "work" / "submitted")
    # The kernel runs the notebook under limits; then the grader judges the hidden tests.
    config.Autograde.autograde_preprocessors = _with_steps_replaced(
        Autograde.class_traits()["autograde_preprocessors"].default(),
        {Execute: [execute.BoundedExecute, judge.JudgeHiddenTests], CheckCellMetadata: [CheckCellMetadataCompiled]})
    config.Autograde.sanitize_preprocessors = _with_steps_replaced(
        Autograde.class_traits()["sanitize_preprocessors"].default(), {CheckCellMetadata: [CheckCellMetadataCompiled]})
    config.BoundedExecute.timeout = limits.cell_timeout
    config.BoundedExecute.startup_timeout = 180  # a loaded machine starts kernels slowly; a lost student is worse
    config.BoundedExecute.shutdown_kernel = "immediate"  # the notebook is done: no need to wait
    config.BoundedExecute.notebook_timeout = limits.notebook_timeout
    config.BoundedExecute.max_output_bytes = limits.max_output_bytes
    config.LimitedKernelManager.forkserver = kernels
    config.LimitedKernelManager.memory_mb = limits.memory_mb
    config.LimitedKernelManager.isolation = limits.isolation
    config.LimitedKernelManager.scratch = str(scratch)
    # The kernel's sockets are files in its scratch folder, not local TCP ports, so a
    # sandboxed kernel needs no network at all.
    config.LimitedKernelManager.transport = "ipc"
    config.LimitedKernelManager.connection_file = str(scratch / "kernel.json")
    config.JudgeHiddenTests.records = sandbox.scratch_environment(scratch)["BACKPROP_RECORDS"]
    config.OverwriteCells.add_missing_cells = True  # a deleted test cell is put back and run
    # nbconvert validates the whole notebook after every step, some twenty times a notebook;
    # once, after the last step of each pass, still never writes an invalid notebook.
    config.Exporter.optimistic_validation = True
    feedback.configure(config, template_cache=out / "work" / "templates")
    return config


def _with_steps_replaced(steps, replacements):
    """nbgrader's pipeline ``steps`` with some steps replaced by others: ``{step: [steps]}``."""
    return [new for step in steps for new in replacements.get(step, [step])]


def failure_messages(autograded_notebook, lost):
    """The first line of the error each losing test cell raised, for the instructor's report."""
    messages = []
    notebook = nbformat.read(autograded_notebook, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id not in lost:
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        message = f"{errors[0].ename}: {errors[0].evalue}" if errors else "no error raised, but no points"
        messages.append([grade_id, message.splitlines()[0][:300] if message.strip() else errors[0].ename])
    return messages


def grade_submission(out, student, lesson, source, limits, kernels):
    """Autograde one staged submission with nbgrader and return its Row (runs in a worker).

    ``kernels`` is the address of the fork server its kernel comes from (``forkserver.running``).
    """
    row = Row(student, lesson)
    try:
        stage_submission(source, out / "work" / "submitted" / student / lesson / f"{lesson}.ipynb")
    except ValueError as error:
        row.status, row.detail = "invalid notebook", str(error)
        return row
    os.environ["MPLBACKEND"] = "Agg"  # the kernel inherits it: figures render without a display
    # The kernel's scratch folder holds its sockets, whose paths must stay under the
    # 107 characters of a Unix socket address: a short temporary folder, not one in OUT.
    scratch = Path(tempfile.mkdtemp(prefix="backprop-kernel-"))
    try:
        sandbox.prepare_scratch(scratch)
        api = NbGraderAPI(config=worker_config(out, limits, scratch, kernels))
        result = api.autograde(lesson, student, force=True, create=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if not result["success"]:
        row.status, row.detail = "autograde failed", _autograde_error(result.get("log") or "")
        return row
    with Gradebook(f"sqlite:///{gradebook_path(out)}") as gradebook:
        submission = gradebook.find_submission(lesson, student)
        row.score, row.max_score = submission.score, submission.max_score
        for notebook in submission.notebooks:
            row.cells += [[g.name, g.score, g.max_score] for g in notebook.grades]
    lost = {grade_id for grade_id, score, maximum in row.cells if score < maximum}
    autograded = out / "autograded" / student / lesson / f"{lesson}.ipynb"
    row.failures = failure_messages(autograded, lost) if lost else []
    if execute.incidents:
        row.status, row.detail = execute.incidents[0]
    fb = api.generate_feedback(lesson, student, force=True)
    if not fb["success"]:
        row.detail = (row.detail + "; " if row.detail else "") + "feedback page failed: " + _last_error_line(fb.get("error") or "")
    return row


def _autograde_error(log):
    """The line of nbgrader's log that says what went wrong (its summary lines say nothing)."""
    lines = [line.strip() for line in log.splitlines()]
    causes = [line for line in lines if re.match(r"^[A-Za-z_.]*(Error|Exception)\b.*:", line)]
    return (causes[-1] if causes else _last_error_line(log))[:300]


def _last_error_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"


# --- the pool ---------------------------------------------------------------------------------

def _run_worker(out, job_index, student, lesson, source, limits, kernels):
    """Body of a forked worker: its own session, log and result file."""
    os.setsid()
    work = out / "work"
    log = open(work / "logs" / f"{job_index:05d}.log", "w")
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    started = time.monotonic()
    try:
        row = grade_submission(out, student, lesson, Path(source), limits, kernels)
    except Exception as error:  # the worker reports its own failure instead of vanishing
        row = Row(student, lesson, status="grader error", detail=repr(error)[:300])
    row.seconds = round(time.monotonic() - started, 3)
    result = work / "results" / f"{job_index:05d}.json"
    result.with_suffix(".tmp").write_text(json.dumps(asdict(row)))
    result.with_suffix(".tmp").rename(result)


def _fork_worker(*args):
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _run_worker(*args)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    return pid


def run_pool(out, work, limits, kernels, jobs, on_done):
    """Grade ``work`` (a list of (student, lesson, path)) on ``jobs`` forked workers."""
    pending = list(enumerate(work))[::-1]
    running = {}  # pid -> (index, student, lesson, started)
    while pending or running:
        while pending and len(running) < jobs:
            index, (student, lesson, source) = pending.pop()
            pid = _fork_worker(out, index, student, lesson, source, limits, kernels)
            running[pid] = (index, student, lesson, time.monotonic())
        pid, _ = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            _kill_overrunning(running, limits)
            time.sleep(0.05)
            continue
        index, student, lesson, started = running.pop(pid)
        on_done(_collect(out, index, student, lesson, started))


def _kill_overrunning(running, limits):
    now = time.monotonic()
    for pid, (index, student, lesson, started) in running.items():
        if now - started > limits.worker_deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _collect(out, index, student, lesson, started):
    result = out / "work" / "results" / f"{index:05d}.json"
    if result.exists():
        return Row(**json.loads(result.read_text()))
    seconds = round(time.monotonic() - started, 3)
    return Row(student, lesson, status="timeout", seconds=seconds,
               detail="the grading worker was stopped after overrunning every limit")


# --- the gradebook and the tables ---------------------------------------------------------------

def prepare_gradebook(out, lessons, students=()):
    """Record the lessons and students in the course gradebook, which every worker then writes to.

    SQLite in write-ahead-log mode lets the workers' short writes take turns while readers
    go on; each worker's autograde is nbgrader's own, writing its own student's rows. The
    students are added here, once, because two workers grading two lessons of one student
    would otherwise both try to create that student.
    """
    work = out / "work"
    for folder in ("logs", "results", "submitted", "templates"):
        shutil.rmtree(work / folder, ignore_errors=True)
        (work / folder).mkdir(parents=True)
    course = gradebook_path(out)
    feedback.remember(release.generate(lessons, work / "release", course, out))
    with sqlite3.connect(course) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
    with Gradebook(f"sqlite:///{course}") as gradebook:
        for student in sorted(set(students)):
            gradebook.update_or_create_student(student)
        return {lesson: gradebook.find_assignment(lesson).max_score for lesson in lessons}


def _read_csv(path):
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _write_csv(path, columns, rows):
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: [str(r[c]) for c in columns[:3]]))
    tmp.replace(path)


def _fmt_score(value):
    return f"{float(value):g}"


def write_tables(out, rows):
    """Write the CSVs: re-graded (student, lesson) pairs replace their old rows, others stay."""
    regraded = {(r.student_id, r.assignment_id) for r in rows}

    def kept(path):
        return [r for r in _read_csv(path) if (r["student_id"], r["assignment_id"]) not in regraded]

    tables = {
        "grades.csv": (GRADE_COLUMNS, [dict(student_id=r.student_id, assignment_id=r.assignment_id,
                                            score=_fmt_score(r.score), max_score=_fmt_score(r.max_score),
                                            status=r.status) for r in rows]),
        "cells.csv": (CELL_COLUMNS, [dict(student_id=r.student_id, assignment_id=r.assignment_id, grade_id=g,
                                          score=_fmt_score(s), max_score=_fmt_score(m))
                                     for r in rows for g, s, m in r.cells]),
        "failures.csv": (FAILURE_COLUMNS, [dict(student_id=r.student_id, assignment_id=r.assignment_id,
                                                grade_id=g, message=msg) for r in rows for g, msg in r.failures]),
        "timings.csv": (TIMING_COLUMNS, [dict(student_id=r.student_id, assignment_id=r.assignment_id,
                                              seconds=f"{r.seconds:.3f}", status=r.status) for r in rows]),
    }
    for name, (columns, new_rows) in tables.items():
        _write_csv(out / name, columns, kept(out / name) + new_rows)


# --- progress -----------------------------------------------------------------------------------

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


# --- the stage's entry point ------------------------------------------------------------------

# What every worker would otherwise import for itself: the hidden tests' random generators,
# jupyter_client's kernel specs, the feedback page's markdown and template extensions.
WORKER_PRELOAD = ("numpy.random", "ipykernel.kernelspec", "jinja2.ext", "mistune.plugins.def_list",
                  "mistune.plugins.task_lists", "mistune.plugins.url")
SAFE_ID = re.compile(r"^[\w.@+-]+$")


def grade(submissions, out, lessons=None, students=None, jobs=None, limits=Limits(), progress_stream=sys.stderr):
    """Grade every submission; return the rows of this run (all lessons x students asked for)."""
    out = Path(out).resolve()
    limits = limits.resolved()
    if limits.isolation == "none":
        progress_stream.write("warning: no sandbox (bubblewrap is not installed): student code can read "
                              "every file the grader can, solutions/ included\n")
    lessons = lessons or available_lessons()
    unknown = [lesson for lesson in lessons if lesson not in available_lessons()]
    if unknown:
        raise GradingError(f"no such lesson: {', '.join(unknown)} (the course has {', '.join(available_lessons())})")
    out.mkdir(parents=True, exist_ok=True)
    to_grade, decided = find_work(submissions, lessons, students)
    bad_ids = [(s, l, p) for s, l, p in to_grade if not SAFE_ID.match(s)]
    to_grade = [job for job in to_grade if job not in bad_ids]
    decided += [Row(s, l, status="invalid student id",
                    detail="student ids may hold letters, digits and . _ @ + - only") for s, l, _ in bad_ids]
    max_scores = prepare_gradebook(out, lessons, [student for student, _, _ in to_grade])
    for lesson in lessons:
        reference(lesson)  # loaded once here, inherited by every forked worker's judge
    for row in decided:
        row.max_score = max_scores.get(row.assignment_id, 0.0)
    rows = list(decided)
    progress = Progress(len(to_grade), progress_stream)

    def on_done(row):
        row.max_score = row.max_score or max_scores[row.assignment_id]
        rows.append(row)
        progress.advance(row)

    for module in WORKER_PRELOAD:
        importlib.import_module(module)
    # What is loaded by now (nbgrader, the references, the templates) lives as long as the run:
    # frozen, the workers' garbage collector no longer walks it, and their pages stay shared.
    gc.collect()
    gc.freeze()
    try:
        with forkserver.running() as kernels:
            run_pool(out, to_grade, limits, kernels, jobs or os.cpu_count() or 1, on_done)
    finally:
        gc.unfreeze()
    write_tables(out, rows)
    return rows
