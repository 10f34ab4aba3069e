"""Report: what the class got wrong, for the instructor (``OUT/report.html`` and its PNGs).

Read from the grade stage's tables: the score distribution of each lesson, and for each
graded function the share of students who lost points on it, with the failure message
seen most often, so the instructor sees at a glance what to teach again.
"""

import csv
import html
import json
from collections import Counter, defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the file-only backend)

from .course import function_of  # noqa: E402
from .tables import NOT_SUBMITTED  # noqa: E402


def _rows(path):
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def summarise(out):
    """Per lesson: the score fractions, and per function (students graded, students who lost
    points, the most common failure message)."""
    grades = _rows(out / "grades.csv")
    fractions = defaultdict(list)
    for row in grades:
        if float(row["max_score"]) > 0 and row["status"] not in NOT_SUBMITTED:
            fractions[row["assignment_id"]].append(float(row["score"]) / float(row["max_score"]))
    lost = defaultdict(set)
    seen = defaultdict(set)
    for row in _rows(out / "cells.csv"):
        key = (row["assignment_id"], function_of(row["grade_id"]))
        seen[key].add(row["student_id"])
        if float(row["score"]) < float(row["max_score"]):
            lost[key].add(row["student_id"])
    messages = defaultdict(Counter)
    for row in _rows(out / "failures.csv"):
        messages[row["assignment_id"], function_of(row["grade_id"])][row["message"]] += 1
    functions = defaultdict(list)
    for (lesson, function), students in sorted(seen.items()):
        common = messages[lesson, function].most_common(1)
        functions[lesson].append(dict(function=function, graded=len(students), lost=len(lost[lesson, function]),
                                      message=common[0][0] if common else "", count=common[0][1] if common else 0))
    for lesson in functions:
        functions[lesson].sort(key=lambda f: -f["lost"] / max(f["graded"], 1))
    return fractions, functions


def plot_distribution(lesson, fractions, path):
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.hist([100 * f for f in fractions], bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001],
            color="#4c72b0", edgecolor="white")
    ax.set(title=f"{lesson}: scores", xlabel="score (% of the lesson's points)", ylabel="students")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_losses(lesson, functions, path):
    fig, ax = plt.subplots(figsize=(6, 0.4 * len(functions) + 1.2))
    names = [f["function"] for f in functions][::-1]
    shares = [100 * f["lost"] / max(f["graded"], 1) for f in functions][::-1]
    ax.barh(names, shares, color="#c44e52")
    ax.set(title=f"{lesson}: students who lost points", xlabel="students (%)", xlim=(0, 100))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def how_it_was_graded(out):
    """The last grading run's walls and limits (``OUT/run.json``), its warnings first and in red."""
    run_file = out / "run.json"
    if not run_file.exists():
        return []
    run = json.loads(run_file.read_text())
    parts = [f"<p style='color:#b00020'><strong>Warning: {html.escape(w)}.</strong></p>" for w in run["warnings"]]
    isolation = "each kernel in a bubblewrap sandbox" if run["isolation"] == "bwrap" else "no sandbox"
    return parts + [f"<p>Graded with {isolation}; limits: {html.escape(run['limits'])}.</p>"]


def write_report(out):
    """Write ``report.html`` and one pair of PNGs per lesson into ``out``; return the HTML path."""
    out = Path(out)
    fractions, functions = summarise(out)
    parts = ["<!doctype html><meta charset='utf-8'><title>Backprop Lab: class report</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
             "td,th{padding:.2em .6em;text-align:left;vertical-align:top}"
             "tr:nth-child(even){background:#f4f4f4}</style>",
             "<h1>What the class got wrong</h1>", *how_it_was_graded(out)]
    for lesson in sorted(set(fractions) | set(functions)):
        scores = fractions.get(lesson, [])
        mean = 100 * sum(scores) / len(scores) if scores else 0.0
        parts.append(f"<h2>{html.escape(lesson)}</h2><p>{len(scores)} submissions graded, mean score {mean:.0f}%.</p>")
        if scores:
            plot_distribution(lesson, scores, out / f"report_{lesson}_scores.png")
            parts.append(f"<img src='report_{html.escape(lesson)}_scores.png' alt='score distribution'>")
        if functions.get(lesson):
            plot_losses(lesson, functions[lesson], out / f"report_{lesson}_functions.png")
            parts.append(f"<img src='report_{html.escape(lesson)}_functions.png' alt='points lost per function'>")
            parts.append("<table><tr><th>function</th><th>lost points</th><th>most frequent failure</th></tr>")
            for f in functions[lesson]:
                share = f"{f['lost']} of {f['graded']} ({100 * f['lost'] / max(f['graded'], 1):.0f}%)"
                message = f"{html.escape(f['message'])} <small>({f['count']}x)</small>" if f["message"] else ""
                parts.append(f"<tr><td><code>{html.escape(f['function'])}</code></td><td>{share}</td><td>{message}</td></tr>")
            parts.append("</table>")
    path = out / "report.html"
    path.write_text("\n".join(parts) + "\n")
    return path
