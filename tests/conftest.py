"""Shared fixtures: one graded class per test session, because grading is the slow part."""

import os

import pytest

from autograder import grade, synthetic
from autograder.course import available_lessons


def corpus_lessons():
    """The lessons whose corpus is graded: all, or those named in $BACKPROP_TEST_LESSONS
    (space-separated), to try one lesson's corpus while working on it."""
    chosen = os.environ.get("BACKPROP_TEST_LESSONS", "").split()
    return [lesson for lesson in available_lessons() if not chosen or lesson in chosen]


def corpus_students():
    """(student id, lesson, notebook builder, expectation) for every synthetic submission."""
    students = []
    for lesson in corpus_lessons():
        students.append((f"complete__{lesson}", lesson, lambda lesson=lesson: synthetic.complete(lesson), "full"))
        students.append((f"stubs__{lesson}", lesson, lambda lesson=lesson: synthetic.stubs(lesson), "zero"))
        for kind, expectation in (("wrong", "less than full"), ("correct", "full")):
            for variant in synthetic.corpus(lesson, kind):
                students.append((f"{kind}__{variant.target}__{variant.name}", lesson,
                                 lambda variant=variant: synthetic.with_variant(variant), expectation))
    return students


def hidden_lines(notebook, min_length):
    """The lines of a source notebook's hidden tests that appear nowhere else in it.

    A hint sentence or a line of code the visible tests share is not the hidden tests'
    secret: the student reads it in the visible test anyway.
    """
    hidden, elsewhere = set(), []
    for cell in notebook.cells:
        parts = cell.source.split("### BEGIN HIDDEN TESTS")
        elsewhere.append(parts[0])
        for part in parts[1:]:
            region, _, after = part.partition("### END HIDDEN TESTS")
            hidden.update(line.strip() for line in region.splitlines())
            elsewhere.append(after)
    visible = "\n".join(elsewhere)
    return sorted(line for line in hidden if len(line) > min_length and line not in visible)


@pytest.fixture(scope="session")
def graded_corpus(tmp_path_factory):
    """Grade every corpus submission in one parallel run; rows keyed by (student, lesson)."""
    root = tmp_path_factory.mktemp("corpus")
    for student, lesson, build, _ in corpus_students():
        synthetic.write_submission(root / "submitted", student, lesson, build())
    rows = grade.grade(root / "submitted", root / "out", jobs=2)
    return {(row.student_id, row.assignment_id): row for row in rows}, root / "out"
