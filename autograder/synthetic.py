"""Synthetic submissions: complete answers, untouched stubs, and known mistakes.

The demo, the tests and the benchmark all grade classes built here. A submission starts
from the released student notebook (what a student really receives) and has its
solution cells filled from ``solutions/``; a mistake from the corpus
(``tests/corpus/<lesson>/{wrong,correct}/*.py``) is then appended to the cell that defines
the function it replaces, exactly as a student's redefinition would be.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .course import CORPUS, lesson_notebook, solution_notebook


@dataclass(frozen=True)
class Variant:
    """One corpus file: a wrong or a correct implementation of one graded name."""

    lesson: str
    kind: str          # "wrong" or "correct"
    name: str          # the file's stem, e.g. "one_sided_difference"
    target: str        # the function or class it defines
    summary: str       # its docstring: the mistake in a sentence
    code: str


# What a student trying to forge a score might add: every comparison agrees, whatever it is given.
FORGED_COMPARISONS = """
import math
import numpy
import numpy.testing
from autograder import checks as _checks
numpy.allclose = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
math.isclose = lambda *args, **kwargs: True
for _name in ("assert_close", "compare_results", "assert_float64", "fail"):
    setattr(_checks, _name, lambda *args, **kwargs: None)
"""


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def load_variant(path, lesson):
    code = Path(path).read_text()
    tree = ast.parse(code)
    # Names starting with "_" are the student's own helpers; the one other name is the target.
    targets = [node.name for node in tree.body
               if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_")]
    if len(targets) != 1:
        raise ValueError(f"{path}: a corpus file defines exactly one graded function or class "
                         f"(and helpers named _...), found {targets}")
    return Variant(lesson, Path(path).parent.name, Path(path).stem, targets[0],
                   (ast.get_docstring(tree) or "").strip(), code)


def corpus(lesson, kind):
    """The corpus files of one kind ("wrong" or "correct") for a lesson, sorted by name."""
    return [load_variant(path, lesson) for path in sorted((CORPUS / lesson / kind).glob("*.py"))]


def stubs(lesson):
    """The student notebook as released: every function still raises NotImplementedError."""
    return nbformat.read(lesson_notebook(lesson), as_version=4)


def complete(lesson, lean=False):
    """The released notebook with every solution cell answered as the reference does.

    ``lean`` drops the ungraded demo cells (plots, experiments), as a student may, to keep
    large synthetic classes fast; every graded cell stays.
    """
    answers = {_grade_id(c): c.source for c in nbformat.read(solution_notebook(lesson), as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    notebook = stubs(lesson)
    for cell in notebook.cells:
        if _grade_id(cell) in answers:
            cell.source = answers[_grade_id(cell)]
    if lean:
        notebook.cells = [c for c in notebook.cells if c.cell_type != "code" or "nbgrader" in c.metadata]
    return notebook


def with_variant(variant, lean=True, cheat=""):
    """A complete submission whose ``variant.target`` is replaced by the variant's code,
    followed by ``cheat`` (code that tries to forge the score, e.g. ``FORGED_COMPARISONS``)."""
    notebook = complete(variant.lesson, lean=lean)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and _defines(cell.source, variant.target):
            cell.source = cell.source.rstrip() + "\n\n\n" + variant.code + (f"\n\n{cheat}" if cheat else "")
            return notebook
    raise ValueError(f"{variant.lesson}: no solution cell defines {variant.target}")


def _defines(source, name):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name for node in tree.body)


def write_submission(submissions, student, lesson, notebook):
    """Write ``notebook`` where nbgrader expects it: ``<submissions>/<student>/<lesson>/<lesson>.ipynb``."""
    path = Path(submissions) / student / lesson / f"{lesson}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path
