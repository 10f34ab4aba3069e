"""Cluster: grade a class on the workers of a Dask cluster (``grade --scheduler ADDRESS``).

The coordinator (the ``grade`` process) reads every submission itself, without following
links (``submissions.stage``), splits the class into batches of one lesson each and sends
each batch to a Dask worker with the course's fingerprint. A worker whose own course
(solutions, hidden tests, this package) has another fingerprint refuses the batch
(``CourseMismatch``). On the worker a batch is graded by a long-lived child process, its
grading agent (``Agent``): a ``grade.Session`` with the same fork server, sandbox and limits
as a local run, kept warm across batches and runs (a Dask worker is multi-threaded, so it must
neither fork grading workers itself nor change its own mount namespace). A worker started with
``--preload autograder.cluster`` starts its agent before it joins the cluster (``dask_setup``);
otherwise its first batch does. The worker sends
back the rows, the autograded notebooks, the feedback pages and the scores; only the
coordinator writes the course gradebook, the tables and the report.
A worker that dies mid-batch loses nothing: Dask runs the batch again on another worker,
and the coordinator takes each batch's result once.
"""

from . import startup  # noqa: F401  (first: the grading agent runs this module, before it imports jsonschema)

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import parse_utc
from traitlets.config import Config

from . import submissions
from .course import ROOT, SOLUTIONS
from .limits import GradingError
from .overrides import grades_and_comments
from .tables import Row


class CourseMismatch(RuntimeError):
    """A worker's course is not the coordinator's: its grades would not be the class's."""


def course_fingerprint():
    """A digest of what decides a grade: the source notebooks (solutions and hidden tests),
    this package's code, and its installed version."""
    digest = hashlib.sha256(metadata.version("backprop-lab").encode())
    files = sorted(SOLUTIONS.rglob("*.ipynb")) + sorted((ROOT / "autograder").rglob("*.py"))
    for path in files:
        if ".ipynb_checkpoints" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def batches(to_grade, size):
    """``to_grade`` (student, lesson) pairs in batches of at most ``size``, one lesson each."""
    by_lesson = {}
    for student, lesson in to_grade:
        by_lesson.setdefault(lesson, []).append(student)
    return [(lesson, students[i:i + size]) for lesson, students in by_lesson.items()
            for i in range(0, len(students), size)]


# --- on a worker ------------------------------------------------------------------------

class Agent:
    """A grading process beside a Dask worker, its ``grade.Session`` kept warm across batches.

    It grades one batch at a time, with one forked grading worker, and answers each batch
    with one line of JSON. It ends when its input closes, so it dies with its Dask worker.
    """

    def __init__(self, settings):
        self.home = Path(tempfile.mkdtemp(prefix="backprop-agent-"))
        self.lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.cluster", str(self.home), json.dumps(settings)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the grading agent did not start (exit code {self.process.wait()})")

    def grade(self, lesson, due, notebooks):
        """Grade ``notebooks`` (``{student: {"notebook": bytes, "records": {name: text}}}``: the
        exchange's records, ``submissions.read_exchange_records``) of ``lesson``, due at ``due``
        (the coordinator's, ISO 8601, or None): rows, files and scores."""
        with self.lock:
            batch = Path(tempfile.mkdtemp(prefix="batch-", dir=self.home))
            try:
                for student, submission in notebooks.items():
                    path = batch / student / lesson / f"{lesson}.ipynb"
                    path.parent.mkdir(parents=True)
                    path.write_bytes(submission["notebook"])
                    for name, text in submission["records"].items():
                        (path.parent / name).write_text(text)
                self.process.stdin.write(json.dumps(dict(folder=str(batch), lesson=lesson, due=due,
                                                         students=list(notebooks))) + "\n")
                self.process.stdin.flush()
                reply = json.loads(self.process.stdout.readline() or '{"error": "the grading agent died"}')
            finally:
                shutil.rmtree(batch, ignore_errors=True)
            if "error" in reply:
                raise RuntimeError(f"grading a batch of {lesson} failed on this worker: {reply['error']}")
            out = self.home / "out"
            files = {}
            for kind in ("autograded", "feedback"):
                for student in notebooks:
                    for path in sorted((out / kind / student / lesson).rglob("*")):
                        if path.is_file() and not path.is_symlink():
                            files[str(path.relative_to(out))] = path.read_bytes()
            return dict(rows=reply["rows"], files=files, grades=_scores(out / "gradebook.db", lesson, list(notebooks)))


_agents, _agents_lock = {}, threading.Lock()


