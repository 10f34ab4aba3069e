"""Report: what the class got wrong, for the instructor (``OUT/report.html``, one file).

Read from the grade stage's tables: a summary per lesson, every student's scores, and per
lesson the score distribution and, per graded function, who gave a wrong answer (with the
wrong answers seen most often) apart from who left the stub untouched, so the instructor sees
at a glance what to teach again. The page is self-contained (charts embedded as data URIs)
and uses no script: it is mailed, opened offline, or viewed under a policy that forbids scripts.

The page speaks the instructor's language: each of its sentences is a ``str.format`` template
wrapped in ``_()``, translated from ``locale/<language>/LC_MESSAGES/report.po``. What comes from
the tables (student ids, lessons, functions, failure messages) is shown as recorded.
"""

import base64
import html
import io
import json
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the file-only backend)
from matplotlib.ticker import MaxNLocator  # noqa: E402

from . import tables, translate  # noqa: E402
from .course import WRITTEN_PREFIX, function_of  # noqa: E402
from .tables import GRADED, LATE, MISSING, NOT_SUBMITTED, SCORED, UNKNOWN_LESSON, WRITTEN_TO_GRADE, lateness, read_csv  # noqa: E402

# The failure message of a function still raising the ``NotImplementedError`` it was handed out with.
STUB = "is not implemented yet"
RIGHT, WRONG, NOT_ATTEMPTED = "right", "wrong", "not attempted"

STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;background:#fff;
 max-width:64em;margin:0 auto;padding:1em 1.2em 3em}
