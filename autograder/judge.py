"""Judge: score the hidden tests in the grader, from what the student's kernel recorded.

``JudgeHiddenTests`` runs in nbgrader's autograde pipeline right after the notebook has
been executed and before ``SaveAutoGrades`` reads the scores off the cells. For every
hidden test cell it reads the record the kernel wrote (see ``autograder.hidden``), runs
the cell's source, as restored from the gradebook, against the lesson's reference
solution in this process, and replaces the cell's outputs with the verdict: nothing the
student's kernel printed or raised in a hidden cell counts, only the comparison made here.
A missing or malformed record scores zero. A failure whose message may quote the record
is named ``RecordedFailure``, so the feedback page never repeats the kernel's words. The
visible test cells score nothing; their results stay for the student to read, except a
value a cell shows, which nbgrader would read as partial credit (and fail on, if it
exceeds the cell's points).

A verdict depends only on the cell's source and the record. Before the grading process forks
its workers, ``remember`` records each hidden test against the reference solution, as a
kernel running the reference would, and judges that record once; a student's record that is
identical to it gets that verdict without the reference running again (lesson 01's chain of
5,000 nodes took a third of a second in every notebook). Any other record is judged in full.
"""

import copy
import json
import os
import traceback

import nbformat
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from . import hidden
from .checks import CheckFailure
from .course import function_of, is_hidden_test, solution_notebook
from .reference import reference

# What a passed hidden test cell prints after the function's name.
PASSED = "hidden tests passed"
# (lesson, grade id, cell source) -> (the reference's record, its verdict), made by ``remember``.
_reference_verdicts = {}


def _error(evalue, ename="CheckFailure"):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def verdict(grade_id, source, lesson, records):
    """The outputs a hidden test cell gets: a stdout line when it passed, an error when not."""
    try:
        entries, error = hidden.read_record(records, grade_id)
    except FileNotFoundError:
        return [_error(f"{function_of(grade_id)}: the hidden tests left no record — the cell did not run "
                       "to the end (a timeout, a crash, or an earlier cell stopped the notebook)")]
    except hidden.MalformedRecord as problem:
        return [_error(f"{function_of(grade_id)}: the record of the hidden tests is malformed ({problem})",
                       ename=hidden.RecordedFailure.__name__)]
    known = _reference_verdicts.get((lesson, grade_id, source))
    if known is not None and known[0] == _same_record_key(entries, error):
        return copy.deepcopy(known[1])
    return _judged(grade_id, source, lesson, entries, error)


def _same_record_key(entries, error):
    """A record as text that tells apart every value the judge tells apart (``2`` from ``2.0``, ``1`` from ``true``)."""
    return json.dumps([entries, error])


def remember(lesson):
    """Judge once, in this process, the record the reference solution writes for each hidden test
    of ``lesson``, for ``verdict`` to recognise; the grading process calls it before its workers
    fork, so every worker inherits the verdicts. The record comes from running the cell's source
    against ``solutions/`` here, never from a kernel."""
    for cell in nbformat.read(solution_notebook(lesson), as_version=4).cells:
        if not is_hidden_test(cell):
            continue
        grade_id = cell.metadata.nbgrader.grade_id
        with hidden.recording() as records:
            exec(compile(cell.source, f"<{grade_id}>", "exec"), dict(vars(reference(lesson)), __builtins__=__builtins__))
        if grade_id in records:  # otherwise the cell is judged in full, and says what is wrong with it
            entries, error = hidden.parse_record(records[grade_id].encode(), grade_id)
            _reference_verdicts[(lesson, grade_id, cell.source)] = (
                _same_record_key(entries, error), _judged(grade_id, cell.source, lesson, entries, error))


def _judged(grade_id, source, lesson, entries, error):
    """The verdict of running ``source`` against the reference, judging the record ``entries``, ``error``."""
    namespace = dict(vars(reference(lesson)), __builtins__=__builtins__)
    try:
        with hidden.judging(entries, error) as judge:
            exec(compile(source, f"<{grade_id}>", "exec"), namespace)
    except CheckFailure as failure:  # a RecordedFailure keeps its name: its message is the kernel's
        return [_error(str(failure), ename=type(failure).__name__)]
    except Exception as problem:  # the test code tripped over the student's recorded values
        where = traceback.extract_tb(problem.__traceback__)[-1]
        return [_error(f"{function_of(grade_id)}: the hidden tests could not check your answer "
                       f"({type(problem).__name__}: {problem}, line {where.lineno})",
                       ename=hidden.RecordedFailure.__name__)]
    if judge.tests != [grade_id]:
        return [_error(f"grader error: cell {grade_id} must define exactly one @hidden_test named {grade_id}, "
                       f"found {judge.tests}", ename="GraderError")]
    return [new_output("stream", name="stdout", text=f"{function_of(grade_id)}: {PASSED}\n")]


class JudgeHiddenTests(NbGraderPreprocessor):
    """Replace each hidden test cell's outputs with the grader's own verdict."""

    records = Unicode("", help="folder the grading kernel wrote its hidden-test records to").tag(config=True)

    def preprocess(self, nb, resources):
        self._lesson = resources["nbgrader"]["assignment"]
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            return cell, resources
        if is_hidden_test(cell):
            cell.outputs = verdict(meta["grade_id"], cell.source, self._lesson, self.records or os.devnull)
        else:
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "execute_result"]
        return cell, resources
