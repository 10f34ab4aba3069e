"""Grading on a Dask cluster (`grade --scheduler`): a real `dask scheduler` and two single-threaded
`dask worker` processes on 127.0.0.1 grade a class exactly as the local pool does, a worker
killed mid-run loses nothing, and a worker whose course differs refuses the work."""

import csv
import json
import os
import shutil
import signal
import threading
import time
from datetime import datetime, timedelta, timezone

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder import cluster, grade, policy, synthetic
from autograder.course import ROOT

pytestmark = pytest.mark.slow

LESSON = "04_relu_backprop"


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A scheduler and two single-threaded workers on loopback, for the whole module."""
    with cluster.LocalCluster(tmp_path_factory.mktemp("dask")) as local:
        local.workers(2)
        yield local


def a_class(folder, wrong=3):
    """Complete answers, the stubs, some of the corpus's mistakes and a correct variant, of one lesson."""
    synthetic.write_submission(folder, "complete", LESSON, synthetic.complete(LESSON))
    synthetic.write_submission(folder, "stubs", LESSON, synthetic.stubs(LESSON))
    for variant in synthetic.corpus(LESSON, "wrong")[:wrong] + synthetic.corpus(LESSON, "correct")[:1]:
        synthetic.write_submission(folder, f"{variant.kind}_{variant.name}"[:40], LESSON, synthetic.with_variant(variant))
    return sorted(p.name for p in folder.iterdir())


def table(out, name, drop=()):
    with open(out / name, newline="") as handle:
        return sorted(tuple(v for k, v in row.items() if k not in drop) for row in csv.DictReader(handle))


def scores_in_gradebook(out):
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        submissions = gradebook.assignment_submissions(LESSON)
        return ({(s.student.id, g.name): (g.auto_score, g.needs_manual_grade)
                 for s in submissions for n in s.notebooks for g in n.grades}
                | {(s.student.id, "late"): (s.timestamp, s.late_submission_penalty) for s in submissions})


def due_yesterday_noon(out):
    """A course whose lesson was due yesterday at noon, with its late penalty in the folder's nbgrader configuration."""
    due = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment(LESSON, duedate=due)
    return due


def test_a_preloaded_worker_grades_with_the_agent_it_started_before_joining(dask_cluster, tmp_path):
    """``--preload autograder.cluster``: a worker's grading agent for the course's defaults is running
    when the worker joins, and a run with the defaults is graded by it, not by one started for the run.
    First in the module: no batch has reached the module's workers before it, so an agent running
    before its run was started by the preload."""
    from dask.distributed import Client

    def running_agents():
        return {key: agent.process.pid for key, agent in cluster._agents.items() if agent.process.poll() is None}

    with Client(dask_cluster.address, timeout="60s") as client:
        before = client.run(running_agents)
        students = a_class(tmp_path / "submitted", wrong=1)
        rows = grade.grade(tmp_path / "submitted", tmp_path / "dask", lessons=[LESSON], scheduler=dask_cluster.address)
        after = client.run(running_agents)

    assert sorted(r.student_id for r in rows) == students
    defaults = json.dumps(cluster.run_settings(grade.Limits(), False, policy.late_config(policy.course_config())),
                          sort_keys=True)
    assert {worker: defaults in agents for worker, agents in before.items()} == dict.fromkeys(before, True)
    assert after == before


