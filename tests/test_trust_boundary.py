"""The grading trust boundary: nothing a student's kernel leaves behind is followed, copied
or trusted.

One class of lesson 01 is graded beside honest students. Each attacker is a real
submission: the wrong ``add_backward`` of the corpus plus a cell that attacks what lies
around the kernel (files it links or fills, the limits, the output cap, the hidden phase,
the feedback page, the environment), or a submission that is itself a link, a FIFO or a
hard link. After the run, for every attack: ``solutions/``, ``tests/``, the venv and a
sentinel file outside the course are unchanged (content and mode); the gradebook is whole
and the honest students have full marks; the feedback folder holds pages only; the
attacker scores no more than the same wrong answer without the attack; and what the
kernel measured of its limits, from inside, is within them.
"""

import json
import os
import re
import sqlite3
import stat
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from conftest import hidden_lines
from nbformat.v4 import new_code_cell

from autograder import cli, grade, report, sandbox, synthetic
from autograder.course import CORPUS, ROOT, SOLUTIONS, solution_notebook
from autograder.tables import GRADER_ERROR, INVALID_SUBMISSION, SCORED

pytestmark = pytest.mark.slow

LESSON = "01_computation_graphs"
WRONG = CORPUS / LESSON / "wrong" / "add_backward_splits_half.py"
LIMITS = grade.Limits(cell_timeout=20, notebook_timeout=90, memory_mb=1536, max_tasks=64, disk_mb=64,
                      max_output_bytes=2**20)
SECRET = "backprop-instructor-secret-7f3a"


def attacks(out, sentinel):
    """student -> code of the cell the attacker adds after the lesson's setup cell.

    Each prints what it achieved after ``MEASURED:``, as JSON, for the test to read from the
    autograded notebook. ``out`` and ``sentinel`` are paths the attacker is assumed to know.
    """
    gradebook, solution = str(out / "gradebook.db"), str(solution_notebook(LESSON))
    return {
        # 1: links and odd files in the working folder and the records, for the grader to follow.
        "links_in_workdir": f"""
import os, json, pathlib, threading, time
here = pathlib.Path.cwd()
for name, target in [("solution.ipynb", {solution!r}), ("gradebook.db", {gradebook!r}),
                     ("shadow", "/etc/shadow"), ("sentinel", {str(sentinel)!r}),
                     ("{LESSON}.ipynb", {gradebook!r}), ("tests", {str(ROOT / "tests")!r})]:
    os.symlink(target, here / name)
os.mkfifo(here / "fifo")
with open(here / "sparse", "wb") as f:
    try:
        f.truncate(8 * 2**30)
    except OSError as error:
        pass
records = pathlib.Path(os.environ["BACKPROP_RECORDS"])
def swap():  # once the hidden tests have written their records, put links and FIFOs in their place
    for _ in range(2000):
        done = [p for p in records.glob("hidden_*.json")]
        if len(done) >= 2:
            break
        time.sleep(0.005)
    for i, p in enumerate(sorted(records.glob("hidden_*.json"))):
        p.unlink()
        if i % 2:
            os.mkfifo(p)
        else:
            os.symlink({str(sentinel)!r}, p)
threading.Thread(target=swap, daemon=True).start()
print("MEASURED:" + json.dumps({{"sparse_size": (here / "sparse").stat().st_size}}))
""",
        # 3: more processes than the limit.
        "fork_bomb": """
import json, subprocess
started = []
for _ in range(200):
    try:
        started.append(subprocess.Popen(["sleep", "60"]))
    except OSError:
        break
print("MEASURED:" + json.dumps({"processes": len(started)}))
""",
        # 3: memory in many processes, each under the per-process cap.
        "memory_in_children": """
import json, multiprocessing, time
def hold(n):
    block = bytearray(n * 2**20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    time.sleep(30)
children = [multiprocessing.get_context("fork").Process(target=hold, args=(400,)) for _ in range(6)]
for child in children:
    child.start()
time.sleep(6)
print("MEASURED:" + json.dumps({"alive": sum(c.is_alive() for c in children)}))
for child in children:
    child.kill()
""",
        # 3: more bytes than the disk limit, in many files.
        "fills_disk": """
import json, pathlib
written = 0
try:
    for i in range(100):
        with open(pathlib.Path.cwd() / f"fill{i}", "wb") as f:
            for _ in range(4):
                f.write(b"x" * 2**20)
                written += 2**20
except OSError as error:
    pass
print("MEASURED:" + json.dumps({"written": written}))
""",
        # 4: a few tiny displays, then one large update of all of them.
        "display_updates": """
from IPython.display import display, update_display
for i in range(100):
    display("x", display_id="d")
update_display("y" * (4 * 2**20), display_id="d")
""",
        # 4: one message far larger than the cap: it must not even reach the grader's memory.
        "prints_huge": """
import sys
sys.stdout.write("z" * (64 * 2**20))
sys.stdout.flush()
""",
        # 5: the In history, a thread that outlives its cell, and the student's own function,
        # each trying to carry the hidden tests into the page.
        "hidden_phase": """
import inspect, sys, threading, time
from IPython.display import display, update_display
print("HIDDEN SEEN BEFORE:", [k for k in globals() if k.startswith("hidden_")])
display("placeholder", display_id="leak")
def watch():
    for _ in range(20000):
        found = [v for k, v in list(globals().items()) if k.startswith("hidden_")]
        if found:
            text = "\\n".join(In) + "".join(inspect.getsource(f) for f in found if callable(f))
            print(text)
            update_display(text, display_id="leak")
            open("leak.txt", "w").write(text)
            return
        time.sleep(0.001)
threading.Thread(target=watch, daemon=True).start()
_real = add_backward
def add_backward(*args):
    caller = "".join(inspect.getsource(inspect.stack()[1].frame)) if len(inspect.stack()) > 1 else ""
    print(caller)
    update_display(caller, display_id="leak")
    raise ValueError("x — " + caller.replace("\\n", " ")[:400])
""",
        # 6: scripts and event handlers in what the page shows.
        "scripts": """
from IPython.display import HTML, Javascript, Markdown, display
display(HTML("<script>document.title='pwned'</script><img src=x onerror=\\"alert(1)\\">"))
display(Javascript("alert(2)"))
display(Markdown("[click](javascript:alert(3)) <iframe src='http://example.invalid/'></iframe>"))
""",
        # 7: what the kernel can learn of the grader's environment and descriptors.
        "environment": """
import json, os
targets = []
for fd in os.listdir("/proc/self/fd"):
    try:
        targets.append(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        pass
print("MEASURED:" + json.dumps({"environ": dict(os.environ), "initial": open("/proc/self/environ").read(),
                                "fds": targets}))
""",
    }


