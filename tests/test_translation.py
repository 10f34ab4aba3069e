"""The Chinese edition: catalogues complete, released in step, read as Chinese, graded as English."""

import contextlib
import csv
import html
import io
import json
import os
import re
import shutil
import warnings

import matplotlib
import nbformat
import polib
import pytest
from nbgrader.utils import compute_checksum

from autograder import checks, cli, grade, synthetic, translate
from autograder import release as release_stage
from autograder.course import LESSONS, available_lessons, lesson_notebook, solution_notebook

LANGUAGE = "zh_CN"
LESSON = "01_computation_graphs"
TRANSLATED = [lesson for lesson in available_lessons() if translate.catalogue_path(lesson, LANGUAGE).exists()]
LIMITS = grade.Limits(cell_timeout=20, notebook_timeout=120)
GLYPH_MISSING = "missing from font"  # matplotlib's warning when a glyph falls back to a tofu box
MATH_GLYPH_MISSING = "does not have a glyph"  # the same from mathtext, which ignores the font fallback list


def chinese(notebook, lesson=LESSON):
    return translate.translate_notebook(notebook, translate.load(lesson, LANGUAGE), LANGUAGE)


def has_chinese(text):
    return any("\u4e00" <= character <= "\u9fff" for character in text)


@pytest.fixture(autouse=True)
def english_checks():
    """Every test starts, and leaves ``autograder.checks``, speaking English."""
    checks.use_language("en")
    yield
    checks.use_language("en")


# --- catalogues -------------------------------------------------------------------------------

def test_lesson_01_has_a_catalogue():
    assert LESSON in TRANSLATED


def test_catalogues_are_complete_and_not_fuzzy():
    problems, notes = translate.check(available_lessons())
    assert problems == []
    # A lesson without a catalogue is one line of notice, never a problem.
    untranslated = [lesson for lesson in available_lessons() if lesson not in TRANSLATED]
    assert [note.split(":")[0] for note in notes] == untranslated


@pytest.mark.parametrize("lesson", TRANSLATED)
def test_every_markdown_cell_and_visible_sentence_is_translated(lesson):
    table = translate.translations(translate.load(lesson, LANGUAGE))
    markdown = [(context, text) for (context, text) in table if ":" not in context]  # a cell id holds no ":"
    assert markdown and all(has_chinese(table[key]) for key in markdown)
    sentences = [key for key in table if re.search(r"[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}", key[1])]
    untranslated = [key for key in sentences if not has_chinese(table[key])]
    assert not untranslated, f"English left as its own translation: {untranslated}"


@pytest.fixture
def scratch_catalogues(tmp_path, monkeypatch):
    """The catalogues copied to a temporary locale/, which translate reads instead of the real one."""
    shutil.copytree(translate.LOCALE, tmp_path / "locale")
    monkeypatch.setattr(translate, "LOCALE", tmp_path / "locale")
    return tmp_path


def edit_catalogue(edit):
    path = translate.catalogue_path(LESSON, LANGUAGE)
    catalogue = polib.pofile(str(path), wrapwidth=0)
    edit(catalogue)
    catalogue.save(str(path))


def release_check(monkeypatch):
    """``python -m autograder release --check --lesson LESSON`` with the release itself taken as
    up to date (its own test is test_notebooks.py): (status, stdout, stderr)."""
    monkeypatch.setattr(release_stage, "stale_lessons", lambda lessons=None: {})
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(["release", "--check", "--lesson", LESSON])
    return status, out.getvalue(), err.getvalue()


def test_release_check_passes_on_the_catalogues_as_they_are(scratch_catalogues, monkeypatch):
    status, out, err = release_check(monkeypatch)
    assert (status, err) == (0, "")


def test_release_check_fails_on_a_missing_entry(scratch_catalogues, monkeypatch):
    edit_catalogue(lambda catalogue: catalogue.remove(catalogue.find("88b921e4", by="msgctxt")))
    status, _, err = release_check(monkeypatch)
    assert status == 1
    assert "cell 88b921e4: no entry" in err