def test_a_class_graded_on_the_cluster_is_graded_as_the_local_pool_grades_it(dask_cluster, tmp_path, monkeypatch):
    address = dask_cluster.address
    students = a_class(tmp_path / "submitted")
    # Two submissions came through nbgrader's exchange, one on time and one 3.5 hours late.
    for out in (tmp_path / "local", tmp_path / "dask"):
        out.mkdir()
        due = due_yesterday_noon(out)
    for student, hours in (("stubs", -1), ("complete", 3.5)):
        (tmp_path / "submitted" / student / LESSON / "timestamp.txt").write_text(str(due + timedelta(hours=hours)))
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n"
                                                  "c.AssignLatePenalties.plugin_class = 'autograder.policy.LatePenalty'\n"
                                                  "c.LatePenalty.penalty_method = 'per_hour'\n")
    monkeypatch.chdir(tmp_path)

    grade.grade(tmp_path / "submitted", tmp_path / "local", lessons=[LESSON], jobs=2)
    rows = grade.grade(tmp_path / "submitted", tmp_path / "dask", lessons=[LESSON], scheduler=address)

    assert sorted(r.student_id for r in rows) == students
    for name in ("grades.csv", "cells.csv", "failures.csv"):
        assert table(tmp_path / "dask", name) == table(tmp_path / "local", name), name
    late = {r.student_id: (r.seconds_late, r.late_penalty) for r in rows}
    assert late["complete"] == (3.5 * 3600, 4.0) and late["stubs"] == (0.0, 0.0)
    # Only the coordinator writes the gradebook: formgrader reads the same scores there.
    assert scores_in_gradebook(tmp_path / "dask") == scores_in_gradebook(tmp_path / "local")
    for student in students:
        page = tmp_path / "dask" / "feedback" / student / LESSON / f"{LESSON}.html"
        assert page.read_bytes().startswith(b"<!DOCTYPE html>"), student
        assert nbformat.read(tmp_path / "dask" / "autograded" / student / LESSON / f"{LESSON}.ipynb", as_version=4)
    assert json.loads((tmp_path / "dask" / "run.json").read_text())["scheduler"] == address


def test_a_worker_killed_mid_run_loses_nothing(dask_cluster, tmp_path):
    address = dask_cluster.address
    students = a_class(tmp_path / "submitted", wrong=8)
    local = grade.grade(tmp_path / "submitted", tmp_path / "local", lessons=[LESSON], jobs=2)
    result = {}
    run = threading.Thread(target=lambda: result.update(rows=grade.grade(tmp_path / "submitted", tmp_path / "dask",
                                                                         lessons=[LESSON], scheduler=address)))
    run.start()
    from dask.distributed import Client

    with Client(address, timeout="60s") as client:
        deadline = time.monotonic() + 300
        while not any(client.processing().values()) and time.monotonic() < deadline:
            time.sleep(0.2)
        busy = next(worker for worker, keys in client.processing().items() if keys)
        pid = client.run(os.getpid, workers=[busy])[busy]
    os.kill(pid, signal.SIGKILL)  # the worker dies with a batch in its hands
    dask_cluster.add_worker("w3")
    run.join(timeout=900)

    assert not run.is_alive()
    rows = result["rows"]
    assert sorted(r.student_id for r in rows) == students  # every submission once, none twice
    assert table(tmp_path / "dask", "grades.csv") == table(tmp_path / "local", "grades.csv")
    assert sorted((r.student_id, r.score) for r in rows) == sorted((r.student_id, r.score) for r in local)


def test_a_worker_with_another_course_refuses_the_work(dask_cluster, tmp_path):
    other = tmp_path / "other-course"
    for part in ("autograder", "solutions", "lessons", "assets"):
        shutil.copytree(ROOT / part, other / part, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    notebook = other / "solutions" / LESSON / f"{LESSON}.ipynb"
    source = nbformat.read(notebook, as_version=4)
    source.cells[0].source += "\n\nAn instructor's edit this course's coordinator has not seen."
    nbformat.write(source, notebook)
    dask_cluster.add_worker("odd", course=other)  # this worker imports the other course's package
    workers = dask_cluster.workers(3)
    from dask.distributed import Client

    with Client(dask_cluster.address, timeout="60s") as client:
        future = client.submit(cluster.grade_batch, cluster.course_fingerprint(), LESSON, None,
                               {"someone": {"notebook": b"{}", "records": {}}}, [{}, False, {}],
                               workers=[workers["odd"][0]], pure=False)
        with pytest.raises(cluster.CourseMismatch, match="this worker's course differs from the coordinator's"):
            future.result(timeout=120)
