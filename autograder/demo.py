"""Demo: build a synthetic class, grade it, and show that every score is what it deserves.

The class: one student with complete answers to every lesson (all cells, figures and
all), one who submitted the untouched stubs, one student per classic mistake from the
corpus, whose other lessons are answered correctly, and one who hands in a mistake and
patches every comparison in the kernel to agree, hoping for full marks. The table printed at the end puts
each score beside what the student's answers deserve.
"""

import itertools
import shutil
import sys
from pathlib import Path

from . import grade, report, synthetic
from .course import available_lessons

FIRST_NAMES = ["ada", "ben", "chen", "dara", "emeka", "fatima", "goran", "hana", "ivan", "jun",
               "kofi", "lena", "mateo", "nadia", "omar", "priya", "quinn", "rosa", "sami", "tomas"]


def build_class(submissions, lessons, mistakes_per_lesson=2):
    """Write the synthetic class; return ``{(student, lesson): expected}`` with expected
    one of "full", "zero", "less than full"."""
    names = iter(FIRST_NAMES)
    expected = {}
    complete_student, blank_student = f"{next(names)}_complete", f"{next(names)}_blank"
    for lesson in lessons:
        synthetic.write_submission(submissions, complete_student, lesson, synthetic.complete(lesson))
        synthetic.write_submission(submissions, blank_student, lesson, synthetic.stubs(lesson))
        expected[complete_student, lesson] = "full"
        expected[blank_student, lesson] = "zero"
    mistakes = itertools.chain.from_iterable(
        synthetic.corpus(lesson, "wrong")[:mistakes_per_lesson] for lesson in lessons)
    cheat = synthetic.corpus(lessons[0], "wrong")[-1]
    students = [(f"{first_name}_{variant.name}"[:40], variant, "") for variant, first_name in zip(mistakes, names)]
    students.append((f"{next(names)}_forges_{cheat.name}"[:40], cheat, synthetic.FORGED_COMPARISONS))
    for student, variant, code in students:
        for lesson in lessons:
            if lesson == variant.lesson:
                notebook, verdict = synthetic.with_variant(variant, cheat=code), "less than full"
            else:
                notebook, verdict = synthetic.complete(lesson, lean=True), "full"
            synthetic.write_submission(submissions, student, lesson, notebook)
            expected[student, lesson] = verdict
    return expected


def deserved(row, verdict):
    """Whether ``row``'s score is what ``verdict`` says; written answers wait for the instructor,
    so "full" is every point the tests give."""
    if verdict == "full":
        return row.score == row.scored_max
    if verdict == "zero":
        return row.score == 0
    return row.score < row.scored_max


def print_comparison(rows, expected, stream=sys.stdout):
    width = max(len(r.student_id) for r in rows)
    stream.write(f"{'student':<{width}}  {'lesson':<22} {'score':>9}  {'deserves':<15} status\n")
    mismatches = 0
    for row in sorted(rows, key=lambda r: (r.student_id, r.assignment_id)):
        verdict = expected.get((row.student_id, row.assignment_id), "?")
        ok = deserved(row, verdict)
        mismatches += not ok
        mark = "ok" if ok else "MISMATCH"
        stream.write(f"{row.student_id:<{width}}  {row.assignment_id:<22} {row.score:>4g} / {row.max_score:<3g} "
                     f"{verdict:<15} {row.status}  {mark}\n")
    return mismatches


def run_demo(out, jobs=None):
    out = Path(out)
    lessons = available_lessons()
    submissions = out / "submitted"
    for folder in (submissions, out / "graded"):  # a demo starts from a clean class
        shutil.rmtree(folder, ignore_errors=True)
    expected = build_class(submissions, lessons)
    students = len({student for student, _ in expected})
    print(f"Grading a synthetic class of {students} students x {len(lessons)} lessons "
          f"({len(expected)} notebooks) from {submissions} ...", flush=True)
    rows = grade.grade(submissions, out / "graded", jobs=jobs)
    report.write_report(out / "graded")
    print()
    mismatches = print_comparison(rows, expected)
    print("\n'full' is every point the tests give: the written answers of a student who wrote them wait for "
          "the instructor (status 'written answers to grade'; grade them in formgrader).")
    print(f"\nFeedback pages: {out / 'graded' / 'feedback'}/<student>/<lesson>/<lesson>.html")
    print(f"Grades: {out / 'graded' / 'grades.csv'}   Instructor report: {out / 'graded' / 'report.html'}")
    if mismatches:
        print(f"{mismatches} score(s) do not match what the answers deserve", file=sys.stderr)
    return 1 if mismatches else 0
