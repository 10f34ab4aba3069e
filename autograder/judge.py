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
"""

import os
import traceback

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from . import hidden
from .checks import CheckFailure
from .course import function_of, is_hidden_test
from .reference import reference


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
    return [new_output("stream", name="stdout", text=f"{function_of(grade_id)}: hidden tests passed\n")]


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