def test_release_check_fails_on_a_fuzzy_entry(scratch_catalogues, monkeypatch):
    edit_catalogue(lambda catalogue: catalogue.find("gate_patterns", by="msgctxt").flags.append("fuzzy"))
    status, _, err = release_check(monkeypatch)
    assert status == 1
    assert "cell gate_patterns: fuzzy" in err


@pytest.fixture
def changed_source(tmp_path, monkeypatch):
    """The lesson's source notebook with the English of markdown cell 88b921e4 changed, as translate reads it."""
    notebook = nbformat.read(solution_notebook(LESSON), as_version=4)
    cell = next(c for c in notebook.cells if c.id == "88b921e4")
    cell.source = cell.source.replace("How do you know", "How can you tell")
    path = tmp_path / f"{LESSON}.ipynb"
    nbformat.write(notebook, path)
    monkeypatch.setattr(translate, "solution_notebook",
                        lambda lesson: path if lesson == LESSON else solution_notebook(lesson))
    return cell.source


def test_release_check_fails_when_the_english_changed(scratch_catalogues, changed_source, monkeypatch):
    status, _, err = release_check(monkeypatch)
    assert status == 1
    assert "cell 88b921e4: its English changed since it was translated" in err


def test_update_marks_changed_english_fuzzy_as_msgmerge_does(scratch_catalogues, changed_source, monkeypatch):
    before = translate.load(LESSON, LANGUAGE).find("88b921e4", by="msgctxt")
    edit_catalogue(lambda catalogue: catalogue.remove(catalogue.find("gate_patterns", by="msgctxt")))
    assert translate.update(LESSON, LANGUAGE) == {"new": 1, "fuzzy": 1, "obsolete": 0}
    after = translate.load(LESSON, LANGUAGE)
    changed = after.find("88b921e4", by="msgctxt")
    assert changed.msgid == changed_source and "fuzzy" in changed.flags
    assert changed.previous_msgid == before.msgid and changed.msgstr == before.msgstr
    assert after.find("gate_patterns", by="msgctxt").msgstr == ""
    assert translate.catalogue_problems(LESSON, LANGUAGE) == [
        f"{LESSON} ({LANGUAGE}) cell 88b921e4: fuzzy (its English changed; check the translation, then remove the flag)",
        f"{LESSON} ({LANGUAGE}) cell gate_patterns: not translated"]


def test_update_of_a_complete_catalogue_changes_nothing(scratch_catalogues):
    path = translate.catalogue_path(LESSON, LANGUAGE)
    before = path.read_bytes()
    assert translate.update(LESSON, LANGUAGE) == {"new": 0, "fuzzy": 0, "obsolete": 0}
    assert path.read_bytes() == before


# --- the release ------------------------------------------------------------------------------

@pytest.mark.parametrize("lesson", TRANSLATED)
def test_chinese_release_is_the_english_one_translated(lesson):
    english = nbformat.read(lesson_notebook(lesson), as_version=4)
    path = LESSONS / LANGUAGE / lesson / f"{lesson}.ipynb"
    assert path.exists(), f"{path} was never released: run `python -m autograder release`"
    fresh = io.StringIO()
    nbformat.write(chinese(english, lesson), fresh)
    assert path.read_text() == fresh.getvalue(), f"{path} is stale: run `python -m autograder release`"


@pytest.mark.parametrize("lesson", TRANSLATED)
def test_graded_and_locked_cells_are_the_english_ones(lesson):
    english = nbformat.read(lesson_notebook(lesson), as_version=4)
    translated = nbformat.read(LESSONS / LANGUAGE / lesson / f"{lesson}.ipynb", as_version=4)
    assert [c.id for c in translated.cells if c.id != translate.LANGUAGE_CELL_ID] == [c.id for c in english.cells]
    assert translated.metadata["backprop_lab"] == {"language": LANGUAGE}
    by_id = {c.id: c for c in english.cells}
    checksummed = [c for c in translated.cells if "checksum" in c.metadata.get("nbgrader", {})]
    assert checksummed
    for cell in checksummed:
        assert (cell.source, cell.metadata) == (by_id[cell.id].source, by_id[cell.id].metadata), cell.id
        assert compute_checksum(cell) == cell.metadata["nbgrader"]["checksum"], cell.id
    rewritten = [c for c in translated.cells if c.id in by_id and c.source != by_id[c.id].source]
    assert all(not c.metadata.get("nbgrader") for c in rewritten)
    assert sum(c.cell_type == "markdown" for c in rewritten) == sum(
        c.cell_type == "markdown" and not c.metadata.get("nbgrader") for c in english.cells)


