"""Grading integrity: what a determined student tries, graded by the real pipeline.

Each attack is code a student puts in a solution cell, next to a wrong answer and next to
a right one. Under plain nbgrader each gets full marks for the wrong answer; here the
wrong answer scores no more than it deserves (what the same answer scores without the
attack), the right answer no more than full marks, the honest student graded in the same
run keeps full marks, and no file outside the attacker's working copy changes.
"""

import hashlib
import sqlite3
import time

import psutil
import pytest

from autograder import grade, sandbox, synthetic
from autograder.course import CORPUS, LESSONS, ROOT, SOLUTIONS
from autograder.tables import SCORED

pytestmark = pytest.mark.slow

LESSON = "01_computation_graphs"
TARGET = "add_backward"
WRONG = CORPUS / LESSON / "wrong" / "add_backward_splits_half.py"
MARKER = "backprop-lab-detached-attack"

ATTACKS = {
    # Every comparison a test could use agrees, whatever it is given.
    "replace_comparisons": synthetic.FORGED_COMPARISONS,
    # Test cells that run after this one are turned into `2`: an empty cell raises nothing,
    # and nbgrader reads a number a test cell shows as its partial credit.
    "rewrite_test_cells": """
def _looks_like_a_test(lines):
    return any("checks." in line or "hidden_test" in line for line in lines)
get_ipython().input_transformers_post.append(lambda lines: ["2\\n"] if _looks_like_a_test(lines) else lines)
""",
    # No error is ever shown: the traceback printer, the excepthook, a custom handler for
    # every exception, and an AST transformer that wraps each later cell in try/except.
    "swallow_errors": """
import ast as _ast
import sys as _sys

class _Swallow(_ast.NodeTransformer):
    def visit_Module(self, node):
        handler = _ast.ExceptHandler(type=_ast.Name("BaseException", _ast.Load()), name=None, body=[_ast.Pass()])
        node.body = [_ast.Try(body=node.body or [_ast.Pass()], handlers=[handler], orelse=[], finalbody=[])]
        return _ast.fix_missing_locations(node)

_ip = get_ipython()
_ip.showtraceback = lambda *args, **kwargs: None
_sys.excepthook = lambda *args: None
_ip.set_custom_exc((BaseException,), lambda *args, **kwargs: None)
_ip.ast_transformers.append(_Swallow())
""",
    # Take the answers from wherever they lie on disk: the reference loader, the solution
    # notebook, the corpus of correct answers, the gradebook (which holds the hidden tests).
    "read_reference": f"""
def _steal():
    import json, pathlib, sqlite3
    import autograder
    root = pathlib.Path(autograder.__file__).resolve().parent.parent
    stolen = {{}}
    try:
        from autograder.reference import reference
        stolen.update(vars(reference("{LESSON}")))
    except Exception:
        pass
    try:
        notebook = json.loads((root / "solutions" / "{LESSON}" / "{LESSON}.ipynb").read_text())
        for cell in notebook["cells"]:
            if cell["metadata"].get("nbgrader", {{}}).get("solution"):
                exec("".join(cell["source"]), globals(), stolen)
    except Exception:
        pass
    try:
        gradebook = pathlib.Path.cwd().parents[2] / "gradebook.db"
        with sqlite3.connect(f"file:{{gradebook}}?mode=ro", uri=True) as db:
            stolen["_hidden_sources"] = db.execute("select source from source_cell").fetchall()
    except Exception:
        pass
    return stolen

globals().update({{k: v for k, v in _steal().items() if k == "{TARGET}"}})
""",
    # The hidden tests record into a folder named by an environment variable: send them elsewhere,
    # or have them judge themselves in the kernel, where the reference would be needed.
    "redirect_records": """
import os as _os
_os.environ.pop("BACKPROP_RECORDS", None)
""",
    # A detached process outlives the notebook, then rewrites the gradebook and the tables,
    # vandalises solutions/ and lessons/, and overwrites another student's submission.
    "detached_rewriter": f"""
import pathlib as _pathlib, subprocess as _subprocess, sys as _sys
import autograder as _autograder
_out = _pathlib.Path.cwd().parents[2]
_root = _pathlib.Path(_autograder.__file__).resolve().parent.parent
_code = '''
import sqlite3, time, pathlib
time.sleep(4)
out, root = pathlib.Path(OUT), pathlib.Path(ROOT)
for attempt in range(30):
    try:
        with sqlite3.connect(out / "gradebook.db") as db:
            db.execute("update grade set extra_credit = 100")
        (out / "grades.csv").write_text("student_id,assignment_id,score,max_score,status\\\\n")
    except Exception:
        pass
    for folder in (root / "solutions", root / "lessons"):
        try:
            (folder / "PWNED").write_text("x")
        except Exception:
            pass
    for notebook in (out / "work" / "submitted").glob("*/*/*.ipynb"):
        try:
            notebook.write_text("{{}}")
        except Exception:
            pass
    time.sleep(1)
'''.replace("OUT", repr(str(_out))).replace("ROOT", repr(str(_root)))
_subprocess.Popen([_sys.executable, "-c", _code, "{MARKER}"], start_new_session=True,
                  stdin=_subprocess.DEVNULL, stdout=_subprocess.DEVNULL, stderr=_subprocess.DEVNULL)
""",
}