h1{font-size:1.6em;margin:.4em 0}
h2{font-size:1.25em;margin:2.2em 0 .6em;padding-bottom:.2em;border-bottom:1px solid #dde1e6}
a{color:#2a5db0}
.box{overflow-x:auto;margin:.8em 0;border:1px solid #e3e6ea;border-radius:4px}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{padding:.4em .7em;text-align:left;vertical-align:top;border-bottom:1px solid #eceef1}
th{background:#f3f5f7;color:#4a5360;font-weight:600;vertical-align:bottom}
td.msg{padding:0 .7em .6em 2em}
th a{color:inherit}
tr:last-child td{border-bottom:0}
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.status{color:#a1361f}
.muted{color:#6b7280}
.bar{display:inline-block;width:4em;height:.55em;margin-left:.5em;background:#e6e9ee;border-radius:3px}
.bar span{display:block;height:100%;background:#4c72b0;border-radius:3px}
img{max-width:100%;height:auto;display:block;margin:.8em 0}
details{margin:.4em 0}
summary{cursor:pointer;color:#2a5db0}
code{font-size:.92em;background:#f3f5f7;padding:0 .25em;border-radius:3px}
"""


def escaped(value):
    """``html.escape``: everything from the tables may have been written by a student."""
    return html.escape(str(value))


def status_word(status, _):
    """A status as the page shows it, in the page's language; the tables keep it in English."""
    words = {tables.GRADED: _("graded"), tables.MISSING: _("missing"), tables.INVALID_NOTEBOOK: _("invalid notebook"),
             tables.INVALID_SUBMISSION: _("invalid submission"), tables.UNKNOWN_LESSON: _("unknown lesson"),
             tables.INVALID_STUDENT_ID: _("invalid student id"), tables.WRONG_LESSON: _("wrong lesson"),
             tables.NOT_ON_ROSTER: _("not on roster"), tables.TIMEOUT: _("timeout"),
             tables.KERNEL_DIED: _("kernel died"), tables.MEMORY_LIMIT: _("memory limit"),
             tables.PROCESS_LIMIT: _("process limit"), tables.DISK_LIMIT: _("disk limit"),
             tables.OUTPUT_CAPPED: _("output capped"), tables.AUTOGRADE_FAILED: _("autograde failed"),
             tables.GRADER_ERROR: _("grader error"), tables.WRITTEN_TO_GRADE: _("written answers to grade"),
             tables.LATE: _("late")}
    return words.get(status, status)


def score_fractions(grades):
    """Per lesson, the score of each submission that has one, as a fraction of the lesson's points."""
    fractions = defaultdict(list)
    for row in grades:
        if float(row["max_score"]) > 0 and row["status"] not in NOT_SUBMITTED:
            fractions[row["assignment_id"]].append(float(row["score"]) / float(row["max_score"]))
    return fractions


def function_outcomes(out):
    """Per (lesson, function), each graded student's outcome: right, wrong or not attempted.

    A function is not attempted when every test cell with points for it lost them with the
    stub's "not implemented yet" message: the student left it as it was handed out, which
    says nothing about what they misunderstood.
    """
    messages = {(r["student_id"], r["assignment_id"], r["grade_id"]): r["message"]
                for r in read_csv(out / "failures.csv")}
    cells = defaultdict(lambda: defaultdict(list))
    for row in read_csv(out / "cells.csv"):
        if float(row["max_score"]) <= 0 or row["grade_id"].startswith(WRITTEN_PREFIX):  # formgrader's to judge
            continue
        if float(row["score"]) >= float(row["max_score"]):
            outcome = RIGHT
        elif STUB in messages.get((row["student_id"], row["assignment_id"], row["grade_id"]), ""):
            outcome = NOT_ATTEMPTED
        else:
            outcome = WRONG
        cells[row["assignment_id"], function_of(row["grade_id"])][row["student_id"]].append(outcome)
    return {key: {student: found[0] if len(set(found)) == 1 else WRONG for student, found in students.items()}
            for key, students in cells.items()}


def wrong_answers(out, outcomes):
    """Per (lesson, function), how many students gave each failure message among the wrong answers."""
    given = defaultdict(set)
    for row in read_csv(out / "failures.csv"):
        key = (row["assignment_id"], function_of(row["grade_id"]))
        if outcomes.get(key, {}).get(row["student_id"]) == WRONG and STUB not in row["message"]:
            given[key].add((row["student_id"], row["message"]))
    return {key: Counter(message for _, message in pairs) for key, pairs in given.items()}


def summarise(out):
    """Per lesson: the score fractions, and per function the students graded, the students who
    lost points (``lost``), those of them who answered wrong (``wrong``), those who did not attempt
    it or submitted nothing (``not_attempted``), and the two wrong answers given most often
    (``message``/``count``, ``second``/``second_count``). Functions come most-wrong first."""
    grades = read_csv(out / "grades.csv")
    missing = Counter(row["assignment_id"] for row in grades if row["status"] == MISSING)
    outcomes = function_outcomes(out)
    answers = wrong_answers(out, outcomes)
    functions = defaultdict(list)
    for (lesson, function), students in sorted(outcomes.items()):
        counts = Counter(students.values())
        (message, count), (second, second_count) = (answers.get((lesson, function), Counter()).most_common(2)
                                                    + [("", 0), ("", 0)])[:2]
        functions[lesson].append(dict(
            function=function, graded=len(students), lost=counts[WRONG] + counts[NOT_ATTEMPTED],
            wrong=counts[WRONG], not_attempted=counts[NOT_ATTEMPTED] + missing[lesson],
            message=message, count=count, second=second, second_count=second_count))
    for lesson in functions:
        functions[lesson].sort(key=lambda f: (-f["wrong"] / max(f["graded"], 1), -f["not_attempted"]))
    return score_fractions(grades), functions


def png(fig):
    """The figure as a ``data:`` URI, so the page needs no file beside it."""
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def chart(plot, data, _, language):
    """``plot(data, _)``'s figure as a ``data:`` URI; in another language than English, drawn with
    that language's fonts (a fallback for the glyphs DejaVu Sans lacks), for this figure only."""
    fonts = {"font.family": translate.font_families(language)} if language else {}
    with matplotlib.rc_context(fonts):
        return png(plot(data, _))


def plot_distribution(fractions, _):
    """The lesson's score histogram, in tenths of its points; the lesson is named by the heading above."""
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist([100 * f for f in fractions], bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001],
            color="#4c72b0", edgecolor="white")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(title=_("Scores"), xlabel=_("score (% of the lesson's points)"), ylabel=_("students"))
    return fig


def plot_losses(functions, _):
    """Per function, the students who answered wrong, then those who did not attempt it."""
    fig, ax = plt.subplots(figsize=(6, 0.4 * len(functions) + 1.5))
    names = [f["function"] for f in functions][::-1]
    wrong = [f["wrong"] for f in functions][::-1]
    ax.barh(names, wrong, color="#c44e52", label=_("wrong answer"))
    ax.barh(names, [f["not_attempted"] for f in functions][::-1], left=wrong, color="#b8bec7",
            label=_("not attempted"))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(title=_("Students who lost points"), xlabel=_("students"))
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), fontsize="small", frameon=False)
    return fig


def how_it_was_graded(out, _):
    """The last grading run's walls and limits (``OUT/run.json``), its warnings first and in red;
    the warnings and limits as the run recorded them."""
    run_file = out / "run.json"
    if not run_file.exists():
        return []
    run = json.loads(run_file.read_text())
    parts = [f"<p style='color:#b00020'><strong>{_('Warning: {warning}.').format(warning=escaped(w))}</strong></p>"
             for w in run["warnings"]]
    isolation = {"bwrap": _("each kernel in a bubblewrap sandbox"), "none": _("no sandbox"),
                 "auto": _("each kernel in a bubblewrap sandbox where its worker has bubblewrap")}[run["isolation"]]
    graded = _("Graded with {isolation}; limits: {limits}.").format(isolation=isolation, limits=escaped(run["limits"]))
    return parts + [f"<p>{graded}</p>"]


def table(headers, rows, id_=""):
    """A table in its own horizontally scrolling box; ``headers`` and cells are HTML already."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    attribute = f" id='{id_}'" if id_ else ""
    return f"<div class='box'><table{attribute}><tr>{head}</tr>{body}</table></div>"


def percent(fractions, how):
    """A cell with ``how`` (mean or median) of the fractions in %, with a bar; empty without any."""
    if not fractions:
        return "<td class='n'>–</td>"
    value = 100 * how(fractions)
    return f"<td class='n'>{value:.0f}%<span class='bar'><span style='width:{value:.0f}%'></span></span></td>"


def untouched(outcomes):
    """(lesson, student) pairs where the student left every graded function as the stub."""
    found = defaultdict(set)
    for (lesson, _), students in outcomes.items():
        for student, outcome in students.items():
            found[lesson, student].add(outcome)
    return {pair for pair, seen in found.items() if seen == {NOT_ATTEMPTED}}


def did_not_attempt(grades, left_as_stubs, lesson):
    """Students of ``lesson`` who submitted nothing or left every graded function as the stub."""
    return sum(1 for row in grades if row["assignment_id"] == lesson
               and (row["status"] == MISSING or (lesson, row["student_id"]) in left_as_stubs))


def summary(grades, outcomes, lessons, _):
    """One row per lesson: class size, submissions graded, mean and median, and what was not graded."""
    fractions, left_as_stubs = score_fractions(grades), untouched(outcomes)
    rows = []
    for number, lesson in enumerate(lessons):
        statuses = Counter(r["status"] for r in grades if r["assignment_id"] == lesson)
        others = sorted(((n, s) for s, n in statuses.items() if s not in SCORED), key=lambda pair: (-pair[0], pair[1]))
        counted = ", ".join(_("{count} {status}").format(count=n, status=escaped(status_word(s, _)))
                            for n, s in others)
        not_graded = f" <span class='muted'>({counted})</span>" if others else ""
        rows.append([f"<td><a href='#lesson-{number}'>{escaped(lesson)}</a></td>",
                     f"<td class='n'>{sum(statuses.values())}</td>",
                     f"<td class='n'>{sum(statuses[status] for status in SCORED)}</td>",
                     percent(fractions[lesson], statistics.mean), percent(fractions[lesson], statistics.median),
                     f"<td class='n'>{did_not_attempt(grades, left_as_stubs, lesson)}</td>",
                     f"<td class='n'>{statuses[WRITTEN_TO_GRADE]}</td>",
                     f"<td class='n'>{sum(1 for r in grades if r['assignment_id'] == lesson and r.get('seconds_late'))}</td>",
                     f"<td>{sum(n for n, _status in others)}{not_graded}</td>"])
    headers = [_("lesson"), _("students"), _("graded"), _("mean"), _("median"), _("did not attempt"),
               _("written answers to grade"), _("late"), _("not graded")]
    note = _("Mean and median: % of the lesson's points, over every submission with a score; "
             "a written answer not graded yet counts 0 until it is graded in formgrader. "
             "Did not attempt: submitted nothing, or left every graded function as handed out. "
             "Late: submitted after the lesson's due date; the score is after the course's late penalty.")
    return table(headers, rows, "summary") + f"<p class='muted'>{note}</p>"


def cell(row, _):
    """A student's cell for one lesson: score / max, or the status (and the score, if any) when not graded."""
    if row is None:
        return "<td class='muted'>–</td>"
    score = f"{float(row['score']):g} / {float(row['max_score']):g}"
    if row["status"] == GRADED:
        return f"<td class='n'>{score}</td>"
    if row["status"] == WRITTEN_TO_GRADE:
        return f"<td class='n'>{score} <span class='muted'>{_('+ written answers to grade')}</span></td>"
    if row["status"] == LATE:
        late = _("late {lateness}, −{penalty}").format(lateness=lateness(row["seconds_late"]),
                                                       penalty=f"{float(row['late_penalty'] or 0):g}")
        return f"<td class='n'>{score} <span class='muted'>{late}</span></td>"
    status = escaped(status_word(row["status"], _))
    shown = f"{status}, {score}" if float(row["max_score"]) > 0 else status
    return f"<td class='status'>{shown}</td>"


def lesson_key(row):
    """Sort key for one lesson's column: no score first (missing, refused), then lowest score."""
    if row is None or float(row["max_score"]) <= 0 or row["status"] in NOT_SUBMITTED:
        return -1.0
    return float(row["score"]) / float(row["max_score"])


def student_table(by_student, lessons, students, id_, _):
    """One row per student in the order ``students``, one column per lesson; each header links to
    the table sorted by that column."""
    headers = [f"<a href='#by-student'>{_('student')}</a>"] + [
        f"<a href='#by-lesson-{number}'>{escaped(lesson)}</a>" for number, lesson in enumerate(lessons)]
    rows = [[f"<td>{escaped(student)}</td>"] + [cell(by_student[student].get(lesson), _) for lesson in lessons]
            for student in students]
    return table(headers, rows, id_)


def students_section(grades, lessons, _):
    """The student table sorted by id, then, folded, the same table sorted by each lesson's score.

    Sorting is done here, not in the browser: the page runs no script. A column header links to
    the copy sorted by that column (a browser that does not unfold it on the jump shows its summary line).
    """
    by_student = defaultdict(dict)
    for row in grades:
        by_student[row["student_id"]][row["assignment_id"]] = row
    students = sorted(by_student)
    parts = [f"<h2 id='students'>{_('Students')}</h2>",
             "<p class='muted'>" + _("Sorted by student id. A lesson's header leads to the same table sorted by its "
                                     "score, folded below: lowest first, no score first.") + "</p>",
             student_table(by_student, lessons, students, "by-student", _)]
    for number, lesson in enumerate(lessons):
        ordered = sorted(students, key=lambda s: (lesson_key(by_student[s].get(lesson)), s))
        sorted_by = _("Sorted by {lesson}, lowest first").format(lesson=escaped(lesson))
        parts.append(f"<details id='by-lesson-{number}'><summary>{sorted_by}</summary>"
                     f"{student_table(by_student, lessons, ordered, '', _)}</details>")
    return parts


def function_rows(f, _):
    """A function's row (wrong answers, not attempted), and below it, across the table, the most
    frequent wrong answer and how many gave it, then the second one if there is one."""
    share = _("{wrong} of {graded} ({percent:.0f}%)").format(wrong=f["wrong"], graded=f["graded"],
                                                             percent=100 * f["wrong"] / max(f["graded"], 1))
    rows = [[f"<td><code>{escaped(f['function'])}</code></td>", f"<td class='n'>{share}</td>",
             f"<td class='n'>{f['not_attempted']}</td>"]]
    if f["message"]:
        students = _("1 student") if f["count"] == 1 else _("{count} students").format(count=f["count"])
        text = f"{escaped(f['message'])} <span class='muted'>({students})</span>"
        if f["second"]:
            then = _("then: {message} ({count})").format(message=escaped(f["second"]), count=f["second_count"])
            text += f"<br><span class='muted'>{then}</span>"
        rows.append([f"<td colspan='3' class='msg'>{text}</td>"])
    return rows


def lesson_section(number, lesson, scores, functions, _, language):
    """A lesson's heading, its charts, and per function who lost points and the wrong answers given."""
    mean = _(", mean {percent:.0f}%").format(percent=100 * statistics.mean(scores)) if scores else ""
    submissions = _("{count} submissions with a score{mean}.").format(count=len(scores), mean=mean)
    parts = [f"<h2 id='lesson-{number}'>{escaped(lesson)}</h2><p>{submissions}</p>"]
    if scores:
        alt = _("score distribution of {lesson}").format(lesson=escaped(lesson))
        parts.append(f"<img src='{chart(plot_distribution, scores, _, language)}' alt='{alt}'>")
    if functions:
        alt = _("students who lost points per function of {lesson}").format(lesson=escaped(lesson))
        parts.append(f"<img src='{chart(plot_losses, functions, _, language)}' alt='{alt}'>")
        rows = [row for f in functions for row in function_rows(f, _)]
        parts.append(table([_("function"), _("wrong answer"), _("not attempted")], rows))
        parts.append("<p class='muted'>" + _("Under a function: the wrong answer given most often, and the next one. "
                                             "Not attempted: left as handed out, or no submission.") + "</p>")
    return parts


def write_report(out, language=None):
    """Write ``report.html`` into ``out``, one file with its charts inside, in ``language`` ("zh_CN";
    None: English); return its path."""
    out = Path(out)
    _ = translate.gettext("report", language)
    grades = read_csv(out / "grades.csv")
    fractions, functions = summarise(out)
    outcomes = function_outcomes(out)
    lessons = sorted({r["assignment_id"] for r in grades if r["status"] != UNKNOWN_LESSON} | set(functions))
    unknown = sum(1 for r in grades if r["status"] == UNKNOWN_LESSON)
    lang = language.replace("_", "-") if language else "en"  # HTML's tag: zh_CN is "zh-CN"
    parts = [f"<!doctype html><html lang='{lang}'><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             f"<title>{_('Backprop Lab: class report')}</title><style>{STYLE}</style>",
             f"<h1>{_('What the class got wrong')}</h1>", *how_it_was_graded(out, _),
             f"<h2>{_('Summary')}</h2>", summary(grades, outcomes, lessons, _)]
    if unknown:
        left_out = _("{count} folders named after no lesson of the course were left out (status {status}).")
        parts.append(f"<p class='status'>{left_out.format(count=unknown, status=status_word(UNKNOWN_LESSON, _))}</p>")
    parts += students_section(grades, lessons, _)
    for number, lesson in enumerate(lessons):
        parts += lesson_section(number, lesson, fractions.get(lesson, []), functions.get(lesson, []), _, language)
    path = out / "report.html"
    path.write_text("\n".join(parts) + "\n")
    return path
