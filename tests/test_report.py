"""The instructor's report, from small hand-written tables: no grading run."""

import csv
import functools
import html
import html.parser
import json
import re
import warnings

import polib
import pytest

from autograder import cli, report, tables, translate
from autograder.tables import CELL_COLUMNS, FAILURE_COLUMNS, GRADE_COLUMNS

LESSON = "01_graphs"
OTHER = "02_jacobians"
ATTACK = "<img src=x onerror=alert(1)>"
WRONG_SIGN = "CheckFailure: add_backward differs: yours -1, expected 1"
WRONG_DTYPE = "CheckFailure: add_backward(3): dx has dtype int64, expected float64"


def stub(function):
    """The message of a function's untouched stub (the first line of its NotImplementedError)."""
    return f"RecordedFailure: {function} is not implemented yet: replace `raise NotImplementedError()` in its cell"


def write(out, grades, results):
    """Write grades.csv, and cells.csv and failures.csv from ``results``: (student, lesson,
    function, failure message or "" for full points); a function's visible test has 0 points."""
    cells, failures = [], []
    for student, lesson, function, message in results:
        cells += [[student, lesson, f"hidden_{function}", 0 if message else 2, 2],
                  [student, lesson, f"test_{function}", 0, 0]]
        if message:
            failures.append([student, lesson, f"hidden_{function}", message])
    failures += [[student, lesson, "", "the notebook is a symbolic link"]
                 for student, lesson, _, _, status, *_ in grades if status == "invalid submission"]
    for name, columns, rows in (("grades.csv", GRADE_COLUMNS, grades), ("cells.csv", CELL_COLUMNS, cells),
                                ("failures.csv", FAILURE_COLUMNS, failures)):
        with open(out / name, "w", newline="") as handle:
            csv.writer(handle).writerows([columns, *rows])


class Tables(html.parser.HTMLParser):
    """A page's tables as lists of rows of cell texts, each keyed by the id of the nearest
    element with an id that opened before it (its own, or its <details>')."""

    def __init__(self, page):
        super().__init__()
        self.tables, self.last_id, self.cell = {}, None, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.last_id = dict(attrs).get("id") or self.last_id
        if tag == "table":
            self.rows = self.tables[self.last_id] = []
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


class Links(html.parser.HTMLParser):
    """Every tag of a page, and every src and href value."""

    def __init__(self, page):
        super().__init__()
        self.tags, self.targets = [], []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.targets += [value for name, value in attrs if name in ("src", "href")]


def a_class(tmp_path):
    """Seven students graded on one lesson: one right, three wrong (two with the same answer), three
    who left ``add_backward`` as the stub; one of those left every function so; and one missing."""
    grades = [[s, LESSON, score, 4, "graded"] for s, score in
              (("ann", 4), ("bob", 2), ("cy", 2), ("dee", 2), ("eve", 2), ("fay", 2), ("gus", 0))]
    grades.append(["hal", LESSON, 0, 0, "missing"])
    results = [["ann", LESSON, "add_backward", ""], ["bob", LESSON, "add_backward", WRONG_SIGN],
               ["cy", LESSON, "add_backward", WRONG_SIGN], ["dee", LESSON, "add_backward", WRONG_DTYPE]]
    results += [[s, LESSON, "add_backward", stub("add_backward")] for s in ("eve", "fay", "gus")]
    results += [[s, LESSON, "mul_backward", stub("mul_backward") if s == "gus" else ""]
                for s in ("ann", "bob", "cy", "dee", "eve", "fay", "gus")]
    write(tmp_path, grades, results)
    return report.write_report(tmp_path).read_text()


def add_backward(out):
    return next(f for f in report.summarise(out)[1][LESSON] if f["function"] == "add_backward")


def test_the_most_frequent_failure_is_a_wrong_answer_not_the_stub(tmp_path):
    page = a_class(tmp_path)
    shown = add_backward(tmp_path)
    assert (shown["message"], shown["count"]) == (WRONG_SIGN, 2)
    assert (shown["second"], shown["second_count"]) == (WRONG_DTYPE, 1)
    assert html.escape(WRONG_SIGN) in page and html.escape(WRONG_DTYPE) in page
    assert "is not implemented yet" not in page


def test_not_attempted_is_counted_apart_from_wrong_answers(tmp_path):
    a_class(tmp_path)
    shown = add_backward(tmp_path)
    # eve, fay and gus left the stub, hal submitted nothing; bob, cy and dee answered wrong.
    assert (shown["graded"], shown["lost"], shown["wrong"], shown["not_attempted"]) == (7, 6, 3, 4)
    assert report.summarise(tmp_path)[1][LESSON][0]["function"] == "add_backward"  # most wrong first


