"""Shared fixtures: one graded class per test session, because grading is the slow part."""

import pytest

from autograder import grade, synthetic
from autograder.course import available_lessons


def corpus_students():
    """(student id, lesson, notebook builder, expectation) for every synthetic submission."""
    students = []
    for lesson in available_lessons():
        students.append((f"complete__{lesson}", lesson, lambda lesson=lesson: synthetic.complete(lesson), "full"))
        students.append((f"stubs__{lesson}", lesson, lambda lesson=lesson: synthetic.stubs(lesson), "zero"))
        for kind, expectation in (("wrong", "less than full"), ("correct", "full")):
            for variant in synthetic.corpus(lesson, kind):
                students.append((f"{kind}__{variant.target}__{variant.name}", lesson,
                                 lambda variant=variant: synthetic.with_variant(variant), expectation))
    return students


@pytest.fixture(scope="session")
def graded_corpus(tmp_path_factory):
    """Grade every corpus submission in one parallel run; rows keyed by (student, lesson)."""
    root = tmp_path_factory.mktemp("corpus")
    for student, lesson, build, _ in corpus_students():
        synthetic.write_submission(root / "submitted", student, lesson, build())
    rows = grade.grade(root / "submitted", root / "out", jobs=2)
    return {(row.student_id, row.assignment_id): row for row in rows}, root / "out"
