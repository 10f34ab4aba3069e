"""Every solution scores full marks, every untouched lesson zero, every known mistake less
than full marks and every correct variant full marks, under real nbgrader autograde."""

import pytest

from conftest import corpus_lessons, corpus_students

from autograder.course import is_written_answer, solution_notebook
from autograder.tables import SCORED, WRITTEN_TO_GRADE


def written_points(lesson):
    """The points of a lesson's written answers, graded by the instructor."""
    import nbformat

    return sum(c.metadata["nbgrader"]["points"] for c in nbformat.read(solution_notebook(lesson), as_version=4).cells
               if is_written_answer(c))

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("student,lesson,expectation",
                         [(s, lesson, e) for s, lesson, _, e in corpus_students()],
                         ids=[s for s, *_ in corpus_students()])
def test_score_is_deserved(graded_corpus, student, lesson, expectation):
    rows, _ = graded_corpus
    row = rows[student, lesson]
    assert row.status in SCORED, f"{student}: {row.status} ({row.detail})"
    assert row.max_score > 0
    # Written answers: an answered one waits for the instructor, one left as handed out scores 0.
    written = written_points(lesson)
    assert row.points_to_grade_by_hand == (0 if expectation == "zero" else written), row.cells
    assert (row.status == WRITTEN_TO_GRADE) == (row.points_to_grade_by_hand > 0), row.status
    if expectation == "full":
        lost = [c for c in row.cells if c[1] is not None and c[1] < c[2]]
        assert row.score == row.scored_max, f"{student} lost points on {lost}: {row.failures}"
    elif expectation == "zero":
        assert row.score == 0, f"{student} scored {row.score} with untouched stubs: {row.cells}"
    else:
        assert row.score < row.scored_max, f"{student} got full marks for a known mistake"


def test_every_graded_function_has_two_wrong_implementations_and_a_correct_one():
    from collections import Counter

    from autograder import synthetic
    from autograder.course import solution_notebook
    import nbformat

    for lesson in corpus_lessons():
        solution_ids = {c.metadata["nbgrader"]["grade_id"]
                        for c in nbformat.read(solution_notebook(lesson), as_version=4).cells
                        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
        wrong = Counter(v.target for v in synthetic.corpus(lesson, "wrong"))
        correct = Counter(v.target for v in synthetic.corpus(lesson, "correct"))
        thin = sorted(gid for gid in solution_ids if wrong[gid] < 2 or correct[gid] < 1)
        assert not thin, f"{lesson}: fewer than two wrong or no correct implementation in the corpus for {thin}"


def test_untouched_stub_fails_with_a_sentence(graded_corpus):
    rows, _ = graded_corpus
    for (student, lesson), row in rows.items():
        if student == f"stubs__{lesson}":
            hidden = [msg for grade_id, msg in row.failures if grade_id.startswith("hidden_")]
            assert hidden, f"{lesson}: no hidden test failed on the stubs"
            # The kernel's own words (a RecordedFailure): the instructor reads them; the page does not.
            assert all(msg.startswith("RecordedFailure: ") and "not implemented yet" in msg for msg in hidden), \
                f"{lesson}: a hidden test on a stub failed without the course's message: {hidden}"


def test_visible_tests_score_nothing_and_hidden_tests_everything():
    """The grade comes only from the judged hidden tests (autograder.judge)."""
    import nbformat
    from autograder.course import available_lessons, is_written_answer, solution_notebook

    for lesson in available_lessons():
        for cell in nbformat.read(solution_notebook(lesson), as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and not is_written_answer(cell):
                hidden = meta["grade_id"].startswith("hidden_")
                assert (meta["points"] > 0) == hidden, f"{lesson} {meta['grade_id']}: {meta['points']} points"
                if hidden:
                    assert f"def {meta['grade_id']}(expect)" in cell.source, f"{lesson} {meta['grade_id']}"


def test_cells_that_only_teach_are_not_run_again_and_say_so(graded_corpus):
    """A complete notebook scores full marks (above) with its teaching-only cells skipped."""
    import nbformat

    from autograder.course import is_teaching_only
    from autograder.execute import NOT_RERUN
    from conftest import corpus_lessons

    _, out = graded_corpus
    for lesson in corpus_lessons():
        notebook = nbformat.read(out / "autograded" / f"complete__{lesson}" / lesson / f"{lesson}.ipynb", as_version=4)
        for cell in notebook.cells:
            if is_teaching_only(cell):
                assert [o.get("text") for o in cell.outputs] == [NOT_RERUN], f"{lesson} {cell.id}: {cell.outputs}"
            elif cell.cell_type == "code" and not cell.metadata.get("nbgrader"):
                assert all(o.get("text") != NOT_RERUN for o in cell.outputs), f"{lesson} {cell.id} was skipped"