def submission(answer, attack=None):
    """A complete lesson whose ``add_backward`` is the wrong or the right one, with an attack after it."""
    if answer == "wrong":
        notebook = synthetic.with_variant(synthetic.load_variant(WRONG, LESSON))
    else:
        notebook = synthetic.complete(LESSON, lean=True)
    if attack:
        cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == TARGET)
        cell.source = cell.source.rstrip() + "\n\n" + ATTACKS[attack]
    return notebook


def tree_digest(*folders):
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def attacked_class(tmp_path_factory):
    if not sandbox.bwrap_works():
        pytest.fail("bubblewrap is needed for grading integrity: apt-get install bubblewrap (see README)")
    root = tmp_path_factory.mktemp("attacks")
    submitted = root / "submitted"
    synthetic.write_submission(submitted, "honest", LESSON, submission("right"))
    synthetic.write_submission(submitted, "baseline_wrong", LESSON, submission("wrong"))
    for attack in ATTACKS:
        for answer in ("wrong", "right"):
            synthetic.write_submission(submitted, f"{attack}__{answer}", LESSON, submission(answer, attack))
    before = tree_digest(SOLUTIONS, LESSONS, submitted)
    rows = grade.grade(submitted, root / "out", lessons=[LESSON], jobs=2)
    tables = (root / "out" / "grades.csv").read_text()
    time.sleep(8)  # any process an attack left behind has had time to act
    return {r.student_id: r for r in rows}, root / "out", before, tables, submitted


def cell_scores(row):
    return {grade_id: score for grade_id, score, _ in row.cells}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_on_a_wrong_answer_scores_no_more_than_it_deserves(attacked_class, attack):
    rows, *_ = attacked_class
    attacked, deserved = rows[f"{attack}__wrong"], rows["baseline_wrong"]
    assert deserved.score < deserved.scored_max
    assert attacked.status in SCORED, (attack, attacked.status, attacked.detail)
    assert attacked.score <= deserved.score, (attack, attacked.cells, attacked.failures)
    assert cell_scores(attacked)[f"hidden_{TARGET}"] == 0


@pytest.mark.parametrize("attack", ["replace_comparisons", "swallow_errors", "read_reference", "detached_rewriter"])
def test_attack_that_leaves_the_tests_running_changes_no_score(attacked_class, attack):
    rows, *_ = attacked_class
    assert cell_scores(rows[f"{attack}__wrong"]) == cell_scores(rows["baseline_wrong"])
    assert rows[f"{attack}__right"].score == rows[f"{attack}__right"].scored_max


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_on_a_right_answer_scores_no_more_than_full(attacked_class, attack):
    rows, *_ = attacked_class
    row = rows[f"{attack}__right"]
    assert row.score <= row.scored_max


def test_honest_student_beside_the_attacks_keeps_full_marks(attacked_class):
    rows, out, *_ = attacked_class
    assert rows["honest"].score == rows["honest"].scored_max > 0
    with sqlite3.connect(out / "gradebook.db") as db:
        assert db.execute("select count(*) from grade where extra_credit > 0").fetchone()[0] == 0


def test_no_file_outside_the_working_copy_changed(attacked_class):
    _, out, before, tables, submitted = attacked_class
    assert tree_digest(SOLUTIONS, LESSONS, submitted) == before
    assert not list(ROOT.glob("*/PWNED"))
    assert (out / "grades.csv").read_text() == tables


def test_no_process_outlives_its_notebook(attacked_class):
    left = [p.pid for p in psutil.process_iter(["cmdline"]) if MARKER in " ".join(p.info["cmdline"] or [])]
    assert not left, f"processes started by a graded notebook are still running: {left}"
