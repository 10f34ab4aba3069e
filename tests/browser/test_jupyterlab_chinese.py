"""The Chinese edition in JupyterLab (`make lab LAB_LANGUAGE=zh_CN`), proven in a real browser.

JupyterLab starts as test_jupyterlab.py starts it, plus the Chinese settings that
`make lab LAB_LANGUAGE=zh_CN` adds (etc/jupyterlab/zh_CN/), and serves the student's copy of the
Chinese lessons (work/zh_CN/, made by autograder.workspace as `make lab` makes it). Lesson 01:

- the student notebook, after Run All Cells (from the Chinese Run menu): the menu bar reads as the
  language pack translates JupyterLab, the markdown's headings are the Chinese ones, the first
  visible test fails with autograder.checks's Chinese sentence (from locale/zh_CN/LC_MESSAGES/checks.po),
  the diagrams of assets/ load, and no request leaves the machine;
- the same notebook with the reference answers filled in runs clean (no matplotlib warning of a
  glyph missing from its fonts) and shows every figure it draws as a loaded image.

Screenshots: test-artifacts/screenshots/zh_CN-lesson01.png (the window at the first failing test)
and zh_CN-lesson01-answers.png (the whole notebook with its figures).
"""

import functools
import importlib.resources
import json
import re

import nbformat
import polib
import pytest

from autograder import synthetic, translate, workspace
from chromium import browser  # noqa: F401 (a fixture)
from test_jupyterlab import page  # noqa: F401 (a fixture, on this module's lab)
from test_jupyterlab import (block_network, error_outputs, grade_ids, open_notebook, run_all_cells, running_lab,
                             screenshot, screenshot_notebook)

pytestmark = pytest.mark.slow

LANGUAGE = "zh_CN"
LESSON = "01_computation_graphs"
PACK = "jupyterlab_language_pack_zh_CN"   # the language pack pinned in pyproject.toml
MENUS = ("File", "Edit", "View", "Run", "Kernel", "Tabs", "Settings", "Help")   # JupyterLab's own, in order
CJK = re.compile(r"[\u4e00-\u9fff]")

HEADINGS_JS = """(notebook) => [...notebook.querySelectorAll('.jp-MarkdownOutput :is(h1, h2, h3, h4, h5, h6)')]
  .map(h => h.innerText)"""
IMAGES_JS = """(imgs) => imgs.map(i => ({src: i.src, loaded: i.complete && i.naturalWidth > 0}))"""


@functools.cache
def pack_catalogue():
    path = importlib.resources.files(PACK) / "locale" / LANGUAGE / "LC_MESSAGES" / "jupyterlab.json"
    return json.loads(path.read_text(encoding="utf-8"))


def in_chinese(english, context=None):
    """JupyterLab's ``english`` (a msgid, in gettext ``context``) as the language pack translates it."""
    return pack_catalogue()[f"{context}\x04{english}" if context else english][0]


def not_implemented_sentence(function):
    """What autograder.checks says, in Chinese, of a function still raising NotImplementedError."""
    catalogue = polib.pofile(str(translate.catalogue_path("checks", LANGUAGE)))
    entry = next(e for e in catalogue if e.msgid.startswith("{name} is not implemented yet"))
    return entry.msgstr.format(name=function)


def chinese_characters(text):
    return "".join(CJK.findall(text))


def heading_characters(notebook_path):
    """The Chinese characters of each markdown heading of a notebook, in order."""
    cells = nbformat.read(notebook_path, as_version=4).cells
    return [chinese_characters(line) for cell in cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if re.match(r"#{1,6} ", line)]


def markdown_images(notebook_path):
    """How many images (``![...](...)``) the markdown cells of a notebook show."""
    cells = nbformat.read(notebook_path, as_version=4).cells
    return sum(len(re.findall(r"!\[[^\]]*\]\(", cell.source)) for cell in cells if cell.cell_type == "markdown")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab in Chinese, on the student's copies of the Chinese lessons (work/zh_CN/)."""
    with running_lab(tmp_path_factory.mktemp("jupyterlab-zh_CN"), language=LANGUAGE) as lab:
        assert LESSON in workspace.prepare(lab.root / "work", lab.root / "lessons", language=LANGUAGE)
        yield lab


