"""Release: regenerate the student notebooks in ``lessons/`` from ``solutions/``.

nbgrader's ``generate_assignment`` does the work (stubs in place of solutions, hidden
tests removed, cells locked, checksums recorded); this stage adds what a committed
release needs: no outputs, no execution counts, byte-for-byte reproducible, and a check
that says which lessons are stale. It also adds one step to ``generate_assignment``
(``WriteOutReferences``): a later lesson that builds on an earlier lesson's functions
names them in its source notebook and receives their code written out, since a grading
kernel may not read ``solutions/``. A lesson with a catalogue in ``locale/`` is released in that
language too, in ``lessons/<language>/<lesson>/`` (``autograder.translate``).
"""

import ast
import filecmp
import re
import tempfile
from pathlib import Path

import nbformat
from nbgrader.apps import NbGraderAPI
from nbgrader.preprocessors import NbGraderPreprocessor

from . import translate
from .course import LESSONS, available_lessons, nbgrader_config, put_scripts_on_path, solution_notebook

class ReleaseError(RuntimeError):
    """generate_assignment refused a source notebook."""


# In a source notebook: ``relu_forward = reference("04_relu_backprop").relu_forward``.
REFERENCE_LINE = re.compile(r'^(\w+) = reference\("(\w+)"\)\.\1$')
REFERENCE_IMPORT = "from autograder.reference import reference"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def definition_source(lesson_id, name):
    """The source of the top-level ``def`` or ``class`` ``name`` in a lesson's solution cells."""
    for cell in nbformat.read(solution_notebook(lesson_id), as_version=4).cells:
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
                lines = ast.get_source_segment(cell.source, node).splitlines()
                return "\n".join(line for line in lines if line.strip() not in SOLUTION_MARKERS)
    raise ReleaseError(f"{lesson_id} defines no {name} in its solution cells")


class WriteOutReferences(NbGraderPreprocessor):
    """Replace each ``name = reference("lesson").name`` line by that definition's code."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or REFERENCE_IMPORT not in cell.source:
            return cell, resources
        kept, written_out = [], []
        for line in cell.source.splitlines():
            match = REFERENCE_LINE.match(line)
            if match:
                written_out.append(definition_source(match.group(2), match.group(1)))
            elif line != REFERENCE_IMPORT:
                kept.append(line)
        cell.source = "\n\n\n".join(["\n".join(kept).rstrip(), *written_out])
        return cell, resources


def clean_notebook(path):
    """Strip outputs and execution counts, and write the notebook in nbformat's canonical form."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(notebook, path)


def configure(config):
    """Put ``WriteOutReferences`` first in nbgrader's generate_assignment pipeline in ``config``."""
    from nbgrader.converters import GenerateAssignment

    steps = GenerateAssignment.class_traits()["preprocessors"].default()
    config.GenerateAssignment.preprocessors = [WriteOutReferences, *steps]


def generate(lesson_ids, release_dir, db_path, course_root):
    """Run generate_assignment (forced) for each lesson into ``release_dir``; return the notebooks."""
    put_scripts_on_path()
    config = nbgrader_config(course_root, db_path, release_dir=release_dir)
    configure(config)
    api = NbGraderAPI(config=config)
    notebooks = []
    for lesson in lesson_ids:
        result = api.generate_assignment(lesson, force=True, create=True)
        if not result["success"]:
            raise ReleaseError(f"{lesson}: generate_assignment failed\n{result.get('log', '')}")
        for path in sorted((Path(release_dir) / lesson).glob("*.ipynb")):
            clean_notebook(path)
            notebooks.append(path)
    return notebooks


def release(lesson_ids=None, release_dir=LESSONS):
    """Regenerate ``release_dir`` (``lessons/`` by default) from ``solutions/``, translations included."""
    lesson_ids = lesson_ids or available_lessons()
    with tempfile.TemporaryDirectory(prefix="release-") as scratch:
        notebooks = generate(lesson_ids, release_dir, Path(scratch) / "gradebook.db", scratch)
    return notebooks + translate.release_translations(lesson_ids, Path(release_dir))


def _files(folder):
    return {p.relative_to(folder) for p in folder.rglob("*")
            if p.is_file() and ".ipynb_checkpoints" not in p.parts}


def stale_lessons(lesson_ids=None, release_dir=LESSONS):
    """Lessons whose released folder differs from a fresh release: ``{lesson: [reasons]}``."""
    lesson_ids = lesson_ids or available_lessons()
    stale = {}
    with tempfile.TemporaryDirectory(prefix="release-check-") as scratch:
        fresh = Path(scratch) / "release"
        generate(lesson_ids, fresh, Path(scratch) / "gradebook.db", scratch)
        translate.release_translations(lesson_ids, fresh)
        # An edition is checked where it is released or should be: "zh_CN/01_computation_graphs".
        editions = [f"{language}/{lesson}" for language in translate.LANGUAGES for lesson in lesson_ids
                    if (fresh / language / lesson).is_dir() or (Path(release_dir) / language / lesson).is_dir()]
        for lesson in [*lesson_ids, *editions]:
            want, have = fresh / lesson, Path(release_dir) / lesson
            want_files = _files(want) if want.is_dir() else set()
            have_files = _files(have) if have.is_dir() else set()
            reasons = [f"missing {f}" for f in sorted(want_files - have_files)]
            reasons += [f"not in solutions/: {f}" for f in sorted(have_files - want_files)]
            reasons += [f"out of date: {f}" for f in sorted(want_files & have_files)
                        if not filecmp.cmp(want / f, have / f, shallow=False)]
            if reasons:
                stale[lesson] = reasons
    return stale
