"""The pages a student or an instructor opens: what a student wrote neither runs nor loads."""

import csv
import html
import html.parser
import re

import nbformat
import numpy as np
import pytest
from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from autograder import checks, feedback, markup, overrides, report, translate
from autograder.judge import PASSED
from autograder.course import LESSON_IDS, LESSONS

ATTACK = "<img src=x onerror=alert(1)>"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
JPEG = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAP"

# A markdown cell the student wrote: every way in, each in a paragraph of its own.
STUDENT_MARKDOWN = f"""\
<script>alert(1)</script>

{ATTACK} <div onclick="alert(1)">click</div> <svg onload="alert(1)"><script>alert(1)</script></svg>

<a href="javascript:alert(1)">an HTML link</a> and [a markdown link](javascript:alert(1))

<iframe src="http://example.invalid/frame"></iframe> <object data="http://example.invalid/o"></object>
<embed src="http://example.invalid/e">

<style>body {{ background: url(http://example.invalid/bg.png) }}</style>
<link rel="stylesheet" href="http://example.invalid/s.css">
<meta http-equiv="refresh" content="0; url=http://example.invalid/">
<base href="http://example.invalid/">
<form action="http://example.invalid/"><input name="p"></form>

![an external image](http://example.invalid/x.png)
<span style="cursor: url(http://example.invalid/c.png), auto">a cursor</span>
"""

LESSON_MARKDOWN = r"""# Honest heading

The gradient $\frac{\partial L}{\partial x} < 1$, and a matrix:

$$\begin{bmatrix} a & b \end{bmatrix}$$

| input | gradient |
|:------|---------:|
| 1     | 2        |

- **strong** and *emphasis*, `x < y` in code
"""


def displayed(data, kind="display_data", **metadata):
    """An output that shows ``data``."""
    if kind == "execute_result":
        return new_output(kind, data=data, metadata=metadata, execution_count=1)
    return new_output(kind, data=data, metadata=metadata)


def attack_notebook():
    """A graded notebook whose student wrote and displayed HTML that runs or loads things."""
    outputs = [
        displayed({"text/html": ATTACK + '<iframe src="http://example.invalid/"></iframe>', "text/plain": "html"}),
        displayed({"application/javascript": "alert(1)", "text/plain": "<IPython.core.display.Javascript object>"}),
        displayed({"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                                    '<image href="http://example.invalid/s.png"/></svg>'}),
        displayed({"text/markdown": "[a link](javascript:alert(1)) ![x](http://example.invalid/m.png)"},
                  "execute_result"),
        # The template writes an image's width unquoted, and its filename as the source.
        displayed({"image/png": PNG}, filenames={"image/png": "http://example.invalid/f.png"},
                  **{"image/png": {"width": "1 onerror=alert(1)"}}),
    ]
    honest = [
        displayed({"image/png": PNG, "text/plain": "<Figure>"}),
        displayed({"image/jpeg": JPEG, "text/plain": "<Figure>"}),
        new_output("stream", name="stdout", text="honest stream output\n"),
        new_output("error", ename="ValueError", evalue="honest error message",
                   traceback=["ValueError: honest error message"]),
    ]
    return new_notebook(cells=[
        new_markdown_cell(LESSON_MARKDOWN),
        new_markdown_cell(STUDENT_MARKDOWN),
        new_raw_cell("<script>alert(1)</script>" + ATTACK, metadata={"raw_mimetype": "text/html"}),
        new_code_cell("show_everything()", outputs=outputs + honest),
    ])


def exporter(tmp_path):
    """The exporter nbgrader's ``generate_feedback`` makes from ``feedback.configure``, steps and all.

    As ``BaseConverter.start`` does, but without ``GetGradesAtOnce``, which reads the gradebook:
    ``render`` hands over what it would.
    """
    config = Config()
    feedback.configure(config)
    converter = GenerateFeedback(coursedir=CourseDirectory(root=str(tmp_path)), config=config)
    made = converter.exporter_class(parent=converter, config=converter.config)
    for step in converter.preprocessors:
        if step is not overrides.GetGradesAtOnce:
            made.register_preprocessor(step)
    return made


def render(notebook, tmp_path):
    """The feedback page of ``notebook``; every graded cell scored 0, as ``GetGradesAtOnce`` would write."""
    for cell in notebook.cells:
        if "nbgrader" in cell.metadata:
            cell.metadata.nbgrader.setdefault("score", 0)
    grades = {"notebook": "lesson", "score": 0, "max_score": 1, "late_penalty": 0}
    return exporter(tmp_path).from_notebook_node(notebook, resources={"nbgrader": grades})[0]


class Elements(html.parser.HTMLParser):
    """A page's elements in order, as (tag, attributes, inside <head>), and its text."""

    def __init__(self, page):
        super().__init__()
        self.elements, self.text, self.in_head = [], [], False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), self.in_head))
        self.in_head = self.in_head or tag == "head"

    def handle_endtag(self, tag):
        self.in_head = self.in_head and tag != "head"

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    return render(attack_notebook(), tmp_path_factory.mktemp("feedback"))


