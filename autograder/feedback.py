"""Feedback: the per-student HTML pages, with hidden tests kept hidden.

nbgrader's ``generate_feedback`` renders the autograded notebook. On its own it shows the
hidden tests' source and tracebacks (jupyter/nbgrader#917), which gives the hidden inputs
and answers away. Two more steps in its pipeline prevent that: nbgrader's own
``ClearHiddenTests`` removes the hidden region from the source, and ``HideHiddenFailures``
replaces a hidden cell's outputs with one sentence: which function failed and, where the
check named a known mistake, that hint.
"""

import re

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbformat.v4 import new_output
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor

from .course import HIDDEN_TEST_PREFIX, function_of


def hidden_failure_sentence(function, outputs):
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if not errors:
        return None
    evalue = str(errors[0].get("evalue", ""))
    hint = evalue.split(" — ", 1)[1].splitlines()[0] if " — " in evalue else None
    if errors[0].get("ename") == "CheckFailure" and "not implemented yet" in evalue:
        hint = "it is not implemented yet"
    raised = re.search(r"your code raised (\w+)", evalue)
    if hint is None and raised:
        hint = f"your code raised {raised.group(1)} on an input the hidden tests use"
    return f"The hidden tests of {function} failed" + (f": {hint}" if hint else ".") \
        + " Run the visible tests again and compare with the lesson's conventions."


class HideHiddenFailures(NbGraderPreprocessor):
    """Replace a failed hidden test cell's outputs with a sentence that gives nothing away.

    A passed one keeps the grader's line saying so (``autograder.judge`` wrote its outputs).
    """

    def preprocess_cell(self, cell, resources, index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if cell.cell_type == "code" and grade_id.startswith(HIDDEN_TEST_PREFIX):
            sentence = hidden_failure_sentence(function_of(grade_id), cell.get("outputs", []))
            if sentence:
                cell.outputs = [new_output("stream", name="stderr", text=sentence + "\n")]
        return cell, resources


def configure(config):
    """Add the hiding steps to nbgrader's GenerateFeedback pipeline in ``config``."""
    config.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor,
                                             ClearHiddenTests, HideHiddenFailures]
    config.ClearHiddenTests.enforce_metadata = False