def test_translated_code_keeps_its_code():
    source = 'ax.set_title(f"step {h:.1e} of {n}", fontsize=8)\nprint("one sided error", x, "o-")\n'
    table = {("c:string", "step {h:.1e} of {n}"): "第 {n} 个中的步长 {h:.1e}",
             ("c:string", "one sided error"): "单侧 “误差”"}
    assert translate.translate_code(source, "c:string", table) == (
        'ax.set_title(f"第 {n} 个中的步长 {h:.1e}", fontsize=8)\nprint("单侧 “误差”", x, "o-")\n')


# --- checks in Chinese ---------------------------------------------------------------------------

def failure_of(check):
    with pytest.raises(checks.CheckFailure) as failure:
        check()
    return str(failure.value)


def test_checks_speak_chinese_only_inside_a_visible_test():
    def wrong_gradient():
        checks.assert_close("add_backward: dx", [1.0, 2.0], [1.0, 3.0])

    english = failure_of(wrong_gradient)
    assert english == "add_backward: dx differs at index (1,): yours 2, expected 3"
    checks.use_language(LANGUAGE)
    # A hidden test records outside any visible test: still English, so grading never depends on the language.
    assert failure_of(wrong_gradient) == english
    assert failure_of(lambda: checks.visible_test(wrong_gradient)) == (
        "add_backward: dx 不一致（在下标 (1,) 处）：你的是 2，期望 3")
    checks.use_language("en")
    assert failure_of(lambda: checks.visible_test(wrong_gradient)) == english


def test_a_visible_test_translates_its_own_sentences_and_printed_lines(capsys):
    def test_add_backward():
        print("add_backward: all visible tests passed")
        loser = "the max gate routes dout to the larger input (the winner); the smaller one gets 0"
        checks.assert_close("max_backward with ties: dx", [0.5], [1.0],
                            explain=[([True], "dx went to x where x is the smaller: " + loser)])

    checks.use_language(LANGUAGE)
    message = failure_of(lambda: checks.visible_test(test_add_backward))
    assert message == ("有平局时的 max_backward：dx 不一致（在下标 (0,) 处）：你的是 0.5，期望 1 — 在 x 较小的位置 dx 给了 x："
                       "max 门把 dout 路由给较大的输入（胜者）；较小的得到 0")
    assert capsys.readouterr().out == "add_backward：所有可见测试均已通过\n"


def test_an_f_string_message_is_translated_with_what_it_printed():
    def test_step_size_errors():
        errors = [3e-4, 2e-5]
        checks.fail(f"step_size_errors(np.exp, np.exp, 1.0, [1e-13, 1e-12]) gave {errors}: at steps this small "
                    "the rounding error eps |f| / h dominates, so both errors should be above 1e-6")

    checks.use_language(LANGUAGE)
    message = failure_of(lambda: checks.visible_test(test_step_size_errors))
    assert message.startswith("step_size_errors(np.exp, np.exp, 1.0, [1e-13, 1e-12]) 给出了 [0.0003, 2e-05]：")


def test_an_f_string_that_starts_a_longer_message_is_translated_there_and_the_rest_after_it():
    """A check's name is often an f-string; the message goes on after it. The name's last value ends
    where its template's text resumes, not at the end of the message."""
    name = "train_and_watch(model with activation={activation!r}, eps={eps})"
    patterns = [(checks.pattern(name), "train_and_watch（激活函数为 {activation!r} 的模型，eps={eps}）")]
    texts = {"rescale h1 to the range": "把 h1 缩放到区间"}
    message = ("train_and_watch(model with activation='relu', eps=0.1) differs: yours 1, expected 2 — "
               "rescale h1 to the range (high - low)")
    assert checks.localize(message, *checks.longest_first(texts, patterns)) == (
        "train_and_watch（激活函数为 'relu' 的模型，eps=0.1） differs: yours 1, expected 2 — 把 h1 缩放到区间 (high - low)")


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="no catalogue"):
        checks.use_language("xx_XX")


