"""Feedback: the per-student HTML pages, with hidden tests kept hidden.

nbgrader's ``generate_feedback`` renders the autograded notebook. On its own it shows the
hidden tests' source and tracebacks (jupyter/nbgrader#917), which gives the hidden inputs
and answers away. Two more steps in its pipeline prevent that: nbgrader's own
``ClearHiddenTests`` removes the hidden region from the source, and ``HideHiddenFailures``
replaces a hidden cell's outputs with one sentence: which function failed and, where the
check named a known mistake, that hint.
"""

import re

import nbformat
from jinja2 import FileSystemBytecodeCache
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbformat.v4 import new_output
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor
from traitlets import Unicode

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


class RememberedHighlight(Highlight2HTML):
    """nbconvert's code highlighter, remembering what it highlighted.

    Most cells of a feedback page (the lesson's code, its visible tests) are the same for
    every student, and highlighting them is a fifth of a page's cost. ``remember`` fills the
    memory in the grading process before its workers fork, so each worker only highlights
    what its student wrote.
    """

    memory = {}  # (source, language, magics language: all that highlighting reads) -> HTML

    def __call__(self, source, language=None, metadata=None):
        key = (source, language or self.pygments_lexer, (metadata or {}).get("magics_language"))
        if key not in self.memory:
            self.memory[key] = super().__call__(source, language, metadata)
        return self.memory[key]


def remember(notebooks):
    """Highlight every code cell of ``notebooks`` (the released lessons) once, for every page."""
    highlight = RememberedHighlight()
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                highlight(cell.source, metadata=cell.metadata)


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter, made cheaper for one page per student.

    - Its compiled templates are shared through a folder: nbgrader builds a new exporter,
      and Jinja compiles every template again, for each page; Jinja's bytecode cache writes
      each compiled template once (atomically) for every grading worker to load.
    - It highlights code with ``RememberedHighlight``.
    - It renders the page in one pass. ``HTMLExporter`` parses every page it has rendered
      again with BeautifulSoup, half a feedback page's cost, to give images without one an
      alt text and to make JupyterLab-template cells focusable; nbgrader's feedback template
      is not JupyterLab's, so only the alt text applies, and a pattern adds it.
    """

    template_cache = Unicode("", help="folder for compiled templates, shared by the grading workers").tag(config=True)

    def _create_environment(self):
        environment = super()._create_environment()
        if self.template_cache:
            environment.bytecode_cache = FileSystemBytecodeCache(self.template_cache)
        return environment

    def from_notebook_node(self, nb, resources=None, **kw):
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name"))
        resources = self._init_resources(resources)
        # The two filters HTMLExporter registers before rendering, as it registers them.
        self.register_filter("highlight_code", self.filters.get("highlight_code",
                                                                RememberedHighlight(pygments_lexer=lexer, parent=self)))
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata,
                                                                       parent=self, resources=resources))
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return IMAGE_WITHOUT_ALT.sub(r'\1 alt="a figure drawn by the notebook"', html), resources


IMAGE_WITHOUT_ALT = re.compile(r"(<img\b)(?![^>]*\balt=)")


def configure(config, template_cache=None):
    """Add the hiding steps to nbgrader's GenerateFeedback pipeline in ``config``."""
    config.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor,
                                             ClearHiddenTests, HideHiddenFailures]
    config.ClearHiddenTests.enforce_metadata = False
    config.GenerateFeedback.exporter_class = FeedbackExporter
    if template_cache:
        config.FeedbackExporter.template_cache = str(template_cache)
