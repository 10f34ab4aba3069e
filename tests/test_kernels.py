"""Grading kernels: forked warm from the fork server, walled in by the sandbox, limited."""

import sys
import time

import psutil
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from autograder import autograde, forkserver, limits, overrides, sandbox
from autograder.course import ROOT, SOLUTIONS

needs_bwrap = pytest.mark.skipif(not sandbox.bwrap_works(), reason="bubblewrap is not installed")


@pytest.fixture(scope="module")
def kernels():
    with forkserver.running() as address:
        yield address


def run_in_grading_kernel(kernels, code, workdir, scratch, isolation="bwrap", memory_mb=2048):
    """Run ``code`` in one cell of a grading kernel as ``grade`` starts it; return its outputs."""
    sandbox.prepare_scratch(scratch)
    notebook = new_notebook(cells=[new_code_cell(code)])
    config = Config()
    config.LimitedKernelManager = Config(forkserver=kernels, isolation=isolation, scratch=str(scratch),
                                         limits=kernel_limits(memory_mb), transport="ipc",
                                         connection_file=str(scratch / "kernel.json"))
    NotebookClient(notebook, kernel_manager_class=overrides.LimitedKernelManager, config=config, timeout=60,
                   allow_errors=True, resources={"metadata": {"path": str(workdir)}}).execute()
    return notebook.cells[0].outputs


def kernel_limits(memory_mb):
    return limits.process_limits(limits.Limits(memory_mb=memory_mb))


def printed(outputs):
    errors = [f"{o.ename}: {o.evalue}" for o in outputs if o.output_type == "error"]
    assert not errors, errors
    return "".join(o.get("text", "") for o in outputs if o.output_type == "stream")


def folders(tmp_path):
    workdir, scratch = tmp_path / "work", tmp_path / "scratch"
    workdir.mkdir()
    return workdir, scratch


@needs_bwrap
def test_kernel_sees_only_its_own_files(kernels, tmp_path):
    workdir, scratch = folders(tmp_path)
    (tmp_path / "elsewhere").write_text("another student's file")
    code = f"""
import os, pathlib
print("solutions", pathlib.Path({str(SOLUTIONS)!r}).exists())
print("tests", pathlib.Path({str(ROOT / "tests")!r}).exists())
print("outside", pathlib.Path({str(tmp_path)!r}, "elsewhere").exists())
pathlib.Path("answer.txt").write_text("mine")
print("cwd", os.getcwd())
print("records", os.environ["BACKPROP_RECORDS"])
import autograder.checks, numpy, matplotlib.pyplot
print("imports ok")
"""
    lines = printed(run_in_grading_kernel(kernels, code, workdir, scratch)).splitlines()
    assert lines[:3] == ["solutions False", "tests False", "outside False"]
    assert f"cwd {workdir}" in lines and f"records {scratch / 'records'}" in lines and "imports ok" in lines
    assert (workdir / "answer.txt").read_text() == "mine"


@needs_bwrap
def test_kernel_cannot_write_outside_nor_remount_its_walls(kernels, tmp_path):
    workdir, scratch = folders(tmp_path)
    code = f"""
import pathlib, subprocess, sys
for target in [{str(ROOT / 'autograder' / 'PWNED')!r}, {str(ROOT / 'PWNED')!r}, sys.prefix + "/PWNED"]:
    try:
        pathlib.Path(target).write_text("x")
        print("wrote", target)
    except OSError:
        print("could not write", target)
mount = subprocess.run(["mount", "-o", "remount,rw,bind", {str(ROOT / 'autograder')!r}], capture_output=True)
print("remount", "failed" if mount.returncode else "succeeded")
print("capabilities", [line.split()[1] for line in open("/proc/self/status") if line.startswith("CapEff")][0])
"""
    text = printed(run_in_grading_kernel(kernels, code, workdir, scratch))
    assert f"could not write {ROOT / 'autograder' / 'PWNED'}" in text and f"could not write {sys.prefix}/PWNED" in text
    assert "remount failed" in text and "capabilities 0000000000000000" in text
    assert not (ROOT / "PWNED").exists() and not (ROOT / "autograder" / "PWNED").exists()


@needs_bwrap
def test_nothing_the_kernel_starts_outlives_it(kernels, tmp_path):
    workdir, scratch = folders(tmp_path)
    code = """
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "sandbox-orphan-marker"], start_new_session=True)
print("started")
"""
    assert "started" in printed(run_in_grading_kernel(kernels, code, workdir, scratch))
    time.sleep(0.5)
    left = [p for p in psutil.process_iter(["cmdline"]) if "sandbox-orphan-marker" in " ".join(p.info["cmdline"] or [])]
    assert not left


