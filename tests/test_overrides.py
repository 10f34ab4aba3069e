"""The grader's overrides of nbgrader's internals behave as nbgrader's own steps do."""

import copy
import itertools

import nbformat
import pytest
from nbgrader.preprocessors import CheckCellMetadata

from autograder import checks, overrides
from autograder.course import LESSONS

LESSON = "01_computation_graphs"
RELEASED = nbformat.read(LESSONS / LESSON / f"{LESSON}.ipynb", as_version=4)


def first(kind):
    """Index of the first cell of a kind: a grade cell, a solution cell, a locked one, markdown."""
    tests = {
        "grade": lambda c: c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code",
        "solution": lambda c: c.metadata.get("nbgrader", {}).get("solution"),
        "locked": lambda c: c.metadata.get("nbgrader", {}).get("locked") and not c.metadata.nbgrader.get("grade"),
        "markdown": lambda c: c.cell_type == "markdown",
    }
    return next(i for i, c in enumerate(RELEASED.cells) if tests[kind](c))


def nbgrader_meta(kind):
    return {"grade": False, "solution": False, "locked": False, "grade_id": "x", "schema_version": 3, **(
        {"markdown": {}, "grade": {"grade": True, "points": 1}, "solution": {"solution": True},
         "locked": {"locked": True}}[kind])}


# (cell kind, change to its nbgrader metadata): None deletes the key.
CHANGES = [
    *[(kind, {key: None}) for kind in ("grade", "solution", "locked")
      for key in ("points", "grade_id", "grade", "solution", "locked", "schema_version")],
    *[(kind, {"grade_id": value}) for kind in ("grade", "solution", "locked") for value in ("", " ", 3, None)],
    *[("grade", {"points": value}) for value in ("two", -1, 0, 1.5, None, [])],
    *[(kind, {"schema_version": value}) for kind in ("grade", "locked") for value in (0, 1, 2, 4, "3")],
    *[("grade", {flag: value}) for flag in ("grade", "solution", "locked") for value in ("yes", 1, None)],
    ("grade", {"task": True}), ("grade", {"cell_type": "markdown"}), ("grade", {"extra": 1}),
    ("markdown", nbgrader_meta("grade")), ("markdown", nbgrader_meta("solution")),
    ("markdown", {**nbgrader_meta("grade"), "solution": True}), ("markdown", {**nbgrader_meta("markdown"), "task": True}),
    ("markdown", {**nbgrader_meta("grade"), "task": True}),
]


def mutated(kind, change):
    notebook = copy.deepcopy(RELEASED)
    cell = notebook.cells[first(kind)]
    meta = cell.metadata.setdefault("nbgrader", {})
    for key, value in change.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    return notebook


def outcome(step, notebook):
    try:
        step.preprocess(copy.deepcopy(notebook), {})
    except Exception as error:  # the type is what is compared
        return type(error)
    return None


@pytest.mark.parametrize("kind,change", CHANGES, ids=[f"{k}-{c}" for k, c in CHANGES])
def test_compiled_metadata_check_rejects_exactly_what_nbgraders_rejects(kind, change):
    notebook = mutated(kind, change)
    assert outcome(overrides.CheckCellMetadataCompiled(), notebook) == outcome(CheckCellMetadata(), notebook)