def test_the_summary_counts_and_averages_each_lesson(tmp_path):
    grades = [["ann", LESSON, 10, 10, "graded"], ["bob", LESSON, 5, 10, "graded"], ["cy", LESSON, 2, 10, "graded"],
              ["dee", LESSON, 3, 10, "timeout"], ["eve", LESSON, 0, 0, "missing"],
              ["fay", LESSON, 0, 10, "graded"], ["gus", LESSON, 0, 0, "invalid submission"],
              ["hal", LESSON, 6, 10, "late", 7260, 2]]
    results = [["fay", LESSON, "add_backward", stub("add_backward")], ["bob", LESSON, "add_backward", WRONG_SIGN]]
    write(tmp_path, grades, results)
    page = report.write_report(tmp_path).read_text()
    summary = Tables(page).tables["summary"]
    assert summary[0] == ["lesson", "students", "graded", "mean", "median", "did not attempt",
                          "written answers to grade", "late", "not graded"]
    # Scores 100, 50, 20, 30 (the timeout's points), 0 and 60 (after the late penalty) %: mean 43 %, median 40 %.
    # Did not attempt: eve (missing) and fay (every function the stub).
    assert summary[1:] == [[LESSON, "8", "5", "43%", "40%", "2", "0", "1",
                            "3 (1 invalid submission, 1 missing, 1 timeout)"]]
    assert "6 / 10 late 2 h 1 min, −2" in " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_written_answers_to_grade_are_counted_and_never_shown_as_a_final_score(tmp_path):
    grades = [["ann", LESSON, 4, 6, "written answers to grade"], ["bob", LESSON, 2, 6, "graded"]]
    write(tmp_path, grades, [["ann", LESSON, "add_backward", ""], ["bob", LESSON, "add_backward", ""]])
    with open(tmp_path / "cells.csv", "a", newline="") as handle:  # ann's answer waits, bob left his blank
        csv.writer(handle).writerows([["ann", LESSON, "written_mask", "", 2], ["bob", LESSON, "written_mask", 0, 2]])
    tables = Tables(report.write_report(tmp_path).read_text()).tables
    assert tables["summary"][1][:3] == [LESSON, "2", "2"] and tables["summary"][1][6] == "1"
    students = {row[0]: row[1] for row in tables["by-student"][1:]}
    assert students == {"ann": "4 / 6 + written answers to grade", "bob": "2 / 6"}
    # A written answer is no function the class got right or wrong.
    assert [f["function"] for f in report.summarise(tmp_path)[1][LESSON]] == ["add_backward"]


def test_the_student_table_has_a_row_per_student_and_a_copy_sorted_by_each_lesson(tmp_path):
    grades = [["ann", LESSON, 4, 4, "graded"], ["ann", OTHER, 1, 6, "graded"],
              ["bob", LESSON, 0, 0, "invalid submission"], ["bob", OTHER, 6, 6, "graded"],
              ["cy", LESSON, 1, 4, "timeout"], ["cy", OTHER, 0, 0, "missing"]]
    write(tmp_path, grades, [])
    tables = Tables(report.write_report(tmp_path).read_text()).tables
    assert tables["by-student"] == [["student", LESSON, OTHER], ["ann", "4 / 4", "1 / 6"],
                                    ["bob", "invalid submission", "6 / 6"], ["cy", "timeout, 1 / 4", "missing"]]
    assert [row[0] for row in tables["by-lesson-0"][1:]] == ["bob", "cy", "ann"]  # no score, then lowest first
    assert [row[0] for row in tables["by-lesson-1"][1:]] == ["cy", "ann", "bob"]


def test_the_page_is_one_file_that_loads_nothing_and_runs_no_script(tmp_path):
    page = a_class(tmp_path)
    links = Links(page)
    assert "<script" not in page.lower() and "script" not in links.tags
    assert [t for t in links.targets if not t.startswith(("data:", "#"))] == []
    assert sum(t.startswith("data:image/png;base64,") for t in links.targets) == 2  # the lesson's two charts
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cells.csv", "failures.csv", "grades.csv", "report.html"]


def test_what_students_wrote_is_escaped(tmp_path):
    message = "CheckFailure: <script>alert(1)</script>"
    write(tmp_path, [[ATTACK, LESSON, 0, 2, "graded"], [ATTACK, ATTACK, 0, 0, "unknown lesson"]],
          [[ATTACK, LESSON, ATTACK, message]])
    page = report.write_report(tmp_path).read_text()
    assert ATTACK not in page and "<script>" not in page
    assert html.escape(ATTACK) in page and html.escape(message) in page


# --- the report in the instructor's language ---------------------------------------------------

CHINESE = "zh_CN"


def seen(page):
    """The text a reader of ``page`` sees, tags gone and entities read, one space between words."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def charts(page):
    return re.findall(r"src='(data:image/png;base64,[^']+)'", page)


def shown_ids(page):
    """The student ids of the student table and the function names of the lessons' tables."""
    return [row[0] for row in Tables(page).tables["by-student"][1:]], re.findall(r"<code>(.*?)</code>", page)


