"""Autograde: one submission through nbgrader's real ``autograde`` and ``generate_feedback``,
in a grading worker (``autograder.pool``), within its limits; returns its ``Row``.

The worker stages the submission (``submissions.stage``: read without following links),
gives the kernel a scratch folder of its own (a tmpfs of ``disk_mb`` where the worker may
mount one; its throwaway working folder, home and records live there) and a cgroup
(``limits.KernelGroup``), and lets nbgrader run the notebook with the grader's steps in
its pipeline: ``execute.BoundedExecute`` runs it in the kernel, ``judge.JudgeHiddenTests``
scores the hidden tests outside it. nbgrader writes the autograded notebook and the
feedback page under ``OUT/``, which the kernel never sees. Then the scratch tmpfs is
unmounted, or the scratch folder emptied without following anything in it. A worker grades
several submissions in turn (``pool``): nothing of one submission's is left for the next.
"""

import os
import re
import shutil

import nbformat
from nbgrader.api import BaseCell, Grade, Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.converters import Autograde
from nbgrader.preprocessors import CheckCellMetadata, Execute, OverwriteCells, SaveAutoGrades

from . import execute, feedback, judge, limits as limits_module, sandbox, submissions
from .course import awaits_instructor, nbgrader_config
from .overrides import CheckCellMetadataCompiled, OverwriteCellsAtOnce, SaveAutoGradesAtOnce, share_gradebook_engine
from .tables import (AUTOGRADE_FAILED, DISK_LIMIT, GRADER_ERROR, LATE, MEMORY_LIMIT, OUTPUT_CAPPED, PROCESS_LIMIT,
                     WRITTEN_TO_GRADE, Row)

SANDBOX_FAILED = "the sandbox could not be made"

# A grading kernel keeps no IPython input history (a database, in memory as nbclient sets it, written
# by a thread of its own after every cell, which nothing graded reads; ``In`` and ``_i`` are kept all
# the same), and its shell prepares each cell once (``kernelshell``).
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False", "--IPKernelApp.kernel_class=autograder.kernelshell.GradingKernel"]


def gradebook_path(out):
    """The course gradebook of a grading folder: the one nbgrader's formgrader reads."""
    return out / "gradebook.db"


def worker_config(out, limits, scratch, workdir, kernels, group, join_worker_mounts, skip_cells=(), late=None):
    config = nbgrader_config(out, gradebook_path(out), release_dir=out / "work" / "release",
                             submitted_dir=out / "work" / "submitted")
    # The kernel runs the notebook under limits; then the grader judges the hidden tests.
    config.Autograde.autograde_preprocessors = _with_steps_replaced(
        Autograde.class_traits()["autograde_preprocessors"].default(),
        {Execute: [execute.BoundedExecute, judge.JudgeHiddenTests], CheckCellMetadata: [CheckCellMetadataCompiled],
         SaveAutoGrades: [SaveAutoGradesAtOnce]})
    config.Autograde.sanitize_preprocessors = _with_steps_replaced(
        Autograde.class_traits()["sanitize_preprocessors"].default(),
        {CheckCellMetadata: [CheckCellMetadataCompiled], OverwriteCells: [OverwriteCellsAtOnce]})
    config.BoundedExecute.workdir = str(workdir)
    config.BoundedExecute.timeout = limits.cell_timeout
    config.BoundedExecute.startup_timeout = 180  # a loaded machine starts kernels slowly; a lost student is worse
    config.BoundedExecute.shutdown_kernel = "immediate"  # the notebook is done: no need to wait
    config.BoundedExecute.extra_arguments = KERNEL_ARGUMENTS
    config.BoundedExecute.notebook_timeout = limits.notebook_timeout
    config.BoundedExecute.hidden_timeout = limits.hidden_timeout
    config.BoundedExecute.max_output_bytes = limits.max_output_bytes
    config.BoundedExecute.skip_cells = list(skip_cells)
    # A single message far larger than the whole cap is dropped by zmq before it is read (the
    # kernel then goes unheard until its cell times out); a smaller one is counted and dropped.
    config.PromptKernelClient.max_message_bytes = 4 * limits.max_output_bytes + 2**20
    config.LimitedKernelManager.forkserver = kernels
    config.LimitedKernelManager.limits = limits_module.process_limits(limits)
    config.LimitedKernelManager.cgroups = group.procs
    config.LimitedKernelManager.isolation = limits.isolation
    config.LimitedKernelManager.scratch = str(scratch)
    config.LimitedKernelManager.join_worker_mounts = join_worker_mounts
    # The kernel's sockets are files in its scratch folder, not local TCP ports, so a
    # sandboxed kernel needs no network at all.
    config.LimitedKernelManager.transport = "ipc"
    config.LimitedKernelManager.connection_file = str(scratch / "kernel.json")
    config.JudgeHiddenTests.records = sandbox.scratch_environment(scratch)["BACKPROP_RECORDS"]
    config.OverwriteCellsAtOnce.add_missing_cells = True  # a deleted test cell is put back and run
    # nbconvert validates the whole notebook after every step, some twenty times a notebook;
    # once, after the last step of each pass, still never writes an invalid notebook.
    config.Exporter.optimistic_validation = True
    feedback.configure(config, template_cache=out / "work" / "templates")
    config.merge(late or {})  # the course's late penalty (policy.late_config), assigned by nbgrader's own step
    return config


def _with_steps_replaced(steps, replacements):
    """nbgrader's pipeline ``steps`` with some steps replaced by others: ``{step: [steps]}``."""
    return [new for step in steps for new in replacements.get(step, [step])]