# --- figures ---------------------------------------------------------------------------------

def glyph_warnings(families):
    """matplotlib's missing-glyph warnings when a Chinese title is drawn with ``font.family`` = ``families``."""
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"font.family": families}), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title("relu 的输入到折点的距离 |z|")
        fig.canvas.draw()
        plt.close(fig)
    return [str(w.message) for w in caught if GLYPH_MISSING in str(w.message)]


def test_the_language_cell_font_list_draws_chinese_without_tofu():
    fonts = translate.font_families(LANGUAGE)
    assert f"plt.rcParams[\"font.family\"] = {json.dumps(fonts)}" in translate.language_cell(LANGUAGE).source
    assert glyph_warnings(["DejaVu Sans"]), "DejaVu Sans alone should miss Chinese glyphs: the check is blind"
    assert glyph_warnings(fonts) == [], (f"install fonts-wqy-microhei (and delete matplotlib's "
                                               f"fontlist-*.json in {matplotlib.get_cachedir()} if it predates it)")


@pytest.mark.slow
@pytest.mark.parametrize("lesson", TRANSLATED)
def test_chinese_lesson_with_the_reference_answers_runs_and_draws_every_glyph(lesson):
    """The Chinese lesson with the reference solutions filled in, top to bottom, figures rendered
    as in JupyterLab (the inline backend, not Agg's no-op show)."""
    from nbclient import NotebookClient

    notebook = chinese(synthetic.complete(lesson), lesson)
    env = {k: v for k, v in os.environ.items() if k not in ("BACKPROP_RECORDS", "MPLBACKEND")}
    NotebookClient(notebook, timeout=300, resources={"metadata": {"path": str(solution_notebook(lesson).parent)}}
                   ).execute(env=env)
    figures, passed = 0, []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{cell.id}: {output.ename}: {output.evalue}"
            if output.output_type == "stream":
                assert not any(warning in output.text for warning in (GLYPH_MISSING, MATH_GLYPH_MISSING, "findfont")), \
                    f"{cell.id}: {output.text}"
                passed += [line for line in output.text.splitlines() if line.endswith("所有可见测试均已通过")]
            figures += "image/png" in output.get("data", {})
    assert figures >= 4
    assert len(passed) == sum(c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_")
                              for c in notebook.cells)


# --- grading ---------------------------------------------------------------------------------

# A known mistake per lesson, one whose hidden test explains it.
WRONG = {"01_computation_graphs": "mul_backward_no_swap", "02_jacobians": "affine_backward_dW_transposed",
         "03_sigmoid_saturation": "sigmoid_forward_sign_flipped", "04_relu_backprop": "relu_backward_ge_at_kink",
         "05_two_layer_net": "softmax_missing_1_over_N"}


@pytest.fixture(scope="module")
def mixed_class(tmp_path_factory):
    """One grading run of English and Chinese twins of every translated lesson: complete, and with a known mistake."""
    root = tmp_path_factory.mktemp("mixed")
    for lesson in TRANSLATED:
        wrong = next(v for v in synthetic.corpus(lesson, "wrong") if v.name == WRONG[lesson])
        twins = {"complete": synthetic.complete(lesson, lean=True), "wrong": synthetic.with_variant(wrong, lean=True)}
        for name, notebook in twins.items():
            synthetic.write_submission(root / "submitted", f"en_{name}", lesson, notebook)
            synthetic.write_submission(root / "submitted", f"zh_{name}", lesson, chinese(notebook, lesson))
    grade.grade(root / "submitted", root / "out", lessons=TRANSLATED, jobs=2, limits=LIMITS)
    return root