def both_reports(tmp_path):
    """``(english, chinese)`` pages of ``a_class`` with more to say: a run's sandbox, a late, a timed-out,
    an invalid and a written-answers submission, and a folder named after no lesson."""
    a_class(tmp_path)
    with open(tmp_path / "grades.csv", "a", newline="") as handle:
        csv.writer(handle).writerows([["ivy", LESSON, 3, 4, "late", 7260, 1], ["jo", LESSON, 1, 4, "timeout", "", ""],
                                      ["kim", LESSON, 0, 0, "invalid submission", "", ""],
                                      ["lu", LESSON, 2, 6, "written answers to grade", "", ""],
                                      ["lu", "notes", 0, 0, "unknown lesson", "", ""]])
    (tmp_path / "run.json").write_text(json.dumps({"isolation": "bwrap", "limits": "a cgroup per kernel",
                                                   "warnings": ["a warning the run recorded"]}))
    return report.write_report(tmp_path).read_text(), report.write_report(tmp_path, CHINESE).read_text()


def test_a_chinese_report_says_in_chinese_what_the_english_one_says(tmp_path):
    english, chinese = both_reports(tmp_path)
    assert "<html lang='en'>" in english and "<html lang='zh-CN'>" in chinese
    # Each sentence of the catalogue the English page shows: its translation on the Chinese page,
    # and none of its English words (a sentence's text between its {placeholders}).
    catalogue = polib.pofile(str(translate.catalogue_path("report", CHINESE)))
    shown = [e for e in catalogue if any(re.search("[A-Za-z]{2}", piece) and piece in seen(english)
                                         for piece in translate.PLACEHOLDER.split(e.msgid))]
    assert len(shown) > len(catalogue) / 2  # most of them: the statuses not in this class and the charts' are not
    for entry in shown:
        if not translate.PLACEHOLDER.search(entry.msgid):
            assert entry.msgstr in seen(chinese), entry.msgid
        for piece in translate.PLACEHOLDER.split(entry.msgid):
            if " " in piece.strip():  # a lone word ("late") may be part of what a student wrote
                assert piece.strip() not in seen(chinese), entry.msgid
    assert "a warning the run recorded" in seen(chinese) and "a cgroup per kernel" in seen(chinese)  # as recorded


def test_a_chinese_report_shows_the_same_students_and_functions(tmp_path):
    english, chinese = both_reports(tmp_path)
    students, functions = shown_ids(english)
    assert {"ann", "ivy", "lu"} <= set(students) and {"add_backward", "mul_backward"} <= set(functions)
    assert shown_ids(chinese) == (students, functions)
    assert html.escape(WRONG_SIGN) in chinese and html.escape(WRONG_DTYPE) in chinese  # answers as given


@pytest.mark.parametrize("english_test", [test_the_page_is_one_file_that_loads_nothing_and_runs_no_script,
                                          test_what_students_wrote_is_escaped], ids=lambda test: test.__name__)
def test_a_chinese_report_passes_the_english_reports_checks(english_test, tmp_path, monkeypatch):
    monkeypatch.setattr(report, "write_report", functools.partial(report.write_report, language=CHINESE))
    english_test(tmp_path)
    assert "<html lang='zh-CN'>" in (tmp_path / "report.html").read_text()


def test_a_chinese_reports_charts_have_every_glyph(tmp_path):
    english = a_class(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chinese = report.write_report(tmp_path, CHINESE).read_text()
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    # Their labels are translated: the same data, other pictures.
    assert len(charts(chinese)) == 2 and set(charts(chinese)).isdisjoint(charts(english))


def test_grade_writes_the_report_in_the_language_asked_for(tmp_path, monkeypatch):
    def graded(submissions, out, **options):  # the tables of a class, instead of a grading run
        a_class(tmp_path)
        return []

    monkeypatch.setattr(cli.grade_stage, "grade", graded)
    assert cli.main(["grade", str(tmp_path / "submitted"), "--out", str(tmp_path), "--report-language", CHINESE]) == 0
    assert "<html lang='zh-CN'>" in (tmp_path / "report.html").read_text()
    assert cli.main(["grade", str(tmp_path / "submitted"), "--out", str(tmp_path)]) == 0
    assert "<html lang='en'>" in (tmp_path / "report.html").read_text()


def test_every_status_a_grading_run_records_has_a_chinese_word():
    statuses = {value for name, value in vars(tables).items() if name.isupper() and isinstance(value, str)}
    in_chinese = translate.gettext("report", CHINESE)
    assert tables.TIMEOUT in statuses
    assert [status for status in statuses if report.status_word(status, in_chinese) == status] == []