def run_settings(limits, every_cell, late):
    """What a grading agent is started with, as JSON data: the run's limits (as the command took
    them, before each machine resolves them), every_cell, the course's late-penalty configuration."""
    return [asdict(limits), every_cell, dict(late or {})]


def dask_setup(worker):
    """Dask's preload hook (``dask worker --preload autograder.cluster``): start this worker's
    grading agent for a run of the course's defaults before the worker joins the cluster, so
    a run does not wait for it. A run with other settings starts an agent of its own."""
    from . import policy
    from .limits import Limits

    _agent(run_settings(Limits(), False, policy.late_config(policy.course_config())))


def _agent(settings):
    """This worker's grading agent for ``settings``, started if there is none or it died."""
    key = json.dumps(settings, sort_keys=True)
    with _agents_lock:
        if key not in _agents or _agents[key].process.poll() is not None:
            _agents[key] = Agent(settings)
        return _agents[key]


def grade_batch(fingerprint, lesson, due, notebooks, settings):
    """The Dask task: grade ``notebooks`` (as ``Agent.grade`` takes them) of ``lesson``, due at
    ``due``, on this worker, or refuse them if this worker's course is not the coordinator's.
    ``settings`` are the run's (``run_settings``).

    Returns ``{"rows": [...], "files": {path under OUT: bytes}, "grades": {student: [...]}}``.
    """
    mine = course_fingerprint()
    if mine != fingerprint:
        raise CourseMismatch(f"this worker's course differs from the coordinator's (fingerprint {mine[:12]}, "
                             f"the coordinator's {fingerprint[:12]}): install the same checkout of the course "
                             "(solutions/ and the autograder package) on every worker")
    return _agent(settings).grade(lesson, due, notebooks)


def _scores(db, lesson, students):
    """Per student, what autograde recorded: each grade's and each comment's automatic part."""
    found = {}
    with Gradebook(f"sqlite:///{db}") as gradebook:
        for student in students:
            try:
                submission = gradebook.find_submission(lesson, student)
            except MissingEntry:  # graded nothing (refused, or autograde failed)
                continue
            timestamp = submission.timestamp.isoformat() if submission.timestamp else None
            found[student] = [dict(notebook=n.name, timestamp=timestamp, late_penalty=n.late_submission_penalty,
                                   grades=[(g.name, g.auto_score) for g in n.grades],
                                   comments=[(c.name, c.auto_comment) for c in n.comments])
                              for n in submission.notebooks]
    return found


def _serve(home, settings):
    """The agent's process: a session on ``home/out``, then one batch per line of input."""
    from .course import available_lessons
    from .grade import Limits, Session

    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever else prints goes to the log, not into the replies
    limits, every_cell, late = settings
    out = home / "out"
    out.mkdir()
    with Session(out, available_lessons(), Limits(**limits).resolved(), every_cell, Config(late)) as session:
        replies.write("ready\n")
        replies.flush()
        for line in sys.stdin:
            batch = json.loads(line)
            with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:  # lateness as the coordinator's
                gradebook.find_assignment(batch["lesson"]).duedate = parse_utc(batch["due"]) if batch["due"] else None
                gradebook.db.commit()
            rows = []

            def keep(row, seconds):
                row.seconds = seconds
                rows.append(asdict(row))

            try:
                pairs = [(student, batch["lesson"]) for student in batch["students"]]
                rows += [asdict(row) for row in session.grade_batch(batch["folder"], pairs, 1, keep)]
                reply = dict(rows=rows)
            except Exception as error:
                reply = dict(error=repr(error)[:2000])
            replies.write(json.dumps(reply) + "\n")
            replies.flush()


# --- on the coordinator -----------------------------------------------------------------

