"""The reference solutions, read from the instructor's source notebooks for hidden tests.

A hidden test compares the student's function with ``reference(lesson_id).function_name``.
The reference is the solution notebook itself (its ``setup`` cell and its solution cells),
so the solutions are written once, in ``solutions/``, and nowhere else.
"""

import functools
import json
import types

from .course import solution_notebook


def _reference_cells(notebook):
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and (meta.get("solution") or meta.get("grade_id") == "setup"):
            source = cell["source"]
            yield meta.get("grade_id", "cell"), source if isinstance(source, str) else "".join(source)


@functools.lru_cache(maxsize=None)
def reference(lesson_id):
    """A namespace holding every name the lesson's solution cells define."""
    path = solution_notebook(lesson_id)
    # Plain JSON, not nbformat: this runs inside every graded kernel, where nbformat's
    # schema validation would cost more than the tests themselves.
    notebook = json.loads(path.read_text())
    namespace = {"__name__": f"reference_{lesson_id}"}
    for grade_id, source in _reference_cells(notebook):
        exec(compile(source, f"{path.name}[{grade_id}]", "exec"), namespace)
    # The functions keep ``namespace`` as their globals, __builtins__ included: numpy's
    # methods look it up there the first time they run.
    return types.SimpleNamespace(**{name: value for name, value in namespace.items() if name != "__builtins__"})
