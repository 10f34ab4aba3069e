"""Sandbox: the walls and limits a grading kernel lives inside.

Where bubblewrap (``bwrap``) is installed, every notebook gets a ``Sandbox``: bubblewrap
makes its mount, PID, network, IPC and UTS namespaces around a placeholder process, and
the notebook's kernel (forked by ``autograder.forkserver``) joins them. Inside, the kernel
sees the system's programs and libraries, Python, the ``autograder`` package, its own
working copy and its own scratch folder, all but the last two read-only, and nothing else:
not ``solutions/``, not the gradebook, not other students' folders, not the course's
tests. It talks to its client through socket files in its scratch folder (no network).
Closing the sandbox ends the placeholder, and with it every process left in the sandbox,
so nothing outlives the notebook; so does the death of the worker that opened it.

Without bubblewrap (``isolation="none"``) a ``Sandbox`` is empty and only the kernel's
own limits hold (memory cap, no capabilities, death with its monitor); ``grade`` warns.
The kernel's scratch folder holds its home, its matplotlib and IPython settings and
``records/``, where the hidden tests write what they observed (``autograder.hidden``).
"""

import ctypes
import functools
import json
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
    """``command`` wrapped in bubblewrap: read-only system, read-write working copy and scratch."""
    args = ["bwrap", "--die-with-parent", "--unshare-user-try", "--unshare-pid", "--unshare-ipc",
            "--unshare-uts", "--unshare-net", "--unshare-cgroup-try", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    shown = [d for d in SYSTEM_DIRS if os.path.exists(d)]
    shown += [sys.base_prefix, sys.prefix, str(PACKAGE)]
    for path in dict.fromkeys(shown):
        args += ["--ro-bind", path, path]
    for path in (workdir, scratch):
        args += ["--bind", str(path), str(path)]
    args += ["--remount-ro", "/"]  # the rest of the sandbox's tree is bwrap's scratch root: read-only too
    return args + ["--chdir", str(workdir), "--", *command]


class Sandbox:
    """The namespaces one notebook's kernel joins, held open by a placeholder process.

    ``pid`` is the sandbox's first process (``None`` without isolation). The placeholder says
    ``ready`` once the sandbox is built, then is ``cat`` reading a pipe from this process:
    closing the pipe, or this process dying, ends it.
    """

    def __init__(self, isolation, workdir, scratch):
        self.pid, self._process = None, None
        if isolation != "bwrap":
            return
        info_read, info_write = os.pipe()
        command = bwrap_command(["sh", "-c", "echo ready && exec cat"], workdir, scratch)
        command[1:1] = ["--info-fd", str(info_write)]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         pass_fds=(info_write,))
        os.close(info_write)
        with os.fdopen(info_read, "rb") as info:  # the sandbox's first PID, written as soon as it exists
            text = info.read()
        # Its mounts are finished only when the placeholder runs: joining earlier sees half a sandbox.
        if not text or self._process.stdout.readline() != b"ready\n":
            self.close()
            raise RuntimeError("bubblewrap could not make the sandbox")
        self.pid = json.loads(text)["child-pid"]

    def close(self):
        if self._process is not None:
            self._process.stdin.close()
            self._process.wait()
            self._process.stdout.close()
            self._process = None


@functools.lru_cache(maxsize=None)
def bwrap_works():
    """Whether bubblewrap is installed and allowed to make namespaces on this machine."""
    if shutil.which("bwrap") is None:
        return False
    probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-pid", "--unshare-user-try", "--", "true"],
                           capture_output=True)
    return probe.returncode == 0