def test_duplicate_grade_ids_are_rejected_by_both():
    notebook = copy.deepcopy(RELEASED)
    a, b = itertools.islice((c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id")), 2)
    b.metadata.nbgrader.grade_id = a.metadata.nbgrader.grade_id
    assert outcome(CheckCellMetadata(), notebook) is not None
    assert outcome(overrides.CheckCellMetadataCompiled(), notebook) == outcome(CheckCellMetadata(), notebook)


def test_the_mutations_include_rejections_nbgraders_base_schema_does_not_catch():
    """Grade cells without points or with an empty id pass the JSON schema; nbgrader rejects them."""
    rejected = [c for c in CHANGES if outcome(CheckCellMetadata(), mutated(*c)) is not None]
    assert ("grade", {"points": None}) in rejected and ("grade", {"grade_id": ""}) in rejected
    assert len(rejected) > 20 and len(rejected) < len(CHANGES)


def untouched_stub_message(name):
    """What a visible test says of function ``name`` left as handed out (``checks.call``)."""
    def stub():
        raise NotImplementedError()

    stub.__name__ = name
    with pytest.raises(checks.CheckFailure) as failure:
        checks.call(stub)
    return str(failure.value)


def test_validate_gives_an_untouched_stubs_instructions_once():
    wrong = "relu_backward: dx differs at index (0, 1): yours 1, expected 0"
    messages = [untouched_stub_message("relu_forward"), wrong, untouched_stub_message("relu_forward"),
                untouched_stub_message("kink_mask")]
    told = set()

    shown = [overrides.OneLineValidator._shown(message, told) for message in messages]

    assert shown[:2] == messages[:2], "the first stub's message and any other failure are shown whole"
    assert shown[2:] == ["relu_forward is not implemented yet", "kink_mask is not implemented yet"], shown


def test_validate_reports_a_test_cell_turned_markdown_as_nbgrader_does(tmp_path):
    notebook = copy.deepcopy(RELEASED)
    test_cell = notebook.cells[first("grade")]
    notebook.cells[first("grade")] = nbformat.v4.new_markdown_cell(test_cell.source, metadata=test_cell.metadata)
    path = tmp_path / f"{LESSON}.ipynb"
    nbformat.write(notebook, path)

    results = overrides.OneLineValidator().validate(str(path))

    assert results == {"type_changed": [{"source": test_cell.source.strip(), "old_type": "markdown",
                                         "new_type": "code"}]}, results


# --- the source cells read at once ---------------------------------------------------------------

def graded_markdown_answer(notebook):
    return next(i for i, c in enumerate(notebook.cells)
                if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade"))


def tampered(change):
    """The released lesson with one of the changes OverwriteCells undoes or reports."""
    notebook = copy.deepcopy(RELEASED)
    locked, test = notebook.cells[first("locked")], notebook.cells[first("grade")]
    if change == "locked cell edited":
        locked.source += "\nx = 1"
    elif change == "points raised":
        test.metadata.nbgrader.points = 100
    elif change == "test cell unlocked and edited":
        test.metadata.nbgrader.locked = False
        test.source = "pass"
    elif change == "test cell turned markdown":
        notebook.cells[first("grade")] = nbformat.v4.new_markdown_cell(test.source, metadata=test.metadata)
    elif change == "unknown grade id":
        notebook.cells[first("solution")].metadata.nbgrader.grade_id = "not_in_the_gradebook"
    elif change == "test cell deleted":
        del notebook.cells[first("grade")]
    elif change == "written answer deleted":
        del notebook.cells[graded_markdown_answer(notebook)]
    return notebook


@pytest.fixture(scope="module")
def released_gradebook(tmp_path_factory):
    from autograder import release

    folder = tmp_path_factory.mktemp("release")
    release.generate([LESSON], folder / "release", folder / "gradebook.db", folder)
    return f"sqlite:///{folder / 'gradebook.db'}"


@pytest.mark.parametrize("change", ["untouched", "locked cell edited", "points raised", "test cell unlocked and edited",
                                    "test cell turned markdown", "unknown grade id", "test cell deleted",
                                    "written answer deleted"])
def test_overwrite_cells_at_once_does_what_nbgraders_step_does(change, released_gradebook):
    from nbgrader.preprocessors import OverwriteCells

    notebook = tampered(change)
    resources = {"nbgrader": {"notebook": LESSON, "assignment": LESSON, "db_url": released_gradebook}}
    results = [overwritten(step(add_missing_cells=True), notebook, resources)
               for step in (OverwriteCells, overrides.OverwriteCellsAtOnce)]

    assert results[1] == results[0]
    assert change == "untouched" or results[0] != notebook, "the change is one nbgrader's step undoes or refuses"


def overwritten(step, notebook, resources):
    """The notebook ``step`` returns, or the type of what it raised (nbgrader 0.9.6 raises a KeyError
    on a solution cell whose grade id the gradebook does not know)."""
    try:
        return step.preprocess(copy.deepcopy(notebook), copy.deepcopy(resources))[0]
    except Exception as error:
        return type(error)


# --- one gradebook engine per process ------------------------------------------------------------

SHARED_ENGINE_PROBE = """
import os, sqlite3, sys
from nbgrader.api import Gradebook
from autograder import overrides

url, path = sys.argv[1], sys.argv[2]
overrides.share_gradebook_engine()
with Gradebook(url) as first:
    engine = first.engine
    first.add_student("before")
sqlite3.connect(path, isolation_level=None).execute("INSERT INTO student (id) VALUES ('from another connection')")
with Gradebook(url) as again, Gradebook(url, "another_course") as other_course:
    print("same engine" if again.engine is engine and other_course.engine is engine else "new engine")
    print(sorted(s.id for s in again.students))
child = os.fork()
if child == 0:
    with Gradebook(url) as in_fork:
        os._exit(0 if in_fork.engine is not engine and len(in_fork.students) == 2 else 1)
print("fork: own engine" if os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0 else "fork: parent's engine")
"""


def test_a_process_shares_one_gradebook_engine_that_sees_every_commit_and_no_fork_shares(tmp_path):
    import subprocess
    import sys

    database = tmp_path / "gradebook.db"
    probe = subprocess.run([sys.executable, "-c", SHARED_ENGINE_PROBE, f"sqlite:///{database}", str(database)],
                           capture_output=True, text=True, timeout=120)

    assert probe.stdout.splitlines() == ["same engine", "['before', 'from another connection']", "fork: own engine"], \
        probe.stderr[-2000:]