def table(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_chinese_and_english_twins_score_the_same_cell_by_cell(mixed_class):
    grades = {(row["student_id"], row["assignment_id"]): row for row in table(mixed_class / "out" / "grades.csv")}
    cells = {}
    for row in table(mixed_class / "out" / "cells.csv"):
        cells.setdefault((row["student_id"], row["assignment_id"]), {})[row["grade_id"]] = row["score"]
    for lesson in TRANSLATED:
        for name in ("complete", "wrong"):
            english, translated = grades[f"en_{name}", lesson], grades[f"zh_{name}", lesson]
            assert (translated["score"], translated["status"]) == (english["score"], english["status"]), (lesson, name)
            assert cells[f"zh_{name}", lesson] == cells[f"en_{name}", lesson], (lesson, name)
        assert float(grades["en_wrong", lesson]["score"]) < float(grades["en_complete", lesson]["score"]), lesson


def feedback_page(root, student, lesson):
    return html.unescape((root / "out" / "feedback" / student / lesson / f"{lesson}.html").read_text())


@pytest.mark.slow
@pytest.mark.parametrize("lesson", TRANSLATED)
def test_a_chinese_feedback_page_explains_the_hidden_failure_in_chinese(mixed_class, lesson):
    """The page's own sentences from feedback.po, and the hidden test's hint from the lesson's catalogue."""
    _ = translate.gettext("feedback", LANGUAGE)
    english = feedback_page(mixed_class, "en_wrong", lesson)
    failed = re.findall(r"The hidden tests of (\w+) failed: (.*?)\. Run the visible tests again", english)
    assert failed, f"{lesson}: the English page names no hidden failure with a hint"
    page = feedback_page(mixed_class, "zh_wrong", lesson)
    for function, hint in failed:
        chinese_hint = translate.hint(hint, lesson, LANGUAGE)
        assert has_chinese(chinese_hint), f"{lesson}: no Chinese for the hint {hint!r}"
        assert _("The hidden tests of {function} failed: {hint}. Run the visible tests again and compare with the "
                 "lesson's conventions.").format(function=function, hint=chinese_hint) in page
    assert _("what the hidden tests found") in page and "what the hidden tests found" not in page
    assert "The hidden tests of" not in page and "hidden tests passed" not in page


@pytest.mark.slow
def test_a_chinese_submission_reads_its_visible_test_in_chinese(mixed_class, tmp_path):
    """Its feedback page, and ``python -m autograder check`` on the notebook itself."""
    lesson = "01_computation_graphs"
    sentence = "dx 算成了 x * dout：乘法门做交换，dx = y * dout（另一个输入）"
    assert sentence in feedback_page(mixed_class, "zh_wrong", lesson)
    assert sentence not in feedback_page(mixed_class, "en_wrong", lesson)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main(["check", str(mixed_class / "submitted" / "zh_wrong" / lesson / f"{lesson}.ipynb")])
    lines = out.getvalue().splitlines()
    line = next(line for line in lines if line.startswith("mul_backward "))
    assert status == 1 and sentence in line
    _ = translate.gettext("check", LANGUAGE)
    assert ["add_backward", _("passed")] in [line.split() for line in lines]  # the command's words in Chinese too
    assert lines[-1].startswith(_("visible tests: {passed} / {total} passed (the grade comes from the hidden tests, "
                                  "run when the lesson is graded)").split("{passed}")[0])


def test_every_relative_image_of_a_released_chinese_lesson_resolves_to_a_file():
    """An edition lies a folder deeper than its English lesson (lessons/zh_CN/<lesson>/): its images'
    relative paths, as nbconvert's markdown renders them, must say so."""
    from html.parser import HTMLParser
    from urllib.parse import unquote, urlsplit

    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    class Images(HTMLParser):
        def __init__(self):
            super().__init__()
            self.sources = []

        def handle_starttag(self, tag, attrs):
            if tag == "img":
                self.sources.append(dict(attrs)["src"])

    released = sorted((LESSONS / LANGUAGE).glob("*/*.ipynb"))
    assert released, f"no Chinese lesson released in {LESSONS / LANGUAGE}"
    relative, missing = [], []
    for path in released:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            images = Images()
            images.feed(markdown2html_mistune(cell.source))
            for source in images.sources:
                if urlsplit(source).scheme or source.startswith("/"):
                    continue   # a web address, data: or attachment:, or a server path
                relative.append(source)
                if not (path.parent / unquote(urlsplit(source).path)).is_file():
                    missing.append(f"{path.relative_to(LESSONS)} cell {cell.id}: {source}")
    assert relative, "no relative image in the released Chinese lessons: this test checks nothing"
    assert not missing, "images that do not resolve:\n" + "\n".join(missing)
