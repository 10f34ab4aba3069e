"""`python -m autograder check`: a student runs one lesson and reads its visible tests."""

import nbformat
import pytest

from autograder import check, cli, synthetic
from autograder.course import available_lessons, lesson_notebook

# One lesson is enough to prove the command; the first in teaching order that exists.
LESSON = available_lessons()[0] if available_lessons() else None


def visible_test_ids(notebook):
    return [c.metadata["nbgrader"]["grade_id"][len("test_"):] for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade")
            and c.metadata["nbgrader"]["grade_id"].startswith("test_")]


@pytest.fixture
def lesson():
    if LESSON is None:
        pytest.fail("no lesson in solutions/: nothing to check")
    return LESSON


def test_untouched_lesson_reports_every_function_not_implemented(lesson, capsys):
    path = lesson_notebook(lesson)
    before = path.read_bytes()

    assert cli.main(["check", str(path)]) == 0

    out = capsys.readouterr().out.splitlines()
    functions = visible_test_ids(nbformat.read(path, as_version=4))
    assert functions, f"{lesson} has no visible test cells"
    assert len(out) == len(functions) + 1
    for function, line in zip(functions, out):
        assert line.startswith(function + " "), line
        assert "is not implemented yet" in line, line
        assert "Traceback" not in line
    assert out[-1].startswith(f"visible tests: 0 / {len(functions)} passed")
    assert path.read_bytes() == before, "check must not write the notebook"


def test_completed_lesson_passes_every_visible_test(lesson, tmp_path, capsys):
    path = tmp_path / lesson / f"{lesson}.ipynb"
    path.parent.mkdir()
    nbformat.write(synthetic.complete(lesson), path)

    assert cli.main(["check", str(path)]) == 0

    out = capsys.readouterr().out.splitlines()
    functions = visible_test_ids(nbformat.read(path, as_version=4))
    for function, line in zip(functions, out):
        assert line.split() == [function, "passed"], line
    assert out[-1].startswith(f"visible tests: {len(functions)} / {len(functions)} passed")


def test_one_wrong_function_is_named_with_the_first_line_of_its_failure(tmp_path):
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                 "language": "python"}})

    def graded(source, grade_id, points=1):
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
            "grade": True, "grade_id": grade_id, "locked": True, "points": points,
            "schema_version": 3, "solution": False, "task": False}})

    notebook.cells = [
        nbformat.v4.new_code_cell("from autograder import checks\ndef double(x):\n    return 2 * x\n"
                                  "def half(x):\n    return x"),
        graded("checks.assert_close('double(3)', checks.call(double, 3), 6)", "test_double", points=2),
        nbformat.v4.new_code_cell("# Hidden tests run when the notebook is graded.", metadata={"nbgrader": {
            "grade": True, "grade_id": "hidden_double", "locked": True, "points": 1,
            "schema_version": 3, "solution": False, "task": False}}),
        graded("checks.assert_close('half(3)', checks.call(half, 3), 1.5)", "test_half"),
        graded("assert half(0) == 1, 'half(0)\\nsecond line'", "test_half_zero"),
    ]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(notebook, path)

    results = check.run(path, timeout=60)

    assert [(r.function, r.passed) for r in results] == [("double", True), ("half", False), ("half_zero", False)]
    assert results[1].message.startswith("half(3) differs: yours 3, expected 1.5")
    assert results[2].message == "AssertionError: half(0)"
    assert check.score_line(results).startswith("1 / 3 passed")


def test_a_cell_that_never_ends_is_interrupted_and_the_rest_still_run(tmp_path):
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                 "language": "python"}})
    meta = {"grade": True, "locked": True, "points": 1, "schema_version": 3, "solution": False, "task": False}
    notebook.cells = [
        nbformat.v4.new_code_cell("while True:\n    pass", metadata={"nbgrader": {**meta, "grade_id": "test_loop"}}),
        nbformat.v4.new_code_cell("assert 1 + 1 == 2", metadata={"nbgrader": {**meta, "grade_id": "test_after"}}),
    ]
    path = tmp_path / "loop.ipynb"
    nbformat.write(notebook, path)

    results = check.run(path, timeout=3)

    assert not results[0].passed and "did not finish within 3 s" in results[0].message
    assert results[1].passed


@pytest.mark.parametrize("name, content, expected", [
    ("missing.ipynb", None, "no notebook at"),
    ("notes.ipynb", "not json", "is not a readable notebook"),
])
def test_a_missing_or_unreadable_notebook_is_an_error(tmp_path, capsys, name, content, expected):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)

    assert cli.main(["check", str(path)]) != 0

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and expected in captured.err
