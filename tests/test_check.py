"""`python -m autograder check`: a student runs one lesson and reads its visible tests."""

import contextlib
import io
import json
import re

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


@pytest.fixture(scope="module")
def lesson():
    if LESSON is None:
        pytest.fail("no lesson in solutions/: nothing to check")
    return LESSON


def run_cli(*args):
    """(exit status, stdout) of ``python -m autograder check *args``; stdout captured by hand
    so that module-scoped fixtures can share one run."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main(["check", *map(str, args)])
    return status, out.getvalue()


@pytest.fixture(scope="module")
def untouched(lesson):
    """One text run of the lesson as released: (notebook path, its bytes before, exit status, stdout lines)."""
    path = lesson_notebook(lesson)
    before = path.read_bytes()
    status, out = run_cli(path)
    return path, before, status, out.splitlines()


def test_untouched_lesson_fails_and_reports_every_function_not_implemented(untouched):
    path, before, status, out = untouched

    assert status == 1
    functions = visible_test_ids(nbformat.read(path, as_version=4))
    assert functions, f"{path} has no visible test cells"
    assert len(out) == 1 + len(functions) + 1
    for function, line in zip(functions, out[1:]):
        assert line.startswith(function + " "), line
        assert "is not implemented yet" in line, line
        assert "Traceback" not in line
    assert out[-1].startswith(f"visible tests: 0 / {len(functions)} passed")
    assert path.read_bytes() == before, "check must not write the notebook"


def test_the_running_line_comes_first_then_one_line_per_test_cell_in_notebook_order(untouched):
    path, _, _, out = untouched

    assert out[0] == f"running {path} in a fresh kernel ..."
    assert [line.split()[0] for line in out[1:-1]] == visible_test_ids(nbformat.read(path, as_version=4))


def test_json_is_the_only_output_and_agrees_with_the_text(untouched):
    path, _, text_status, text = untouched

    status, out = run_cli(path, "--json")

    document = json.loads(out)  # fails on anything else printed before or after
    assert status == text_status == 1
    passed, total = map(int, re.match(r"visible tests: (\d+) / (\d+) passed", text[-1]).groups())
    assert (document["notebook"], document["passed"], document["total"]) == (str(path), passed, total)
    assert [(t["function"], t["passed"], t["message"]) for t in document["tests"]] == \
        [(line.split()[0], False, line.split(None, 1)[1]) for line in text[1:-1]]


def test_completed_lesson_passes_every_visible_test(lesson, tmp_path):
    path = tmp_path / lesson / f"{lesson}.ipynb"
    path.parent.mkdir()
    nbformat.write(synthetic.complete(lesson), path)

    status, out = run_cli(path)

    assert status == 0
    out = out.splitlines()
    functions = visible_test_ids(nbformat.read(path, as_version=4))
    assert [line.split() for line in out[1:-1]] == [[function, "passed"] for function in functions]
    assert out[-1].startswith(f"visible tests: {len(functions)} / {len(functions)} passed")


def test_a_syntax_error_in_an_answer_is_named_with_its_line_not_as_the_test_s_name_error(lesson, tmp_path):
    notebook = synthetic.complete(lesson)
    function = visible_test_ids(notebook)[-1]
    answer = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == function)
    answer.source = f"def {function}(*args):\n    return 1 +\n"
    path = tmp_path / f"{lesson}.ipynb"
    nbformat.write(notebook, path)

    status, out = run_cli(path)

    assert status == 1
    line = next(line for line in out.splitlines() if line.startswith(function + " "))
    assert line.endswith("your cell has a syntax error at line 2: invalid syntax"), line
    assert "NameError" not in line
    # The Validate button says the same, from the test cell's own message in the notebook.
    failed = {f["source"]: f["raw_error"] for f in validator().validate(str(path))["failed"]}
    assert failed[function].endswith("your cell has a syntax error at line 2: invalid syntax"), failed


def graded(source, grade_id, points=1):
    """A locked test cell of ``points``, as nbgrader's metadata has it."""
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
        "grade": True, "grade_id": grade_id, "locked": True, "points": points,
        "schema_version": 3, "solution": False, "task": False}})


def small_notebook(path, cells):
    """Write a Python notebook of ``cells`` to ``path``; return the path."""
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                 "language": "python"}})
    notebook.cells = cells
    nbformat.write(notebook, path)
    return path


def test_one_wrong_function_is_named_with_the_first_line_of_its_failure(tmp_path):
    path = small_notebook(tmp_path / "tiny.ipynb", [
        nbformat.v4.new_code_cell("from autograder import checks\ndef double(x):\n    return 2 * x\n"
                                  "def half(x):\n    return x"),
        graded("checks.assert_close('double(3)', checks.call(double, 3), 6)", "test_double", points=2),
        graded("# Hidden tests run when the notebook is graded.", "hidden_double"),
        graded("checks.assert_close('half(3)', checks.call(half, 3), 1.5)", "test_half"),
        graded("assert half(0) == 1, 'half(0)\\nsecond line'", "test_half_zero"),
    ])

    results = check.run(path, timeout=60)

    assert [(r.function, r.passed) for r in results] == [("double", True), ("half", False), ("half_zero", False)]
    assert results[1].message.startswith("half(3) differs: yours 3, expected 1.5")
    assert results[2].message == "AssertionError: half(0)"
    assert check.score_line(results).startswith("visible tests: 1 / 3 passed")


def test_each_result_is_passed_on_as_soon_as_its_test_cell_finishes(tmp_path):
    path = small_notebook(tmp_path / "two.ipynb", [
        graded("assert True", "test_first"),
        nbformat.v4.new_code_cell("open('later-cell-ran', 'w').close()"),
        graded("assert True", "test_second"),
    ])
    seen = []

    results = check.run(path, timeout=60, on_result=lambda r: seen.append((r, (tmp_path / "later-cell-ran").exists())))

    assert [(r.function, later_cell_ran) for r, later_cell_ran in seen] == [("first", False), ("second", True)]
    assert [r for r, _ in seen] == results


def test_a_cell_that_never_ends_is_interrupted_and_the_rest_still_run(tmp_path):
    path = small_notebook(tmp_path / "loop.ipynb", [
        graded("while True:\n    pass", "test_loop"),
        graded("assert 1 + 1 == 2", "test_after"),
    ])

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


def validator():
    """nbgrader's Validate, as etc/jupyter/nbgrader_config.py sets it up for JupyterLab's button."""
    from nbgrader.server_extensions.validate_assignment import handlers
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.course import ROOT

    config = PyFileConfigLoader("nbgrader_config.py", str(ROOT / "etc" / "jupyter")).load_config()
    return handlers.Validator(config=config)


def test_validate_lists_one_line_per_failing_function_and_still_sees_changed_cells(lesson, tmp_path):
    released = nbformat.read(lesson_notebook(lesson), as_version=4)
    path = tmp_path / f"{lesson}.ipynb"
    nbformat.write(released, path)

    # nbgrader's own line for each written answer left as handed out; then one per function.
    failed = [f for f in validator().validate(str(path))["failed"]
              if f["raw_error"] != "You did not provide a response."]

    assert [f["source"] for f in failed] == visible_test_ids(released)
    assert all("\n" not in f["raw_error"] and "is not implemented yet" in f["raw_error"] for f in failed), failed

    test_cell = next(c for c in released.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_"))
    test_cell.source += "\npass  # the student edited a locked test cell"
    nbformat.write(released, path)
    assert "changed" in validator().validate(str(path))
