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
Policy that allows no script and no load from anywhere. So math is turned into MathML when
the page is made (``autograder.markup``), and ``SummariseFunctions`` puts a table of the
graded functions, their points and their one-line verdicts at the top.
"""

import builtins
import html
import re

import nbformat
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat.v4 import new_output
from nbgrader.api import Gradebook
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets.config import Config

from . import translate
from .course import HIDDEN_TEST_PREFIX, WRITTEN_PREFIX, awaits_instructor, function_of, is_hidden_test, is_written_answer
from .markup import MATHML_ATTRIBUTES, MATHML_TAGS
from .judge import PASSED
from .overrides import (FIGURE_ALT, FeedbackExporter, GetGradesAtOnce, RememberedHighlight, SanitizeOutputs,
                        grades_and_comments)
from .tables import lateness


# The exceptions a hidden-test failure may name in a page: a kernel could record any name.
BUILTIN_ERRORS = {name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)}


def hidden_failure_sentence(function, outputs, _=str, hint_in_language=str):
    """The one sentence a student reads for a failed hidden test, in the grader's words only.

    The hint of a ``CheckFailure`` (the text after " — ": the hidden test's own explanation
    of a known mistake) is shown, through ``hint_in_language``. A ``RecordedFailure`` quotes
    what the kernel recorded after it had seen the hidden tests, so of it the page says no more
    than whether the function is unimplemented or which built-in exception it raised. ``_`` is
    the page's language (``translate.gettext``).
    """
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if not errors:
        return None
    ename, evalue = errors[0].get("ename"), str(errors[0].get("evalue", ""))
    hint = None
    if ename == "CheckFailure" and " — " in evalue:
        hint = hint_in_language(evalue.split(" — ", 1)[1].splitlines()[0])
    raised = re.search(r"your code raised (\w+)", evalue)
    if raised and raised.group(1) in BUILTIN_ERRORS:
        hint = _("your code raised {error} on an input the hidden tests use").format(error=raised.group(1))
    elif "is not implemented yet" in evalue:
        hint = _("it is not implemented yet")
    failed = (_("The hidden tests of {function} failed: {hint}. Run the visible tests again and compare with the "
                "lesson's conventions.") if hint else
              _("The hidden tests of {function} failed. Run the visible tests again and compare with the lesson's "
                "conventions."))
    return failed.format(function=function, hint=hint)


class HideHiddenFailures(NbGraderPreprocessor):
    """Replace a failed hidden test cell's outputs with a sentence that gives nothing away.

    A passed one gets a line saying so, in the page's language.
    """

    def preprocess(self, nb, resources):
        language, lesson = translate.notebook_language(nb), resources["nbgrader"].get("assignment")
        self._ = translate.gettext("feedback", language)
        self._hint = lambda text: translate.hint(text, lesson, language)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if cell.cell_type == "code" and grade_id.startswith(HIDDEN_TEST_PREFIX):
            function = function_of(grade_id)
            sentence = hidden_failure_sentence(function, cell.get("outputs", []), self._, self._hint)
            if sentence:
                cell.outputs = [new_output("stream", name="stderr", text=sentence + "\n")]
            elif [output.get("text") for output in cell.get("outputs", [])] == [f"{function}: {PASSED}\n"]:
                passed = self._("hidden tests passed")  # the judge's line, in the page's language
                cell.outputs = [new_output("stream", name="stdout", text=f"{function}: {passed}\n")]
        return cell, resources


# What markdown renders to, on top of SanitizeHTML's own tags (bleach's inline ones, and links
# with bleach's protocols only: http, https, mailto). An image keeps its alt text but not its
# source: the page loads nothing.
MARKDOWN_TAGS = ["p", "div", "span", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br", "img",
                 "table", "thead", "tbody", "tr", "th", "td", "del", "sup", "sub", "details", "summary"]
MARKDOWN_ATTRIBUTES = {"*": ["class"], "img": ["alt", "title"], "ol": ["start"], "th": ["style"],
                       "td": ["style"], **{f"h{level}": ["id"] for level in range(1, 7)}}

# The page's Content Security Policy, a second line behind the cleaning: styles written in the
# page itself, images in data: URLs (the plots), and nothing else: no script, font, frame,
# object, fetch, form or <base>. nbgrader's template loads MathJax 2.7.7 from cdnjs (the URL
# is built into its mathjax() macro; the exporter's mathjax_url is not used). Allowing it would
# take 'unsafe-eval': MathJax evaluates the template's <script type="text/x-mathjax-config">,
# and then any such block on the page, one a student slipped past the cleaning too (both seen
# in Chromium). So no script at all: math is MathML made when the page is (``autograder.markup``).
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                           "base-uri 'none'; form-action 'none'")

# The page's own style, after the template's: the summary table, messages that wrap instead of
# scrolling sideways, math a little larger than text, and a page that reads at 400 px too.
PAGE_STYLE = """
table.summary { border-collapse: collapse; margin: .5em 0; width: 100%; }
table.summary th, table.summary td { padding: .3em .6em; border-bottom: 1px solid #ddd; text-align: left;
  vertical-align: top; }