def cell_scores(gradebook, notebook):
    """``[grade id, score, points]`` of each graded cell of a submitted ``notebook``, in one query
    (nbgrader's ``Grade.name`` and ``Grade.max_score`` each load on their own, for every cell); the
    score is None for a written answer that awaits the instructor."""
    grades = (gradebook.db.query(BaseCell.name, Grade.auto_score, Grade.manual_score, Grade.score, Grade.max_score)
              .join(Grade.cell).filter(Grade.notebook_id == notebook.id))
    return [[grade.name, None if awaits_instructor(grade) else grade.score, grade.max_score] for grade in grades]


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


def grade_submission(out, root, student, lesson, limits, kernels, group, scratch, skip_cells=(), late=None):
    """Autograde one submission and write its feedback page; return its Row.

    ``root`` is the class's submissions folder, ``kernels`` the fork server's address
    (``forkserver.running``), ``group`` the kernel's cgroup, ``scratch`` an empty folder for
    the kernel (short: its sockets live there), ``skip_cells`` the ids of the cells not run,
    ``late`` the course's late-penalty settings (``policy.late_config``).
    """
    share_gradebook_engine()  # this worker's every step opens the course gradebook on one engine
    execute.incidents.clear()  # a worker grades several submissions in turn
    try:
        submissions.stage(root, student, lesson, out / "work" / "submitted" / student / lesson / f"{lesson}.ipynb",
                          limits.max_submission_bytes)
    except submissions.Refused as refusal:
        return submissions.refused_row(student, lesson, refusal)
    mounted = limits_module.tmpfs_works()
    if mounted:
        limits_module.mount_scratch(scratch, limits.disk_mb)
    sandbox.prepare_scratch(scratch)
    workdir = scratch / lesson  # named after the lesson, as the student's own folder is
    workdir.mkdir()
    api = NbGraderAPI(config=worker_config(out, limits, scratch, workdir, kernels, group,
                                           join_worker_mounts=mounted and limits.isolation == "none",
                                           skip_cells=skip_cells, late=late))
    try:
        result = api.autograde(lesson, student, force=True, create=True)
        exceeded = group.exceeded() + (limits_module.disk_full(scratch, limits.disk_mb) if mounted else [])
    finally:
        group.remove()
        if mounted:
            limits_module.unmount_scratch(scratch)
        else:
            _empty(scratch)
    row = Row(student, lesson)
    sandbox_failures = [detail for status, detail in execute.incidents if status == GRADER_ERROR]
    if sandbox_failures:
        row.status, row.detail = GRADER_ERROR, f"{SANDBOX_FAILED}: {sandbox_failures[0]}"
        return row
    if not result["success"]:
        row.status, row.detail = AUTOGRADE_FAILED, _autograde_error(result.get("log") or "")
        return row
    with Gradebook(f"sqlite:///{gradebook_path(out)}") as gradebook:
        submission = gradebook.find_submission(lesson, student)
        row.max_score, row.seconds_late = submission.max_score, submission.total_seconds_late
        row.late_penalty = submission.late_submission_penalty or 0.0
        row.score = submission.score - row.late_penalty
        for notebook in submission.notebooks:
            row.cells += cell_scores(gradebook, notebook)
    lost = {grade_id for grade_id, score, maximum in row.cells if score is not None and score < maximum}
    if any(score is None for _, score, _ in row.cells):
        row.status = WRITTEN_TO_GRADE
    elif row.seconds_late > 0:
        row.status = LATE
    row.failures = failure_messages(out / "autograded" / student / lesson / f"{lesson}.ipynb", lost) if lost else []
    problems = [(status, _limit_detail(status, limits)) for status in exceeded] + execute.incidents
    if problems:
        row.status, row.detail = problems[0]
    page = api.generate_feedback(lesson, student, force=True)
    if not page["success"]:
        row.detail = (row.detail + "; " if row.detail else "") + "feedback page failed: " + _last_error_line(page.get("error") or "")
    elif _cap_page(out / "feedback" / student / lesson / f"{lesson}.html", limits.max_page_bytes) and not problems:
        row.status, row.detail = OUTPUT_CAPPED, f"the feedback page was larger than {limits.max_page_bytes} bytes"
    return row


def _cap_page(page, max_bytes):
    """Replace a feedback page larger than ``max_bytes`` with a short one; whether it was."""
    if page.stat().st_size <= max_bytes:
        return False
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Feedback</title></head><body>"
                    f"<p>This feedback page was larger than {max_bytes} bytes and was not kept. "
                    "Your scores are recorded; ask your instructor for the details.</p></body></html>")
    return True


def _limit_detail(status, limits):
    return {MEMORY_LIMIT: f"the kernel's processes together reached the memory limit of {limits.memory_mb} MiB",
            PROCESS_LIMIT: f"the kernel tried to run more than {limits.max_tasks} processes and threads",
            DISK_LIMIT: f"the kernel filled its {limits.disk_mb} MiB of disk"}[status]


def _empty(scratch):
    """Delete what is in the kernel's scratch folder; ``rmtree`` never follows a link the kernel left there."""
    for entry in os.scandir(scratch):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            os.unlink(entry.path)


def _autograde_error(log):
    """The line of nbgrader's log that says what went wrong (its summary lines say nothing)."""
    lines = [line.strip() for line in log.splitlines()]
    causes = [line for line in lines if re.match(r"^[A-Za-z_.]*(Error|Exception)\b.*:", line)]
    return (causes[-1] if causes else _last_error_line(log))[:300]


def _last_error_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"
