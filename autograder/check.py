"""Student check: run one lesson notebook and report each graded function's visible tests.

``python -m autograder check lessons/04_relu_backprop/04_relu_backprop.ipynb`` runs the
notebook top to bottom in a fresh kernel (as "Restart and Run All" would, but carrying on
past failures). As each visible test cell (``test_<function>``) finishes it prints the
function and ``passed``, or the first line of what went wrong (a syntax error that kept the
function from being defined is named as such), then how many passed. The visible tests teach and
score nothing: the grade comes from the hidden test cells (``hidden_<function>``), which
are empty in the student's notebook and run only at grading, so they are skipped here.
Nothing is written: the notebook on disk stays as it was.
"""

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from . import translate
from .course import HIDDEN_TEST_PREFIX, function_of

DEFAULT_TIMEOUT = 120
SYNTAX_ERRORS = {"SyntaxError", "IndentationError", "TabError"}
UNDEFINED_NAME = re.compile(r"name '(\w+)' is not defined")
# IPython's evalue of a SyntaxError: "invalid syntax (3012345.py, line 4)", the line within the cell.
SYNTAX_ERROR_AT = re.compile(r"(.*) \([^()]*, line (\d+)\)$", re.DOTALL)


class CheckError(RuntimeError):
    """The notebook could not be checked at all (missing, unreadable, kernel died)."""


@dataclass(frozen=True)
class VisibleTest:
    """One visible test cell after the run."""

    function: str      # the grade id without "test_", e.g. "relu_backward"
    passed: bool
    message: str       # "passed" (in the notebook's language), or the first line of the failure


def read_notebook(path):
    path = Path(path)
    if not path.is_file():
        raise CheckError(f"no notebook at {path}" + (" (it is a folder)" if path.is_dir() else ""))
    try:
        return nbformat.read(path, as_version=4)
    except Exception as error:  # unreadable file, not JSON, not a notebook
        raise CheckError(f"{path} is not a readable notebook: {type(error).__name__}: {error}") from None


def _visible_tests(notebook):
    """{cell index: grade_id} for every visible graded test cell, in notebook order."""
    tests = {}
    for index, cell in enumerate(notebook.cells):
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id", "")
        if cell.cell_type == "code" and meta.get("grade") and not grade_id.startswith(HIDDEN_TEST_PREFIX):
            tests[index] = grade_id
    return tests


def _error(cell):
    """A cell's error output (a cell stops at its first error), or None."""
    return next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)


def speaker(notebook):
    """This module's ``_`` in the notebook's language (``translate.gettext``)."""
    return translate.gettext("check", translate.notebook_language(notebook))


def _failure(cell, earlier, timeout, _):
    """The first line of a test cell's error, or None when it passed; ``earlier`` are the cells above it."""
    error = _error(cell)
    if error is None:
        return None
    ename, evalue = error.get("ename", "Error"), str(error.get("evalue", ""))
    if ename == "KeyboardInterrupt":
        if timeout:
            return _("did not finish within {timeout} s and was interrupted: an endless loop?").format(timeout=timeout)
        return _("did not finish in time and was interrupted: an endless loop?")
    undefined = UNDEFINED_NAME.match(evalue) if ename == "NameError" else None
    syntax = undefined and _syntax_error_defining(undefined[1], earlier, _)
    if syntax:
        return syntax
    first = evalue.strip().splitlines()[0] if evalue.strip() else ""
    if ename == "CheckFailure":
        return first or ename
    return f"{ename}: {first}" if first else ename


