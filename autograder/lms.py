"""LMS: the course gradebook as the CSV files learning-management systems import.

Two of nbgrader's export plugins, so an instructor can also write them with nbgrader's own
command after grading written answers in formgrader::

    nbgrader export --exporter=autograder.lms.CanvasExport --to=canvas.csv
    nbgrader export --exporter=autograder.lms.MoodleExport --to=moodle.csv

One row per student of the gradebook (the roster), one column per lesson that has at least
one submission, then the total. A lesson's score is the gradebook's: automatic and manual
grades (written answers count once the instructor has graded them), less the late penalty;
a student who submitted nothing scores 0. ``grade`` writes both beside ``grades.csv``.
"""

import csv

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

from .course import LESSON_IDS

TOTAL = "Backprop Lab total"


def score_table(gradebook):
    """(lessons, [(student, {lesson: score})], {lesson: max score}) from an nbgrader gradebook."""
    lessons = [a.name for a in sorted(gradebook.assignments, key=lambda a: _order(a.name)) if a.submissions]
    table = []
    for student in sorted(gradebook.students, key=lambda s: s.id):
        scores = {}
        for lesson in lessons:
            try:
                submission = gradebook.find_submission(lesson, student.id)
            except MissingEntry:
                scores[lesson] = 0.0
            else:
                scores[lesson] = submission.score - (submission.late_submission_penalty or 0.0)
        table.append((student, scores))
    return lessons, table, {lesson: gradebook.find_assignment(lesson).max_score for lesson in lessons}


def _order(lesson):
    return (LESSON_IDS.index(lesson) if lesson in LESSON_IDS else len(LESSON_IDS), lesson)


def _points(value):
    return f"{round(value, 2):g}"


class LmsExport(ExportPlugin):
    """An export whose file is a header and one row per student; subclasses say which columns."""

    default_file = ""

    def columns(self, lessons):
        raise NotImplementedError

    def row(self, student, scores, lessons):
        raise NotImplementedError

    def extra_rows(self, lessons, max_scores):
        return []

    def export(self, gradebook):
        lessons, table, max_scores = score_table(gradebook)
        lessons = [lesson for lesson in lessons if not self.assignment or lesson in self.assignment]
        dest = self.to or self.default_file
        self.log.info("Exporting grades to %s", dest)
        with open(dest, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(self.columns(lessons))
            writer.writerows(self.extra_rows(lessons, max_scores))
            for student, scores in table:
                if not self.student or student.id in self.student:
                    writer.writerow(self.row(student, scores, lessons))


class CanvasExport(LmsExport):
    """Canvas's gradebook import: Student, ID (Canvas's user id: the gradebook's ``lms_user_id``),
    SIS User ID, SIS Login ID (the student id), Section, a column per lesson, the total; a
    "Points Possible" row under the header, as Canvas's own export has."""

    default_file = "canvas.csv"

    def columns(self, lessons):
        return ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *lessons, TOTAL]

    def extra_rows(self, lessons, max_scores):
        points = [max_scores[lesson] for lesson in lessons]
        return [["    Points Possible", "", "", "", "", *map(_points, points), _points(sum(points))]]

    def row(self, student, scores, lessons):
        name = ", ".join(part for part in (student.last_name, student.first_name) if part) or student.id
        values = [scores[lesson] for lesson in lessons]
        return [name, student.lms_user_id or "", "", student.id, "", *map(_points, values), _points(sum(values))]


class MoodleExport(LmsExport):
    """Moodle's grade import (CSV): Username matches the Moodle account; a column per lesson to map
    to a grade item; Total (Moodle computes its own course total: leave it unmapped there)."""

    default_file = "moodle.csv"

    def columns(self, lessons):
        return ["Username", "First name", "Last name", "Email address", *lessons, "Total"]

    def row(self, student, scores, lessons):
        values = [scores[lesson] for lesson in lessons]
        return [student.id, student.first_name or "", student.last_name or "", student.email or "",
                *map(_points, values), _points(sum(values))]


def write_exports(out):
    """Write ``canvas.csv`` and ``moodle.csv`` of the course gradebook in ``out``."""
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        for export in (CanvasExport, MoodleExport):
            export(to=str(out / export.default_file)).export(gradebook)
