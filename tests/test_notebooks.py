"""Committed notebooks: clean, released from solutions/, and giving nothing away."""

import json
import subprocess

import nbformat
import pytest

from autograder import release
from conftest import hidden_lines
from autograder.course import LESSON_IDS, ROOT, available_lessons, lesson_notebook, solution_notebook


def tracked_notebooks():
    listed = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True).stdout
    on_disk = [p.relative_to(ROOT) for folder in ("solutions", "lessons") for p in (ROOT / folder).rglob("*.ipynb")]
    return sorted(set(listed.split()) | {str(p) for p in on_disk if ".ipynb_checkpoints" not in p.parts})


def test_every_lesson_of_the_contract_exists():
    assert available_lessons() == list(LESSON_IDS)
    for lesson in LESSON_IDS:
        assert lesson_notebook(lesson).exists(), f"{lesson} was never released: run `make release`"


@pytest.mark.parametrize("path", tracked_notebooks())
def test_notebook_is_committed_clean(path):
    notebook = json.loads((ROOT / path).read_text())
    nbformat.validate(nbformat.from_dict(notebook))
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path}: cell {index} holds outputs"
            assert cell["execution_count"] is None, f"{path}: cell {index} holds an execution count"


def test_lessons_are_up_to_date_with_solutions():
    assert release.stale_lessons() == {}, "lessons/ is out of date: run `make release`"


def test_release_is_deterministic(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    release.release(release_dir=first)
    release.release(release_dir=second)
    for path in first.rglob("*.ipynb"):
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes(), f"{path.name} differs"


@pytest.mark.parametrize("lesson", available_lessons())
def test_student_version_hides_solutions_and_hidden_tests(lesson):
    source = nbformat.read(solution_notebook(lesson), as_version=4)
    student = nbformat.read(lesson_notebook(lesson), as_version=4).cells
    text = "\n".join(c.source for c in student)
    assert "### BEGIN SOLUTION" not in text and "### BEGIN HIDDEN TESTS" not in text
    for line in hidden_lines(source, min_length=20):
        assert line not in text, f"{lesson}: a hidden test line reached the student: {line}"
    graded = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded, f"{lesson} has no graded cells"
    assert all(c.metadata["nbgrader"]["grade_id"].startswith(("test_", "hidden_", "written_")) for c in graded)


@pytest.mark.parametrize("lesson", available_lessons())
def test_solution_notebook_runs_and_passes_its_own_hidden_tests(lesson):
    """Top to bottom, as an instructor runs it: hidden tests record and judge in one kernel."""
    import os

    from nbclient import NotebookClient

    path = solution_notebook(lesson)
    notebook = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if k != "BACKPROP_RECORDS"}
    NotebookClient(notebook, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute(
        env={**env, "MPLBACKEND": "Agg"})
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        assert not errors, f"{lesson} {grade_id}: {errors[0].ename}: {errors[0].evalue}"
        if grade_id.startswith("hidden_"):
            # One print may reach the notebook as several stream outputs; what they say counts.
            assert {(o.output_type, o.get("name")) for o in cell.outputs} == {("stream", "stdout")}, grade_id
            assert "".join(o.text for o in cell.outputs) == f"{grade_id}: passed\n", grade_id


@pytest.mark.parametrize("lesson", available_lessons())
def test_every_lesson_shows_the_one_notation_table(lesson):
    """docs/notation.md is the course's one table of symbols; each lesson shows it as it is."""
    table = (ROOT / "docs" / "notation.md").read_text().strip()
    cells = [c for c in nbformat.read(solution_notebook(lesson), as_version=4).cells if c.get("id") == "notation"]
    assert len(cells) == 1 and cells[0].cell_type == "markdown", f"{lesson}: no cell with id 'notation'"
    assert cells[0].source.strip() == table, f"{lesson}: its notation cell differs from docs/notation.md"


@pytest.mark.parametrize("lesson", available_lessons())
def test_visible_test_cells_leave_no_names_behind(lesson):
    """A visible test is one function, run at once by @checks.visible_test: its names stay local,
    so a test never rebinds a helper of the student's (a `_sig` of their own, say)."""
    import ast

    for cell in nbformat.read(solution_notebook(lesson), as_version=4).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if not grade_id.startswith("test_"):
            continue
        body = ast.parse(cell.source).body
        assert len(body) == 1 and isinstance(body[0], ast.FunctionDef), f"{lesson} {grade_id}: more than one statement"
        assert body[0].name == grade_id and not body[0].args.args, f"{lesson} {grade_id}: named {body[0].name}"
        assert [ast.unparse(d) for d in body[0].decorator_list] == ["checks.visible_test"], f"{lesson} {grade_id}"


def _names(source):
    """(names a cell binds at its top level, names it reads from the notebook's namespace)."""
    import symtable

    table = symtable.symtable(source, "<cell>", "exec")
    bound = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()}

    def read(scope):
        names = {s.get_name() for s in scope.get_symbols()
                 if s.is_referenced() and (scope.get_type() == "module" or s.is_global())}
        return names.union(*(read(child) for child in scope.get_children()))

    return bound, read(table) - bound


@pytest.mark.parametrize("lesson", available_lessons())
def test_no_cell_that_counts_reads_a_name_a_teaching_only_cell_makes(lesson):
    """Grading skips the cells tagged teaching-only; this proves the score cannot depend on them:
    no other code cell (answers, tests, hidden tests, the rest) reads a name one of them binds."""
    from autograder.course import is_teaching_only

    cells = [c for c in nbformat.read(solution_notebook(lesson), as_version=4).cells if c.cell_type == "code"]
    taught = {}
    for cell in cells:
        if is_teaching_only(cell):
            for name in _names(cell.source)[0]:
                taught.setdefault(name, cell.id)
    for cell in cells:
        if not is_teaching_only(cell):
            needed = sorted(_names(cell.source)[1] & set(taught))
            assert not needed, f"{lesson}: cell {cell.id} reads {needed}, bound by teaching-only {taught[needed[0]]}"