def _syntax_error_defining(name, earlier, _):
    """Why ``name`` was never defined, when the nearest earlier solution cell whose text
    defines it (a cell that failed to compile has nothing else to go by) raised a syntax
    error; else None. The test's own NameError would send the student to the wrong cell.
    """
    definition = re.compile(rf"^\s*(?:def|class)\s+{re.escape(name)}\b", re.MULTILINE)
    cell = next((c for c in reversed(earlier)
                 if c.metadata.get("nbgrader", {}).get("solution") and definition.search(c.source)), None)
    error = _error(cell) if cell is not None else None
    if error is None or error.get("ename") not in SYNTAX_ERRORS:
        return None
    located = SYNTAX_ERROR_AT.match(str(error.get("evalue", "")))
    if located is None:
        return _("your cell has a syntax error: {error}").format(error=error.get("evalue", ""))
    return _("your cell has a syntax error at line {line}: {error}").format(line=located[2], error=located[1])


def run(path, timeout=DEFAULT_TIMEOUT, kernel_name="python3", on_result=None):
    """Execute the notebook at ``path`` in a fresh kernel; return its visible test results.

    Cells run in the notebook's folder with matplotlib's non-interactive Agg backend;
    a cell that runs longer than ``timeout`` seconds is interrupted and counts as failed.
    ``on_result`` (optional) is called with each result as soon as its test cell finishes,
    so that a caller can show progress through a lesson that takes a while.
    """
    path = Path(path)
    notebook = read_notebook(path)
    tests = _visible_tests(notebook)
    results, _ = [], speaker(notebook)

    def collect(cell, cell_index, **__):
        if cell_index in tests:
            message = _failure(cell, notebook.cells[:cell_index], timeout, _)
            results.append(VisibleTest(function_of(tests[cell_index]), message is None, message or _("passed")))
            if on_result is not None:
                on_result(results[-1])

    client = NotebookClient(
        notebook,
        kernel_name=kernel_name,
        timeout=timeout,
        interrupt_on_timeout=True,
        allow_errors=True,
        record_timing=False,
        on_cell_executed=collect,
        # The kernel's own log (a warning about unencrypted local TCP) is noise to a student.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(path.resolve().parent)}},
    )
    try:
        client.execute(env={**os.environ, "MPLBACKEND": "Agg"})
    except DeadKernelError:
        raise CheckError(f"the kernel died while running {path}: a crash or memory exhausted?") from None
    return results


def progress(path, stream):
    """Say at once which notebook runs (a lesson takes a while), then return the ``on_result``
    of ``run`` that prints each visible test's line as its cell finishes, aligned in advance."""
    notebook = read_notebook(path)
    functions, _ = [function_of(grade_id) for grade_id in _visible_tests(notebook).values()], speaker(notebook)
    stream.write(_("running {path} in a fresh kernel ...").format(path=path) + "\n")
    if not functions:
        stream.write(_("no visible tests here: no cell has an nbgrader grade id test_<function>") + "\n")
    stream.flush()
    width = max([len(function) for function in functions] + [8])  # the messages line up
    return lambda result: report_line(result, width, stream)


def report_line(result, width, stream):
    """Print one visible test's line at once (flushed: it may be progress through a long run)."""
    stream.write(f"{result.function:<{width}}  {result.message}\n")
    stream.flush()


def score_line(results, _=str):
    """The last line: how many visible tests passed, and that they are not the grade."""
    return _("visible tests: {passed} / {total} passed (the grade comes from the hidden tests, run when the lesson "
             "is graded)").format(passed=sum(r.passed for r in results), total=len(results))


def as_json(path, results):
    """The results as one JSON document, for editors and scripts rather than people."""
    return json.dumps({"notebook": str(path), "passed": sum(r.passed for r in results), "total": len(results),
                       "tests": [{"function": r.function, "passed": r.passed, "message": r.message}
                                 for r in results]}, indent=2)


def failure_lines(notebook):
    """``{test cell source: (function, message)}`` for each failing visible test of an executed
    ``notebook``: what ``check`` prints, for nbgrader's Validate (``overrides.OneLineValidator``)."""
    lines, _ = {}, speaker(notebook)
    for index, grade_id in _visible_tests(notebook).items():
        message = _failure(notebook.cells[index], notebook.cells[:index], None, _)
        if message is not None:
            lines[notebook.cells[index].source.strip()] = (function_of(grade_id), message)
    return lines