def test_the_chinese_lesson_opens_in_a_chinese_lab_and_fails_its_first_test_in_chinese(page, lab):
    left = block_network(page.context)
    path = f"work/{LANGUAGE}/{LESSON}/{LESSON}.ipynb"
    ids = grade_ids(lab.root / path)
    first_test = next(i for i, grade_id in enumerate(ids) if grade_id and grade_id.startswith("test_"))
    notebook = open_notebook(page, lab, path)

    menus = page.locator("#jp-menu-panel .lm-MenuBar-item").all_inner_texts()
    expected = [in_chinese(title, "menu") for title in MENUS]
    assert all(chinese_characters(title) for title in expected), f"menus the pack leaves in English: {expected}"
    # JupyterLab's menus in the pack's Chinese; an extension's own menu (nbgrader's) may come between them.
    assert [title for title in menus if title in expected] == expected and not set(MENUS) & set(menus), (
        f"the menu bar is not the language pack's Chinese: {menus}")

    outputs = run_all_cells(page, path, menu=in_chinese("Run", "menu"), item=in_chinese("Run All Cells"))

    headings = [chinese_characters(text) for text in notebook.evaluate(HEADINGS_JS)]
    assert headings == heading_characters(lab.root / path) and all(headings), f"headings not in Chinese: {headings}"
    errors = [(i, o) for i, o in error_outputs(outputs) if o["output_type"] == "error"]
    assert errors and errors[0][0] == first_test, f"the first error is not the first visible test's: {errors[:1]}"
    sentence = not_implemented_sentence(ids[first_test][len("test_"):])
    assert chinese_characters(sentence), f"checks.po leaves the sentence in English: {sentence}"
    rendered = notebook.locator(".jp-Cell").nth(first_test).locator(".jp-OutputArea-output")
    assert f"CheckFailure: {sentence}" in rendered.inner_text(), rendered.inner_text()
    diagrams = notebook.locator(".jp-MarkdownOutput img").evaluate_all(IMAGES_JS)
    assert len(diagrams) == markdown_images(lab.root / path), diagrams
    assert all("/assets/" in image["src"] for image in diagrams), diagrams
    assert all(image["loaded"] for image in diagrams), f"images that did not load: {diagrams}"
    rendered.scroll_into_view_if_needed()
    screenshot(page, f"{LANGUAGE}-lesson01")
    assert not left, f"requests that would have left the machine: {left}"


def test_the_chinese_lesson_with_the_reference_answers_shows_every_figure(page, lab):
    left = block_network(page.context)
    path = f"work/{LANGUAGE}/{LESSON}/{LESSON}-answers.ipynb"
    answers = translate.translate_notebook(synthetic.complete(LESSON), translate.load(LESSON, LANGUAGE), LANGUAGE)
    nbformat.write(answers, lab.root / path)
    notebook = open_notebook(page, lab, path)

    outputs = run_all_cells(page, path, menu=in_chinese("Run", "menu"), item=in_chinese("Run All Cells"))

    problems = [f"cell {i}: {o.get('ename', 'stderr')}: {o.get('evalue', o.get('text', ''))[:300]}"
                for i, o in error_outputs(outputs)]   # matplotlib's "Glyph ... missing from font" is a stderr warning
    assert not problems, "error output in the Chinese lesson with the reference answers:\n" + "\n".join(problems)
    figures = sum("image/png" in o.get("data", {}) for cell_outputs in outputs for o in cell_outputs or [])
    images = notebook.locator(".jp-Cell img").evaluate_all(IMAGES_JS)
    assert figures and len(images) == figures + markdown_images(lab.root / path), (
        f"{figures} figure(s) drawn, {len(images)} <img> shown")
    assert all(image["loaded"] for image in images), f"images that did not load: {images}"
    screenshot_notebook(page, f"{LANGUAGE}-lesson01-answers")
    assert not left, f"requests that would have left the machine: {left}"