def grade_on_cluster(address, root, out, to_grade, limits, every_cell, on_row, batch_size=None, late=None):
    """Grade the (student, lesson) pairs ``to_grade`` of the class in ``root`` on the cluster at
    ``address``; write pages and gradebook under ``out``; call ``on_row(row, seconds)`` for each.
    ``late`` is the course's late-penalty configuration (``policy.late_config``)."""
    from dask.distributed import Client, as_completed

    fingerprint = course_fingerprint()
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        duedates = {a.name: a.duedate.isoformat() if a.duedate else None for a in gradebook.assignments}
    settings = run_settings(limits, every_cell, late)
    with Client(address, timeout="30s") as client:
        workers = max(1, len(client.scheduler_info()["workers"]))
        # Small enough that the workers finish together (at the end a worker idles while the
        # last batch runs elsewhere) and a lost worker costs little.
        size = batch_size or max(1, -(-len(to_grade) // (8 * workers)))
        futures = {}
        for lesson, students in batches(to_grade, size):
            notebooks = {}
            for student in students:
                staged = out / "work" / "submitted" / student / lesson / f"{lesson}.ipynb"
                try:
                    records = submissions.stage(root, student, lesson, staged, limits.max_submission_bytes)
                except submissions.Refused as refusal:
                    on_row(submissions.refused_row(student, lesson, refusal), 0.0)
                    continue
                notebooks[student] = dict(notebook=staged.read_bytes(), records=records)
            if notebooks:
                future = client.submit(grade_batch, fingerprint, lesson, duedates[lesson], notebooks, settings,
                                       pure=False)
                futures[future] = lesson
        for future in as_completed(list(futures)):
            try:
                result = future.result()  # a batch whose worker died was given to another worker
            except CourseMismatch:
                raise
            except Exception as error:  # the grading agent failed: stop, as a sandbox failure does locally
                raise GradingError(f"a batch of {futures[future]} failed on a Dask worker: {error}") from None
            _keep(out, futures[future], result)
            for row in result["rows"]:
                on_row(Row(**row), row["seconds"])


def _keep(out, lesson, result):
    """Write a batch's pages and notebooks under ``out`` and its scores into the course gradebook."""
    for name, content in result["files"].items():
        path = (out / name).resolve()
        if out.resolve() not in path.parents:
            raise RuntimeError(f"a worker sent a file outside the grading folder: {name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        for student, notebooks in result["grades"].items():
            gradebook.update_or_create_student(student)
            try:
                submission = gradebook.find_submission(lesson, student)
            except MissingEntry:
                submission = gradebook.add_submission(lesson, student)
            for notebook in notebooks:
                submission.timestamp = parse_utc(notebook["timestamp"]) if notebook["timestamp"] else None
                submitted, grades, comments = grades_and_comments(gradebook, notebook["notebook"], lesson, student)
                submitted.late_submission_penalty = notebook["late_penalty"]
                for grade_id, auto_score in notebook["grades"]:
                    grades[grade_id].auto_score = auto_score
                    # As nbgrader's SaveAutoGrades: a manual grade or no automatic one needs a look.
                    grades[grade_id].needs_manual_grade = grades[grade_id].manual_score is not None or auto_score is None
                for grade_id, auto_comment in notebook["comments"]:
                    comments[grade_id].auto_comment = auto_comment
        gradebook.db.commit()


# --- a cluster on this machine ----------------------------------------------------------

SCHEDULER = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
WORKER = [sys.executable, "-m", "distributed.cli.dask_worker"]


class LocalCluster:
    """A real ``dask scheduler`` and single-threaded ``dask worker`` processes on 127.0.0.1, as
    the tests and the benchmark use them; the processes' output goes to ``folder/dask.log``."""

    def __init__(self, folder, workers=2):
        self.folder, self.processes = Path(folder), []
        self.log = open(self.folder / "dask.log", "a")
        self.scheduler_file = self.folder / "scheduler.json"
        self._start([*SCHEDULER, "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(self.scheduler_file)])
        deadline = time.monotonic() + 120
        while not self.scheduler_file.exists():
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"the Dask scheduler did not start: see {self.folder / 'dask.log'}")
            time.sleep(0.2)
        self.address = json.loads(self.scheduler_file.read_text())["address"]
        for number in range(workers):
            self.add_worker(f"w{number + 1}")

    def _start(self, command, course=None):
        # ``python -m`` puts its working folder first on sys.path: the course the process imports.
        self.processes.append(subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT,
                                               cwd=course or ROOT, start_new_session=True))

    def add_worker(self, name, course=None):
        """Start one more single-threaded worker, of this course or of the checkout at ``course``,
        its grading agent started before it joins (``dask_setup``)."""
        self._start([*WORKER, "--scheduler-file", str(self.scheduler_file), "--nthreads", "1", "--nworkers", "1",
                     "--no-nanny", "--no-dashboard", "--preload", "autograder.cluster", "--name", name], course)

    def workers(self, count, timeout=180):
        """Wait for ``count`` workers; return ``{name: (address, pid)}``."""
        from dask.distributed import Client

        with Client(self.address, timeout="60s") as client:
            client.wait_for_workers(count, timeout=timeout)
            pids = client.run(os.getpid)
            return {info["name"]: (address, pids[address]) for address, info in client.scheduler_info()["workers"].items()}

    def close(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)  # the worker's grading agent goes with it
            process.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *error):
        self.close()


if __name__ == "__main__":
    _serve(Path(sys.argv[1]), json.loads(sys.argv[2]))