@pytest.mark.parametrize("isolation", ["none", pytest.param("bwrap", marks=needs_bwrap)])
def test_forked_kernel_holds_no_grader_state_and_keeps_no_template_file(kernels, tmp_path, isolation):
    workdir, scratch = folders(tmp_path)
    code = """
import os, sys
print("grader modules", sorted(m for m in sys.modules if m.split(".")[0] in ("nbgrader", "sqlalchemy")
                               or m in ("autograder.reference", "autograder.grade", "autograder.judge")))
targets = []
for fd in os.listdir("/proc/self/fd"):
    try:
        targets.append(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:  # the listing's own descriptor, closed by now
        pass
own = ("/dev/", os.getcwd(), os.environ["HOME"].rsplit("/", 1)[0])
# Anonymous temporary files the kernel makes for itself lead nowhere; any other path outside would.
print("open files", sorted(t for t in targets if t.startswith("/") and not t.startswith(own)
                           and not t.endswith(" (deleted)")))
"""
    lines = printed(run_in_grading_kernel(kernels, code, workdir, scratch, isolation)).splitlines()
    assert lines == ["grader modules []", "open files []"]


def test_memory_cap_fails_the_allocation_inside_the_kernel(kernels, tmp_path):
    workdir, scratch = folders(tmp_path)
    outputs = run_in_grading_kernel(kernels, "import numpy\nbig = numpy.ones(2**31)", workdir, scratch,
                                    isolation="none", memory_mb=1024)
    assert [o.ename for o in outputs if o.output_type == "error"] == ["MemoryError"]


def test_kernel_of_a_worker_that_dies_dies_with_it(kernels, tmp_path):
    """The monitor kills the kernel when the worker's connection closes, whoever held it."""
    workdir, scratch = folders(tmp_path)
    sandbox.prepare_scratch(scratch)
    kernel = forkserver.fork_kernel(kernels, [sys.executable, "-m", "ipykernel_launcher", "-f",
                                              str(scratch / "kernel.json")], {"HOME": str(scratch)}, workdir,
                                    kernel_limits(1024))
    assert psutil.pid_exists(kernel.pid) and kernel.poll() is None
    kernel._connection.close()  # what the worker's death does to it
    psutil.Process(kernel.pid).wait(timeout=10)
    assert not psutil.pid_exists(kernel.pid) or psutil.Process(kernel.pid).status() == psutil.STATUS_ZOMBIE


def test_fork_server_runs_only_ipykernel():
    with pytest.raises(ValueError, match="ipykernel kernels only"):
        forkserver.fork_kernel("unused", ["R", "--slave", "-f", "x"], {}, "/", kernel_limits(1024))


def test_isolation_is_bubblewrap_only_where_its_sandboxes_can_be_joined(monkeypatch):
    from autograder import grade

    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    sandbox.bwrap_works.cache_clear()
    try:
        assert not sandbox.bwrap_works()
        assert grade.Limits(isolation="auto").resolved().isolation == "none"
        with pytest.raises(grade.GradingError, match="bubblewrap"):
            grade.Limits(isolation="bwrap").resolved()
    finally:
        monkeypatch.undo()
        sandbox.bwrap_works.cache_clear()
    assert grade.Limits(isolation="none").resolved().isolation == "none"


def test_grading_shell_runs_cells_as_ipythons_own_shell_does(tmp_path):
    """The grading kernel's shell reuses a cell's transformation and skips the event-loop check
    only where IPython's answer could not differ: magics, one-line cells whose meaning changes
    with the names defined (the same source twice: a magic, then a name the magic defined),
    top-level await and async comprehensions."""
    sources = ["pwd", "pwd = 'a variable now'", "pwd", "open('defines_run.py', 'w').write('run = 1')",
               "run defines_run.py", "run defines_run.py",
               "x = 3\n%time y = x + 1\nprint(y)", "!echo shell",
               "import asyncio\nawait asyncio.sleep(0)\nprint('awaited')",
               "async def twice(n):\n    return 2 * n", "[await twice(n) for n in range(3)]",
               "text = 'await is only a word here'\ntext", "len?",
               "import IPython\ntype(IPython.get_ipython()).__name__"]

    def outputs(extra_arguments):
        notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
        NotebookClient(notebook, timeout=60, allow_errors=True, extra_arguments=extra_arguments,
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
        return [shown(cell.outputs) for cell in notebook.cells]

    def shown(outputs):
        """Outputs as a page shows them: a stream's consecutive pieces joined (how the kernel cut
        them up depends on timing), no counts, no metadata, no timings."""
        kept = []
        for output in outputs:
            output = {k: v for k, v in output.items() if k not in ("execution_count", "metadata")}
            if kept and output["output_type"] == "stream" and kept[-1].get("name") == output["name"]:
                kept[-1]["text"] += output["text"]
            else:
                kept.append(output)
        return [output for output in kept if "Wall time" not in output.get("text", "")]

    stock, grading = outputs([]), outputs(autograde.KERNEL_ARGUMENTS)
    assert stock[-1][0]["data"]["text/plain"] == "'ZMQInteractiveShell'"
    assert grading[-1][0]["data"]["text/plain"] == "'GradingShell'"
    assert grading[:-1] == stock[:-1]
    assert grading[2][0]["data"]["text/plain"] == "'a variable now'"
    assert grading[4] == [] and grading[5][0]["ename"] == "SyntaxError"  # the second time, run is 1: not a magic
    assert "awaited" in grading[8][0]["text"] and grading[10][0]["data"]["text/plain"] == "[0, 2, 4]"
