"""Where the course lives and how nbgrader is configured for it: one place for both."""

import functools
from pathlib import Path

from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
LESSONS = ROOT / "lessons"
CORPUS = ROOT / "tests" / "corpus"

# Teaching order, as the curriculum contract fixes it.
LESSON_IDS = (
    "01_computation_graphs",
    "02_jacobians",
    "03_sigmoid_saturation",
    "04_relu_backprop",
    "05_two_layer_net",
)


# A lesson's test cells are named after the function they grade (docs/authoring.md).
VISIBLE_TEST_PREFIX = "test_"
HIDDEN_TEST_PREFIX = "hidden_"
# A written answer, graded by the instructor in formgrader: a markdown answer cell ``written_<topic>``.
WRITTEN_PREFIX = "written_"


def function_of(grade_id):
    """The graded function a test cell belongs to: ``hidden_relu_backward`` -> ``relu_backward``."""
    for prefix in (VISIBLE_TEST_PREFIX, HIDDEN_TEST_PREFIX):
        if grade_id.startswith(prefix):
            return grade_id[len(prefix):]
    return grade_id


def is_hidden_test(cell):
    """Whether ``cell`` is a graded hidden test cell (``hidden_<function>``)."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and meta.get("grade_id", "").startswith(HIDDEN_TEST_PREFIX)


# A code cell that only teaches (a figure, an experiment's plot): grading need not run it again.
TEACHING_ONLY_TAG = "teaching-only"


def is_teaching_only(cell):
    """Whether ``cell`` is an ungraded code cell tagged ``teaching-only``."""
    return (cell.cell_type == "code" and TEACHING_ONLY_TAG in cell.metadata.get("tags", [])
            and "nbgrader" not in cell.metadata)


def teaching_cell_ids(lesson_id):
    """The ids of the cells of a lesson that only teach, as ``solutions/`` marks them."""
    import nbformat

    return [cell.id for cell in nbformat.read(solution_notebook(lesson_id), as_version=4).cells if is_teaching_only(cell)]


@functools.cache
def grade_ids(lesson_id):
    """The nbgrader grade ids of a lesson's graded cells, as ``solutions/`` has them."""
    import nbformat

    cells = nbformat.read(solution_notebook(lesson_id), as_version=4).cells
    return frozenset(cell.metadata["nbgrader"]["grade_id"] for cell in cells
                     if cell.metadata.get("nbgrader", {}).get("grade"))


def is_written_answer(cell):
    """Whether ``cell`` is a manually graded written answer (``written_<topic>``, markdown, with points)."""
    meta = cell.metadata.get("nbgrader", {})
    return (cell.cell_type == "markdown" and bool(meta.get("grade")) and bool(meta.get("solution"))
            and meta.get("grade_id", "").startswith(WRITTEN_PREFIX))


def awaits_instructor(grade):
    """Whether an nbgrader gradebook ``Grade`` is a written answer the student gave and no one
    has graded yet (one left as handed out scores 0 automatically)."""
    return grade.auto_score is None and grade.manual_score is None


def available_lessons():
    """The lessons whose source notebook exists, in teaching order."""
    return [lesson for lesson in LESSON_IDS if solution_notebook(lesson).exists()]


def solution_notebook(lesson_id):
    return SOLUTIONS / lesson_id / f"{lesson_id}.ipynb"


def lesson_notebook(lesson_id):
    return LESSONS / lesson_id / f"{lesson_id}.ipynb"


def nbgrader_config(course_root, db_path, release_dir=LESSONS, submitted_dir=None):
    """nbgrader's configuration for a course rooted at ``course_root``.

    ``solutions/`` is always the source directory; the gradebook, release folder and
    submissions are wherever the caller says, so nothing is written into the checkout
    unless asked.
    """
    config = Config()
    config.CourseDirectory.root = str(course_root)
    config.CourseDirectory.source_directory = str(SOLUTIONS)
    config.CourseDirectory.release_directory = str(release_dir)
    config.CourseDirectory.db_url = f"sqlite:///{Path(db_path).resolve()}"
    if submitted_dir is not None:
        config.CourseDirectory.submitted_directory = str(Path(submitted_dir).resolve())
    config.CourseDirectory.autograded_directory = "autograded"
    config.CourseDirectory.feedback_directory = "feedback"
    # Notebooks only: a lesson's other files (data, figures) travel with it.
    config.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__"]
    config.Exchange.root = str(Path(course_root).resolve() / "exchange")
    return config


def put_scripts_on_path():
    """Put this interpreter's scripts first on PATH.

    nbgrader runs the ``alembic`` command from PATH whenever it creates a gradebook, so
    a venv that is used without being activated must still be found first.
    """
    import os
    import sys

    scripts = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[:1] != [scripts]:
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")
