"""Feedback: the per-student HTML pages, with hidden tests kept hidden.

nbgrader's ``generate_feedback`` renders the autograded notebook. On its own it shows the
hidden tests' source and tracebacks (jupyter/nbgrader#917), which gives the hidden inputs
and answers away. Two more steps in its pipeline prevent that: nbgrader's own
``ClearHiddenTests`` removes the hidden region from the source, and ``HideHiddenFailures``
replaces a hidden cell's outputs with one sentence: which function failed and, where the
check named a known mistake, that hint.

The page also shows what the student wrote and what their code displayed, so nothing of it
may run or load: ``SanitizeOutputs`` (nbconvert's ``SanitizeHTML``) cleans the outputs, the
exporter cleans the HTML that markdown renders to, and every page carries a Content Security
Policy that allows no script and no load from anywhere.
"""

import builtins
import re

import nbformat
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat.v4 import new_output
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor

from .course import HIDDEN_TEST_PREFIX, function_of
from .overrides import FeedbackExporter, RememberedHighlight, SanitizeOutputs


# The exceptions a hidden-test failure may name in a page: a kernel could record any name.
BUILTIN_ERRORS = {name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)}


def hidden_failure_sentence(function, outputs):
    """The one sentence a student reads for a failed hidden test, in the grader's words only.

    The hint of a ``CheckFailure`` (the text after " — ": the hidden test's own explanation
    of a known mistake) is shown. A ``RecordedFailure`` quotes what the kernel recorded after
    it had seen the hidden tests, so of it the page says no more than whether the function
    is unimplemented or which built-in exception it raised.
    """
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if not errors:
        return None
    ename, evalue = errors[0].get("ename"), str(errors[0].get("evalue", ""))
    hint = evalue.split(" — ", 1)[1].splitlines()[0] if ename == "CheckFailure" and " — " in evalue else None
    raised = re.search(r"your code raised (\w+)", evalue)
    if raised and raised.group(1) in BUILTIN_ERRORS:
        hint = f"your code raised {raised.group(1)} on an input the hidden tests use"
    elif "is not implemented yet" in evalue:
        hint = "it is not implemented yet"
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


# What markdown renders to, on top of SanitizeHTML's own tags (bleach's inline ones, and links
# with bleach's protocols only: http, https, mailto). An image keeps its alt text but not its
# source: the page loads nothing.
MARKDOWN_TAGS = ["p", "div", "span", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br", "img",
                 "table", "thead", "tbody", "tr", "th", "td", "del", "sup", "sub"]
MARKDOWN_ATTRIBUTES = {"*": ["class"], "img": ["alt", "title"], "ol": ["start"], "th": ["style"],
                       "td": ["style"], **{f"h{level}": ["id"] for level in range(1, 7)}}

# The page's Content Security Policy, a second line behind the cleaning: styles written in the
# page itself, images in data: URLs (the plots), and nothing else: no script, font, frame,
# object, fetch, form or <base>. nbgrader's template loads MathJax 2.7.7 from cdnjs (the URL
# is built into its mathjax() macro; the exporter's mathjax_url is not used). Allowing it would
# take 'unsafe-eval': MathJax evaluates the template's <script type="text/x-mathjax-config">,
# and then any such block on the page, one a student slipped past the cleaning too (both seen
# in Chromium). So no script at all; the trade-off is that math shows as TeX source, untypeset.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                           "base-uri 'none'; form-action 'none'")
def remember(notebooks):
    """Highlight every code cell of ``notebooks`` (the released lessons) once, for every page."""
    highlight = RememberedHighlight()
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                highlight(cell.source, metadata=cell.metadata)


def configure(config, template_cache=None):
    """Add the hiding and cleaning steps to nbgrader's GenerateFeedback pipeline in ``config``."""
    config.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor,
                                             ClearHiddenTests, HideHiddenFailures, SanitizeOutputs]
    config.ClearHiddenTests.enforce_metadata = False
    config.SanitizeOutputs.enabled = True
    config.SanitizeOutputs.tags = SanitizeHTML.tags.default() + MARKDOWN_TAGS
    config.SanitizeOutputs.attributes = {**SanitizeHTML.attributes.default(), **MARKDOWN_ATTRIBUTES}
    config.SanitizeOutputs.styles = ["text-align"]  # a markdown table's column alignment
    # text/markdown is cleaned after it is rendered, by the exporter, like a markdown cell.
    config.SanitizeOutputs.sanitized_output_types = {"text/html"}
    config.SanitizeOutputs.safe_output_keys = SanitizeHTML.safe_output_keys.default() | {"text/markdown"}
    config.GenerateFeedback.exporter_class = FeedbackExporter
    config.FeedbackExporter.content_security_policy = CONTENT_SECURITY_POLICY
    if template_cache:
        config.FeedbackExporter.template_cache = str(template_cache)
