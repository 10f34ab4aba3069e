"""Start a grading kernel walled in: ``python -m autograder.sandbox [options] -- KERNEL COMMAND...``.

The kernel manager launches every grading kernel through this wrapper. It

- caps the kernel's address space, so a runaway allocation fails with MemoryError inside
  that kernel and nowhere else;
- asks Linux to kill the kernel when the grading worker that started it dies;
- where bubblewrap (``bwrap``) is installed, runs the kernel in its own mount, PID,
  network, IPC and UTS namespaces (it talks to its client through socket files in its
  scratch folder): it sees the system's programs and libraries, Python, the
  ``autograder`` package, its own working copy and its own scratch folder, and nothing
  else: not ``solutions/``, not the gradebook, not other students' folders, not the
  course's tests. Every process it starts dies with it, so nothing outlives the notebook.

Without bubblewrap only the first two hold (``--isolation none``); ``grade`` says so.
The kernel's scratch folder holds its home, its matplotlib and IPython settings and
``records/``, where the hidden tests write what they observed (``autograder.hidden``).
"""

import argparse
import ctypes
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1
PACKAGE = Path(__file__).resolve().parent
SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"]


def die_with_parent():
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the kernel's parent poller still ends it
        pass


def limit_memory(megabytes):
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def scratch_environment(scratch):
    """Where the kernel keeps its settings: all inside its own scratch folder."""
    scratch = Path(scratch)
    return {
        "HOME": str(scratch / "home"),
        "MPLCONFIGDIR": str(scratch / "matplotlib"),
        "IPYTHONDIR": str(scratch / "ipython"),
        "JUPYTER_CONFIG_DIR": str(scratch / "jupyter"),
        "JUPYTER_DATA_DIR": str(scratch / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(scratch / "jupyter"),
        "JUPYTER_CONFIG_PATH": "",
        "BACKPROP_RECORDS": str(scratch / "records"),
    }


def prepare_scratch(scratch):
    """Make the scratch folder, with matplotlib's font cache copied in so no kernel rebuilds it."""
    import matplotlib

    environment = scratch_environment(scratch)
    for key in ("HOME", "MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_CONFIG_DIR", "BACKPROP_RECORDS"):
        Path(environment[key]).mkdir(parents=True, exist_ok=True)
    for cache in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
        shutil.copy(cache, environment["MPLCONFIGDIR"])
    return environment


def bwrap_command(command, workdir, scratch):
    """``command`` wrapped in bubblewrap: read-only system, read-write working copy and scratch.

    The kernel's environment (``scratch_environment``) is this process's, which bwrap passes on.
    """
    args = ["bwrap", "--die-with-parent", "--unshare-user-try", "--unshare-pid", "--unshare-ipc",
            "--unshare-uts", "--unshare-net", "--unshare-cgroup-try", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    shown = [d for d in SYSTEM_DIRS if os.path.exists(d)]
    shown += [sys.base_prefix, sys.prefix, str(PACKAGE)]
    for path in dict.fromkeys(shown):
        args += ["--ro-bind", path, path]
    for path in (workdir, scratch):
        args += ["--bind", str(path), str(path)]
    args += ["--remount-ro", "/"]  # the rest of the kernel's tree is bwrap's scratch root: read-only too
    # Inside its PID namespace the kernel's parent is bwrap, PID 1, which ipykernel's parent
    # poller would take for an orphaning; --die-with-parent does that poller's job here.
    args += ["--unsetenv", "JPY_PARENT_PID"]
    return args + ["--chdir", str(workdir), "--", *command]


@functools.lru_cache(maxsize=None)
def bwrap_works():
    """Whether bubblewrap is installed and allowed to make namespaces on this machine."""
    if shutil.which("bwrap") is None:
        return False
    probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-pid", "--unshare-user-try", "--", "true"],
                           capture_output=True)
    return probe.returncode == 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--isolation", choices=["bwrap", "none"], default="none")
    parser.add_argument("--workdir", help="the kernel's working copy, writable")
    parser.add_argument("--scratch", help="the kernel's scratch folder, writable (its sockets live there)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.scratch:
        os.environ.update(scratch_environment(args.scratch))
    if args.isolation == "bwrap":
        command = bwrap_command(command, args.workdir or os.getcwd(), args.scratch)
    die_with_parent()
    limit_memory(args.memory_mb)
    os.execvp(command[0], command)


if __name__ == "__main__":
    sys.exit(main())
