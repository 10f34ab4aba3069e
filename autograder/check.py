"""Student check: run one lesson notebook and report each graded function's visible tests.

``python -m autograder check lessons/04_relu_backprop/04_relu_backprop.ipynb`` runs the
notebook top to bottom in a fresh kernel (as "Restart and Run All" would, but carrying on
past failures), then prints one line per visible test cell (``test_<function>``): ``passed``,
or the first line of what went wrong, and how many passed. The visible tests teach and
score nothing: the grade comes from the hidden test cells (``hidden_<function>``), which
are empty in the student's notebook and run only at grading, so they are skipped here.
Nothing is written: the notebook on disk stays as it was.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from .course import HIDDEN_TEST_PREFIX, function_of

DEFAULT_TIMEOUT = 120


class CheckError(RuntimeError):
    """The notebook could not be checked at all (missing, unreadable, kernel died)."""


@dataclass(frozen=True)
class VisibleTest:
    """One visible test cell after the run."""

    function: str      # the grade id without "test_", e.g. "relu_backward"
    passed: bool
    message: str       # "passed", or the first line of the failure


def read_notebook(path):
    path = Path(path)
    if not path.is_file():
        raise CheckError(f"no notebook at {path}" + (" (it is a folder)" if path.is_dir() else ""))
    try:
        return nbformat.read(path, as_version=4)
    except Exception as error:  # unreadable file, not JSON, not a notebook
        raise CheckError(f"{path} is not a readable notebook: {type(error).__name__}: {error}") from None


def _visible_tests(notebook):
    """(cell, grade_id) for every visible graded test cell, in notebook order."""
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id", "")
        if cell.cell_type == "code" and meta.get("grade") and not grade_id.startswith(HIDDEN_TEST_PREFIX):
            yield cell, grade_id


def _failure(cell, timeout):
    """The first line of the first error in a cell's outputs, or None when it passed."""
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        ename, evalue = output.get("ename", "Error"), str(output.get("evalue", ""))
        if ename == "KeyboardInterrupt":
            return f"did not finish within {timeout} s and was interrupted: an endless loop?"
        first = evalue.strip().splitlines()[0] if evalue.strip() else ""
        if ename == "CheckFailure":
            return first or ename
        return f"{ename}: {first}" if first else ename
    return None


def run(path, timeout=DEFAULT_TIMEOUT, kernel_name="python3"):
    """Execute the notebook at ``path`` in a fresh kernel; return its visible test results.

    Cells run in the notebook's folder with matplotlib's non-interactive Agg backend;
    a cell that runs longer than ``timeout`` seconds is interrupted and counts as failed.
    """
    path = Path(path)
    notebook = read_notebook(path)
    client = NotebookClient(
        notebook,
        kernel_name=kernel_name,
        timeout=timeout,
        interrupt_on_timeout=True,
        allow_errors=True,
        record_timing=False,
        # The kernel's own log (a warning about unencrypted local TCP) is noise to a student.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(path.resolve().parent)}},
    )
    try:
        client.execute(env={**os.environ, "MPLBACKEND": "Agg"})
    except DeadKernelError:
        raise CheckError(f"the kernel died while running {path}: a crash or memory exhausted?") from None
    results = []
    for cell, grade_id in _visible_tests(notebook):
        message = _failure(cell, timeout)
        results.append(VisibleTest(function_of(grade_id), message is None, message or "passed"))
    return results


def report(results, stream):
    """Print one line per visible test, then how many passed."""
    if not results:
        stream.write("no visible tests here: no cell has an nbgrader grade id test_<function>\n")
    width = max([len(r.function) for r in results] + [8])
    for result in results:
        stream.write(f"{result.function:<{width}}  {result.message}\n")
    stream.write(f"visible tests: {score_line(results)}\n")


def score_line(results):
    passed = sum(r.passed for r in results)
    return f"{passed} / {len(results)} passed (the grade comes from the hidden tests, run when the lesson is graded)"
