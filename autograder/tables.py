"""Tables: one row per (student, lesson), its status, and the CSV files a grading run writes.

``grades.csv`` (what an LMS imports), ``cells.csv`` (per test cell), ``failures.csv`` (the
first line of each failed test, or why a submission was refused) and ``timings.csv``.
Re-grading some students or lessons replaces only their rows.
"""

import csv
import math
from dataclasses import dataclass, field

# A row's status: "graded", or why the submission was not graded in full.
GRADED = "graded"
MISSING = "missing"
INVALID_NOTEBOOK = "invalid notebook"        # not JSON, not a notebook nbformat reads
INVALID_SUBMISSION = "invalid submission"    # a link, a FIFO, a device, unreadable, too large
UNKNOWN_LESSON = "unknown lesson"
INVALID_STUDENT_ID = "invalid student id"
WRONG_LESSON = "wrong lesson"                # another lesson's notebook under this lesson's name
NOT_ON_ROSTER = "not on roster"              # the course grades its roster only (policy.Roster)
TIMEOUT = "timeout"
KERNEL_DIED = "kernel died"
MEMORY_LIMIT = "memory limit"
PROCESS_LIMIT = "process limit"
DISK_LIMIT = "disk limit"
OUTPUT_CAPPED = "output capped"
AUTOGRADE_FAILED = "autograde failed"
GRADER_ERROR = "grader error"                # the grader, not the submission, failed
# Every test ran and scored; written answers wait for the instructor (formgrader): no final score yet.
WRITTEN_TO_GRADE = "written answers to grade"
# Every test ran and scored, after the due date: the course's late penalty is taken off the score.
LATE = "late"
# Statuses of a submission whose every test ran and scored.
SCORED = (GRADED, WRITTEN_TO_GRADE, LATE)

# Statuses for which no score exists: the report leaves them out of the score distribution.
NOT_SUBMITTED = (MISSING, UNKNOWN_LESSON)

# score is after the late penalty; seconds_late is empty for a submission on time or without a due date.
GRADE_COLUMNS = ["student_id", "assignment_id", "score", "max_score", "status", "seconds_late", "late_penalty"]
CELL_COLUMNS = ["student_id", "assignment_id", "grade_id", "score", "max_score"]
FAILURE_COLUMNS = ["student_id", "assignment_id", "grade_id", "message"]
TIMING_COLUMNS = ["student_id", "assignment_id", "seconds", "status"]


@dataclass
class Row:
    """One (student, lesson): its score, status, and per-cell scores and failures."""

    student_id: str
    assignment_id: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = GRADED
    detail: str = ""
    seconds: float = 0.0
    seconds_late: float = 0.0                      # after the lesson's due date in the gradebook
    late_penalty: float = 0.0                      # points the course's policy took off (policy.LatePenalty)
    cells: list = field(default_factory=list)      # [grade_id, score or None while to be graded by hand, max_score]
    failures: list = field(default_factory=list)   # [grade_id, message]

    @property
    def points_to_grade_by_hand(self):
        """The points of written answers that wait for the instructor."""
        return sum(maximum for _, score, maximum in self.cells if score is None)

    @property
    def scored_max(self):
        """The points this run scored out of: all but the written answers that wait for the instructor."""
        return self.max_score - self.points_to_grade_by_hand


def read_csv(path):
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _write_csv(path, columns, rows):
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: [str(r[c]) for c in columns[:3]]))
    tmp.replace(path)


def _fmt_score(value):
    return "" if value is None else f"{float(value):g}"


def _fmt_seconds(seconds):
    return f"{math.ceil(seconds)}" if seconds > 0 else ""


def lateness(seconds):
    """How late, as a person says it: "40 s", "12 min", "3 h 5 min", "2 d 4 h"."""
    seconds = math.ceil(float(seconds))
    for unit, size, smaller, smaller_size in (("d", 86400, "h", 3600), ("h", 3600, "min", 60)):
        if seconds >= size:
            rest = (seconds % size) // smaller_size
            return f"{seconds // size} {unit}" + (f" {rest} {smaller}" if rest else "")
    return f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s"


def write_tables(out, rows):
    """Write the CSVs: re-graded (student, lesson) pairs replace their old rows, others stay."""
    regraded = {(r.student_id, r.assignment_id) for r in rows}

    def kept(path):
        return [r for r in read_csv(path) if (r["student_id"], r["assignment_id"]) not in regraded]

    tables = {
        "grades.csv": (GRADE_COLUMNS, [dict(student_id=r.student_id, assignment_id=r.assignment_id,
                                            score=_fmt_score(r.score), max_score=_fmt_score(r.max_score),
                                            status=r.status, seconds_late=_fmt_seconds(r.seconds_late),
                                            late_penalty=_fmt_score(r.late_penalty)) for r in rows]),
        "cells.csv": (CELL_COLUMNS, [dict(student_id=r.student_id, assignment_id=r.assignment_id, grade_id=g,
                                          score=_fmt_score(s), max_score=_fmt_score(m))
                                     for r in rows for g, s, m in r.cells]),
        "failures.csv": (FAILURE_COLUMNS, [dict(student_id=r.student_id, assignment_id=r.assignment_id,
                                                grade_id=g, message=msg) for r in rows for g, msg in r.failures]),
        "timings.csv": (TIMING_COLUMNS, [dict(student_id=r.student_id, assignment_id=r.assignment_id,
                                              seconds=f"{r.seconds:.3f}", status=r.status) for r in rows]),
    }
    for name, (columns, new_rows) in tables.items():
        _write_csv(out / name, columns, kept(out / name) + new_rows)