table.summary td { overflow-wrap: anywhere; }
table.summary code { white-space: normal; }
table.summary tr.passed td:nth-child(2) { color: #2e7d32; }
table.summary tr.failed td:nth-child(2) { color: #c62828; font-weight: bold; }
table.summary tr.waiting td:nth-child(2) { color: #8a6d00; }
p.summary-note { color: #555; margin: .3em 0 0; }
div.output_subarea pre, div.output_text pre { white-space: pre-wrap; overflow-wrap: anywhere; }
math { font-size: 1.1em; }
img { max-width: 100%; height: auto; }
math[display="block"] { margin: .6em 0; overflow-x: auto; }
@media (max-width: 600px) {
  body { padding: 0; } .container { width: 100%; padding: 0 4px; }
  div.prompt { display: none; } div.inner_cell, div.output_area { width: 100%; }
}
"""


class SummariseFunctions(NbGraderPreprocessor):
    """Put a table at the top of the page: one row per graded function, its points and the
    one line the student needs (the grader's verdict or ``HideHiddenFailures``' sentence),
    in the page's language.

    The table goes to ``resources["summary"]``; ``FeedbackExporter`` shows it in place of
    nbgrader's list of identical "Test cell" links.
    """

    def preprocess(self, nb, resources):
        language = translate.notebook_language(nb)
        _ = translate.gettext("feedback", language)
        if language:
            resources["template_words"] = template_words(_)
        written, late = self._from_gradebook(resources["nbgrader"])
        rows = [self._written_row(cell, written.get(cell.metadata.nbgrader.grade_id), _)
                for cell in nb.cells if is_written_answer(cell)]
        for cell in nb.cells:
            if not is_hidden_test(cell):
                continue
            meta = cell.metadata.nbgrader
            grade_id = meta.grade_id
            score, points = float(meta.get("score") or 0), float(meta.get("points") or 0)
            mark = "passed" if score == points else "failed"
            rows.append(f'<tr class="{mark}"><td><a href="#{html.escape(grade_id)}"><code>'
                        f'{html.escape(function_of(grade_id))}</code></a></td><td>{score:g} / {points:g}</td>'
                        f'<td>{html.escape(_verdict(function_of(grade_id), cell.get("outputs", []), _))}</td></tr>')
        headers = "".join(f"<th>{html.escape(header)}</th>" for header in
                          (_("function"), _("points"), _("what the hidden tests found")))
        note = _("Points come from the hidden tests, run when the lesson was graded, and from your written answers, "
                 "which your instructor grades. The visible tests in the notebook below score nothing: they are there "
                 "to help.")
        resources["summary"] = (f'<table class="summary"><tr>{headers}</tr>' + "".join(rows) + "</table>"
                                f'<p class="summary-note">{html.escape(note, quote=False)}</p>' + self._late_note(*late, _))
        return nb, resources

    @staticmethod
    def _from_gradebook(ids):
        """Whether each written answer awaits the instructor and whether it was left as handed out
        (``{grade id: (awaits, unanswered)}``), and the submission's lateness and late penalty, read at once."""
        if "db_url" not in ids:  # a page made without a gradebook (generate_feedback always has one)
            return {}, (0, 0.0)
        with Gradebook(ids["db_url"]) as gradebook:
            _, grades, _ = grades_and_comments(gradebook, ids["notebook"], ids["assignment"], ids["student"])
            submission = gradebook.find_submission(ids["assignment"], ids["student"])
            return ({name: (awaits_instructor(grade), grade.manual_score is None and grade.auto_score == 0)
                     for name, grade in grades.items() if name.startswith(WRITTEN_PREFIX)},
                    (submission.total_seconds_late, submission.late_submission_penalty or 0.0))

    @staticmethod
    def _late_note(late, penalty, _):
        """A line saying how late the notebook was submitted and what that cost, if it was late."""
        if late <= 0:
            return ""
        took = (_("Submitted {late} after the due date: the course's late penalty took {penalty:g} point off the "
                  "score above.") if penalty == 1 else
                _("Submitted {late} after the due date: the course's late penalty took {penalty:g} points off the "
                  "score above."))
        return f'<p class="summary-note late">{html.escape(took.format(late=lateness(late), penalty=penalty), quote=False)}</p>'

    @staticmethod
    def _written_row(cell, state, _):
        """A written answer's row: its score once the instructor has graded it, else that it waits
        (as it does when there is no ``state``, ``(awaits, unanswered)``, to say otherwise)."""
        meta = cell.metadata.nbgrader
        topic = html.escape(_("written answer: {topic}").format(topic=meta.grade_id.removeprefix(WRITTEN_PREFIX)
                                                                .replace("_", " ")))
        link = f'<a href="#{html.escape(meta.grade_id)}">{topic}</a>'
        awaits, unanswered = state or (True, False)
        if awaits:
            return (f'<tr class="waiting"><td>{link}</td><td>? / {float(meta.points):g}</td>'
                    f'<td>{html.escape(_("your instructor grades this answer by hand"))}</td></tr>')
        mark = "passed" if float(meta.score or 0) == float(meta.points) else "failed"
        verdict = _("no answer: the cell is as it was handed out") if unanswered else _("graded by your instructor")
        return (f'<tr class="{mark}"><td>{link}</td><td>{float(meta.score or 0):g} / {float(meta.points):g}</td>'
                f'<td>{html.escape(verdict)}</td></tr>')


def template_words(_):
    """The words of nbgrader's feedback template, and the alt text of a figure the notebook drew, in
    the page's language (``_``), for ``overrides.FeedbackExporter`` to put in."""
    return {"Score": _("Score"), "Top": _("Top"), "Student's answer": _("Student's answer"),
            "Student's task": _("Student's task"), "Comments": _("Comments"),
            "Late submission penalty": _("Late submission penalty"), FIGURE_ALT: _("a figure drawn by the notebook")}


def _verdict(function, outputs, _):
    """The first line of a hidden cell's outputs, without the function's name before it."""
    for output in outputs:
        text = (output.get("text") or output.get("evalue") or "").strip()
        if text:
            return text.splitlines()[0].removeprefix(f"{function}: ")
    return _("no result: the cell did not run")


def remember(notebooks):
    """Highlight every code cell and render every markdown cell of ``notebooks`` (the released
    lessons) once, for every page."""
    highlight = RememberedHighlight()
    config = Config()
    configure(config)
    exporter = FeedbackExporter(config=config)
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                highlight.remember(cell.source, metadata=cell.metadata)
            elif cell.cell_type == "markdown":
                exporter.remember_markdown({"cell": cell}, cell.source)


def configure(config, template_cache=None):
    """Add the hiding and cleaning steps to nbgrader's GenerateFeedback pipeline in ``config``."""
    config.GenerateFeedback.preprocessors = [GetGradesAtOnce, CSSHTMLHeaderPreprocessor, ClearHiddenTests,
                                             HideHiddenFailures, SummariseFunctions, SanitizeOutputs]
    config.ClearHiddenTests.enforce_metadata = False
    config.SanitizeOutputs.enabled = True
    config.SanitizeOutputs.tags = SanitizeHTML.tags.default() + MARKDOWN_TAGS + MATHML_TAGS
    config.SanitizeOutputs.attributes = {**SanitizeHTML.attributes.default(), **MARKDOWN_ATTRIBUTES, **MATHML_ATTRIBUTES}
    config.SanitizeOutputs.styles = ["text-align"]  # a markdown table's column alignment
    # text/markdown is cleaned after it is rendered, by the exporter, like a markdown cell.
    config.SanitizeOutputs.sanitized_output_types = {"text/html"}
    config.SanitizeOutputs.safe_output_keys = SanitizeHTML.safe_output_keys.default() | {"text/markdown"}
    config.GenerateFeedback.exporter_class = FeedbackExporter
    config.FeedbackExporter.content_security_policy = CONTENT_SECURITY_POLICY
    config.FeedbackExporter.page_style = PAGE_STYLE
    if template_cache:
        config.FeedbackExporter.template_cache = str(template_cache)