def wrong_submission(attack=None):
    notebook = synthetic.with_variant(synthetic.load_variant(WRONG, LESSON))
    if attack:
        setup = next(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
        # The add_backward cell defines the function the hidden-phase attack wraps: put attacks after it.
        target = next(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "add_backward")
        notebook.cells.insert(max(setup, target) + 1, new_code_cell(attack))
    return notebook


def snapshot(*folders):
    """Path -> (mode, size, content digest or mtime) of every file under ``folders``."""
    seen = {}
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if "__pycache__" in path.parts or ".pytest_cache" in path.parts:
                continue
            info = path.lstat()
            seen[str(path)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return seen


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    if not sandbox.bwrap_works():
        pytest.fail("bubblewrap is needed for the trust boundary: apt-get install bubblewrap (see README)")
    root = tmp_path_factory.mktemp("boundary")
    submitted, out = root / "submitted", root / "out"
    sentinel = root / "sentinel.txt"
    sentinel.write_text("nobody may touch this")
    sentinel.chmod(0o640)
    for student in ("honest_1", "honest_2"):
        synthetic.write_submission(submitted, student, LESSON, synthetic.complete(LESSON, lean=True))
    synthetic.write_submission(submitted, "baseline_wrong", LESSON, wrong_submission())
    for student, code in attacks(out, sentinel).items():
        synthetic.write_submission(submitted, student, LESSON, wrong_submission(code))
    # 2: submissions that are links, FIFOs, hard links or too large.
    (submitted / "folder_link").symlink_to(submitted / "honest_1")
    for student in ("notebook_link", "notebook_fifo", "notebook_hardlink", "notebook_huge"):
        (submitted / student / LESSON).mkdir(parents=True)
    (submitted / "notebook_link" / LESSON / f"{LESSON}.ipynb").symlink_to(solution_notebook(LESSON))
    os.mkfifo(submitted / "notebook_fifo" / LESSON / f"{LESSON}.ipynb")
    elsewhere = root / "elsewhere.ipynb"  # say, a copy of the solutions left on the same disk
    nbformat.write(nbformat.read(solution_notebook(LESSON), as_version=4), elsewhere)
    os.link(elsewhere, submitted / "notebook_hardlink" / LESSON / f"{LESSON}.ipynb")
    with open(submitted / "notebook_huge" / LESSON / f"{LESSON}.ipynb", "wb") as huge:
        huge.truncate(LIMITS.max_submission_bytes + 1)
    guarded = [SOLUTIONS, ROOT / "tests", Path(sys.prefix)]
    before = snapshot(*guarded), (sentinel.read_text(), stat.S_IMODE(sentinel.stat().st_mode))
    os.environ["BACKPROP_TEST_SECRET"] = SECRET
    try:
        rows = grade.grade(submitted, out, lessons=[LESSON], jobs=2, limits=LIMITS)
    finally:
        del os.environ["BACKPROP_TEST_SECRET"]
    after = snapshot(*guarded), (sentinel.read_text(), stat.S_IMODE(sentinel.stat().st_mode))
    return dict(rows={r.student_id: r for r in rows}, out=out, before=before, after=after,
                attackers=sorted(attacks(out, sentinel)))


def measured(out, student):
    """What the attack cell printed after ``MEASURED:``, read from the autograded notebook."""
    notebook = nbformat.read(out / "autograded" / student / LESSON / f"{LESSON}.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    found = re.search(r"MEASURED:(\{.*\})", text)
    assert found, f"{student}: the attack cell printed nothing measured: {text[-500:]}"
    return json.loads(found.group(1))


def page(out, student):
    return (out / "feedback" / student / LESSON / f"{LESSON}.html").read_text()


# --- what holds for every attack -------------------------------------------------------------

def test_nothing_outside_the_attackers_own_scratch_changed(attacked):
    assert attacked["before"][0] == attacked["after"][0], "solutions/, tests/ or the venv changed"
    assert attacked["before"][1] == attacked["after"][1], "the sentinel outside the course changed"


def test_gradebook_whole_and_honest_students_at_full_marks(attacked):
    rows, out = attacked["rows"], attacked["out"]
    for student in ("honest_1", "honest_2"):
        assert rows[student].status in SCORED and rows[student].score == rows[student].scored_max > 0
    with sqlite3.connect(out / "gradebook.db") as db:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        students = {s for (s,) in db.execute("select id from student")}
        graded = {s for (s,) in db.execute("select student.id from submitted_assignment "
                                           "join student on student.id = submitted_assignment.student_id")}
    assert {"honest_1", "honest_2", "baseline_wrong", *attacked["attackers"]} <= students & graded


@pytest.mark.parametrize("student", ["links_in_workdir", "fork_bomb", "memory_in_children", "fills_disk",
                                     "display_updates", "prints_huge", "hidden_phase", "scripts", "environment"])
def test_attacker_scores_no_more_than_the_same_wrong_answer(attacked, student):
    rows = attacked["rows"]
    assert rows["baseline_wrong"].score < rows["baseline_wrong"].scored_max
    assert rows[student].score <= rows["baseline_wrong"].score, (student, rows[student].status, rows[student].cells)


def test_feedback_folder_holds_pages_only(attacked):
    out = attacked["out"]
    found = [p for p in (out / "feedback").rglob("*") if not p.is_dir()]
    assert found and all(p.suffix == ".html" and not p.is_symlink() and p.stat().st_nlink == 1 for p in found), \
        [str(p) for p in found if p.suffix != ".html" or p.is_symlink()]
    assert sum(p.stat().st_blocks * 512 for p in out.rglob("*") if p.is_file() and not p.is_symlink()) < 200 * 2**20


# --- 1: a throwaway working folder ---------------------------------------------------------------

def test_links_and_odd_files_the_kernel_made_are_never_followed(attacked):
    rows, out = attacked["rows"], attacked["out"]
    row = rows["links_in_workdir"]
    assert row.status in SCORED, row.detail
    feedback = out / "feedback" / "links_in_workdir" / LESSON
    assert sorted(p.name for p in feedback.iterdir()) == [f"{LESSON}.html"]
    assert not (out / "autograded" / "links_in_workdir" / LESSON / "gradebook.db").exists()
    # Both functions whose records became a link and a FIFO score zero, and grading did not hang on the FIFO.
    swapped = [g for g, score, _ in row.cells if g.startswith("hidden_") and score == 0]
    assert len(swapped) >= 2, row.cells
    assert measured(out, "links_in_workdir")["sparse_size"] <= LIMITS.disk_mb * 2**20


# --- 2: submissions read without following links ---------------------------------------------------

@pytest.mark.parametrize("student,reason", [
    ("folder_link", "symbolic link"), ("notebook_link", "symbolic link"), ("notebook_fifo", "FIFO"),
    ("notebook_hardlink", "hard link"), ("notebook_huge", "larger than"),
])
def test_a_submission_that_is_not_a_plain_file_is_refused_with_its_reason(attacked, student, reason):
    rows, out = attacked["rows"], attacked["out"]
    row = rows[student]
    assert row.status == INVALID_SUBMISSION and reason in row.detail and row.score == 0
    failures = (out / "failures.csv").read_text()
    assert re.search(rf"^{student},{LESSON},,.*{reason}", failures, re.M), failures
    assert not (out / "autograded" / student).exists()


# --- 3: limits per sandbox -----------------------------------------------------------------------

def test_process_limit_holds_for_the_whole_sandbox(attacked):
    row = attacked["rows"]["fork_bomb"]
    assert row.status == "process limit", (row.status, row.detail)
    assert measured(attacked["out"], "fork_bomb")["processes"] < LIMITS.max_tasks


def test_memory_limit_holds_for_the_whole_sandbox(attacked):
    row = attacked["rows"]["memory_in_children"]
    assert row.status == "memory limit", (row.status, row.detail)
    # Six children of 400 MiB each cannot all live under 1536 MiB for the kernel and all it starts.
    assert measured(attacked["out"], "memory_in_children")["alive"] * 400 < LIMITS.memory_mb


def test_disk_limit_holds_for_the_whole_sandbox(attacked):
    row = attacked["rows"]["fills_disk"]
    assert row.status == "disk limit", (row.status, row.detail)
    assert measured(attacked["out"], "fills_disk")["written"] <= LIMITS.disk_mb * 2**20


# --- 4: the output cap counts everything ---------------------------------------------------------

def test_a_message_larger_than_the_cap_never_reaches_the_notebook(attacked):
    rows, out = attacked["rows"], attacked["out"]
    assert rows["prints_huge"].status in ("output capped", "timeout"), rows["prints_huge"].detail
    notebook = out / "autograded" / "prints_huge" / LESSON / f"{LESSON}.ipynb"
    assert notebook.stat().st_size < 2 * LIMITS.max_output_bytes + 2**20


def test_display_updates_count_against_the_output_cap(attacked):
    rows, out = attacked["rows"], attacked["out"]
    assert rows["display_updates"].status == "output capped", rows["display_updates"].detail
    notebook = out / "autograded" / "display_updates" / LESSON / f"{LESSON}.ipynb"
    assert notebook.stat().st_size < 2 * LIMITS.max_output_bytes + 2**20
    assert len(page(out, "display_updates")) < 4 * LIMITS.max_output_bytes


# --- 5: a hidden phase no student code outlives ----------------------------------------------------

def test_no_student_cell_runs_after_the_hidden_tests_and_nothing_of_them_reaches_a_page(attacked):
    out = attacked["out"]
    notebook = nbformat.read(out / "autograded" / "hidden_phase" / LESSON / f"{LESSON}.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "HIDDEN SEEN BEFORE: []" in text
    hidden = hidden_lines(nbformat.read(solution_notebook(LESSON), as_version=4), min_length=12)
    student_page = page(out, "hidden_phase")
    # The autograded notebook holds the hidden tests' source (it is the instructor's copy); its
    # outputs, what the kernel produced, must hold none of it.
    outputs = json.dumps([c.get("outputs", []) for c in notebook.cells])
    for where, content in (("feedback page", student_page), ("autograded notebook's outputs", outputs)):
        leaked = [line for line in hidden if line in content or json.dumps(line)[1:-1] in content]
        assert not leaked, f"{where} shows hidden test lines {leaked[:3]}"
    assert "your code raised ValueError" in student_page


# --- 6: safe pages -------------------------------------------------------------------------------

class Tags(HTMLParser):
    """Every start tag of a page with its attributes: what a browser acts on, not the text it shows."""

    def __init__(self, text):
        super().__init__()
        self.tags = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_student_scripts_do_not_reach_the_page(attacked):
    honest, attacker = (Tags(page(attacked["out"], s)).tags for s in ("honest_1", "scripts"))
    assert [t for t in attacker if t[0] == "script"] == [t for t in honest if t[0] == "script"]
    assert not [t for t in attacker if t[0] in ("iframe", "object", "embed", "base", "form", "link")
                and t not in honest]
    handlers = [(tag, name) for tag, attrs in attacker for name in attrs if name.startswith("on")]
    assert not handlers, handlers
    urls = [v for _, attrs in attacker for k, v in attrs.items() if k in ("href", "src", "action") and v]
    assert not [u for u in urls if u.strip().lower().startswith(("javascript:", "http:", "https:", "//"))
                and u not in {v for _, a in honest for v in a.values()}], urls


# --- 7: a clean kernel environment -----------------------------------------------------------------

def test_the_kernel_sees_no_grader_environment_nor_descriptors(attacked):
    seen = measured(attacked["out"], "environment")
    assert SECRET not in json.dumps(seen)
    ipython_sets = {"TERM", "PAGER", "GIT_PAGER", "CLICOLOR", "CLICOLOR_FORCE", "FORCE_COLOR"}  # the kernel's own
    assert set(seen["environ"]) <= set(sandbox.PASSED_ON) | set(sandbox.kernel_environment("/x")) | ipython_sets, \
        sorted(seen["environ"])
    assert not [t for t in seen["fds"] if str(attacked["out"]) in t or t.endswith(".log")], seen["fds"]


# --- 8: no silent downgrade ------------------------------------------------------------------------

@pytest.fixture
def bwrap_that_breaks(tmp_path, monkeypatch):
    """A ``bwrap`` first on PATH that works for the first ``n`` calls, then fails."""
    folder, count = tmp_path / "bin", tmp_path / "calls"
    folder.mkdir()
    real = sandbox.shutil.which("bwrap")
    (folder / "bwrap").write_text(f"#!/bin/sh\necho x >> {count}\n"
                                  f"[ $(wc -l < {count}) -le $BWRAP_WORKS_FOR ] || exit 1\nexec {real} \"$@\"\n")
    (folder / "bwrap").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    sandbox.bwrap_works.cache_clear()
    yield lambda n: monkeypatch.setenv("BWRAP_WORKS_FOR", str(n))
    sandbox.bwrap_works.cache_clear()


def test_a_sandbox_that_stops_working_stops_the_run(tmp_path, bwrap_that_breaks, capsys):
    bwrap_that_breaks(2)  # the probe, then one student; the second student's sandbox fails
    submitted = tmp_path / "submitted"
    for student in ("a", "b", "c", "d"):
        synthetic.write_submission(submitted, student, LESSON, synthetic.complete(LESSON, lean=True))
    code = cli.main(["grade", str(submitted), "--out", str(tmp_path / "out"), "--jobs", "1",
                     "--assignment", LESSON, "--isolation", "auto"])
    assert code != 0
    grades = {line.split(",")[0]: line.split(",")[4] for line in (tmp_path / "out" / "grades.csv").read_text().splitlines()[1:]}
    assert grades["a"] in SCORED and {grades[s] for s in "bcd"} == {GRADER_ERROR}
    assert "grading stopped" in capsys.readouterr().err


def test_grading_without_a_sandbox_says_so_first_and_in_the_report(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "bwrap_works", lambda: False)
    submitted = tmp_path / "submitted"
    synthetic.write_submission(submitted, "a", LESSON, synthetic.complete(LESSON, lean=True))
    assert cli.main(["grade", str(submitted), "--out", str(tmp_path / "out"), "--jobs", "1",
                     "--assignment", LESSON]) == 0
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith("warning: no sandbox")
    assert "no sandbox" in (tmp_path / "out" / "report.html").read_text()


def test_the_run_says_which_limit_mechanisms_applied(attacked):
    run = json.loads((attacked["out"] / "run.json").read_text())
    assert run["isolation"] == "bwrap" and run["limits"].startswith("a cgroup") and "tmpfs" in run["limits"], \
        f"these tests need cgroups and a tmpfs per kernel (root): {run['limits']}"
    assert run["limits"] in report.write_report(attacked["out"]).read_text()