def test_nothing_a_student_wrote_runs(page):
    elements = Elements(page).elements
    scripts = [(attrs.get("src"), attrs.get("type"), in_head) for tag, attrs, in_head in elements if tag == "script"]
    assert scripts == []  # not even the template's MathJax: the page's math is MathML
    assert not [name for _, attrs, _ in elements for name in attrs if name.startswith("on")]
    assert not [value for _, attrs, _ in elements for value in attrs.values()
                if value and "javascript:" in re.sub(r"\s", "", value).lower()]


def test_nothing_a_student_wrote_loads(page):
    body = [(tag, attrs) for tag, attrs, in_head in Elements(page).elements if not in_head]
    loading = {"script", "iframe", "object", "embed", "style", "link", "meta", "base", "form", "svg"}
    assert not loading & {tag for tag, _ in body}
    assert not [value for _, attrs in body for value in attrs.values() if value and "example.invalid" in value]


def test_the_page_allows_no_script_and_no_load(page):
    elements = Elements(page).elements
    tags = [tag for tag, _, _ in elements]
    tag, attrs, _ = elements[tags.index("head") + 1]
    assert (tag, attrs.get("http-equiv")) == ("meta", "Content-Security-Policy")
    policy = {name: set(sources) for name, *sources in (d.split() for d in attrs["content"].split(";"))}
    assert policy == {"default-src": {"'none'"}, "style-src": {"'unsafe-inline'"}, "img-src": {"data:"},
                      "base-uri": {"'none'"}, "form-action": {"'none'"}}


def test_what_the_page_is_for_is_still_there(page):
    assert f'src="data:image/png;base64,{PNG}"' in page
    assert f'src="data:image/jpeg;base64,{JPEG}"' in page
    assert "honest stream output" in page and "ValueError: honest error message" in page
    assert re.search(r"<h1[^>]*>Honest heading", page)
    # Math is MathML, made with the page: the fraction, the comparison, the matrix's two cells.
    assert re.search(r'<math display="inline"><mrow><mfrac>.*?<mo>&#x0003C;</mo><mn>1</mn></mrow></math>', page)
    assert re.search(r'<math display="block">.*?<mtd><mi>a</mi></mtd><mtd><mi>b</mi></mtd>', page)
    assert "$" not in "".join(Elements(page).text)
    assert re.search(r'<th style="text-align:left;?">input</th>', page)
    assert "<strong>strong</strong>" in page and "<code>x &lt; y</code>" in page


@pytest.mark.parametrize("lesson", LESSON_IDS)
def test_cleaning_keeps_a_lessons_markdown_and_renders_all_its_math(lesson, tmp_path):
    """Every element and every character of a lesson's markdown survives the cleaning, its
    math as MathML (no TeX left in the text) and its figures embedded."""
    made = exporter(tmp_path)
    for cell in nbformat.read(LESSONS / lesson / f"{lesson}.ipynb", as_version=4).cells:
        if cell.cell_type == "markdown":
            plain = Elements(markup.render_math(HTMLExporter.markdown2html(made, {}, cell.source)))
            cleaned = Elements(made.markdown2html({}, cell.source))
            assert [tag for tag, _, _ in cleaned.elements] == [tag for tag, _, _ in plain.elements]
            assert cleaned.text == plain.text
            code = {"".join(Elements(c).text) for c in re.findall(r"<code>.*?</code>", made.markdown2html({}, cell.source))}
            assert "$" not in "".join(t for t in cleaned.text if t not in code), cell.source[:200]
            for tag, attrs, _ in cleaned.elements:
                assert tag != "img" or attrs["src"].startswith("data:image/png;base64,"), attrs


def test_course_figures_are_embedded_and_no_other_image_loads(tmp_path):
    made = exporter(tmp_path)
    page = made.markdown2html({}, "![the graph](../../assets/graph_add_mul.png) ![x](http://example.invalid/a.png)"
                                  " ![y](../../assets/not_there.png) ⟦figure ../../etc/passwd|x⟧")
    images = [attrs for tag, attrs, _ in Elements(page).elements if tag == "img"]
    assert images[0]["alt"] == "the graph" and images[0]["src"].startswith("data:image/png;base64,iVBOR")
    assert all("src" not in attrs for attrs in images[1:]) and "passwd" in page


def hidden_cell(function, score, output):
    return new_code_cell("", outputs=[output], metadata={
        "nbgrader": {"grade": True, "solution": False, "locked": True, "grade_id": f"hidden_{function}",
                     "points": 2, "score": score, "schema_version": 3}})


def test_the_summary_names_each_graded_function_with_its_points_and_verdict(tmp_path):
    def hidden(function, score, text):
        return hidden_cell(function, score, new_output("stream", name="stdout", text=text + "\n"))

    notebook = new_notebook(cells=[hidden("relu_backward", 2, "relu_backward: hidden tests passed"),
                                   hidden("relu_forward", 0, "<b>not html</b>")])
    page = render(notebook, tmp_path)
    summary = re.search(r'<table class="summary">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr class=\"(\w+)\">.*?<code>(\w+)</code>.*?<td>(.*?)</td><td>(.*?)</td></tr>", summary)
    assert rows == [("passed", "relu_backward", "2 / 2", "hidden tests passed"),
                    ("failed", "relu_forward", "0 / 2", "&lt;b&gt;not html&lt;/b&gt;")]
    assert ">Test cell<" not in page


def test_a_chinese_notebooks_page_speaks_chinese_and_an_unknown_language_english(tmp_path):
    sign = checks.diagnose(np.array([-1.0, 2.0]), np.array([1.0, -2.0]))  # a hint the checks' catalogue translates
    failure = f"relu_forward: out differs at index (0,): yours -1, expected 1 — {sign}"
    cells = [hidden_cell("relu_backward", 2, new_output("stream", name="stdout", text=f"relu_backward: {PASSED}\n")),
             hidden_cell("relu_forward", 0, new_output("error", ename="CheckFailure", evalue=failure, traceback=[]))]
    _ = translate.gettext("feedback", "zh_CN")
    chinese_hint = translate.hint(sign, "04_relu_backprop", "zh_CN")
    assert chinese_hint != sign and re.search("[\u4e00-\u9fff]", chinese_hint)
    pages = {}
    for language in ("zh_CN", "xx/../../etc"):
        notebook = new_notebook(cells=cells, metadata={"backprop_lab": {"language": language}})
        pages[language] = render(notebook, tmp_path)
    summary = re.search(r'<table class="summary">.*?</table>', pages["zh_CN"], re.S).group(0)
    assert [html.unescape(t) for t in re.findall(r"<th>(.*?)</th>", summary)] == [
        _("function"), _("points"), _("what the hidden tests found")]
    assert re.search("[\u4e00-\u9fff]", _("hidden tests passed"))
    assert f"relu_backward: {_('hidden tests passed')}" in pages["zh_CN"]
    sentence = _("The hidden tests of {function} failed: {hint}. Run the visible tests again and compare with the "
                 "lesson's conventions.").format(function="relu_forward", hint=chinese_hint)
    assert html.escape(sentence, quote=False) in pages["zh_CN"]
    assert sign not in pages["zh_CN"] and "The hidden tests of" not in pages["zh_CN"]
    # nbgrader's template says "Score" around every graded cell: the page's language there too.
    assert f'<a href="#top">({_("Top")})</a>' in pages["zh_CN"] and "Score: " not in pages["zh_CN"]
    # A language the course has no catalogue for (a student may write anything there) is English.
    assert "The hidden tests of relu_forward failed: " + sign in html.unescape(pages["xx/../../etc"])


def test_report_escapes_what_students_wrote(tmp_path):
    tables = {
        "grades.csv": [["student_id", "assignment_id", "score", "max_score", "status"],
                       [ATTACK, ATTACK, "1", "2", "ok"]],
        "cells.csv": [["student_id", "assignment_id", "grade_id", "score", "max_score"],
                      [ATTACK, ATTACK, "test_" + ATTACK, "0", "1"]],
        "failures.csv": [["student_id", "assignment_id", "grade_id", "message"],
                         [ATTACK, ATTACK, "test_" + ATTACK, "CheckFailure: <script>alert(1)</script>"]],
    }
    for name, rows in tables.items():
        with open(tmp_path / name, "w", newline="") as handle:
            csv.writer(handle).writerows(rows)
    page = report.write_report(tmp_path).read_text()
    elements = Elements(page).elements
    assert "script" not in {tag for tag, _, _ in elements}
    assert not [name for _, attrs, _ in elements for name in attrs if name.startswith("on")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and html.escape(ATTACK) in page
