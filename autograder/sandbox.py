"""Sandbox: the walls a grading kernel lives inside, and the environment it gets.

Where bubblewrap (``bwrap``) is installed, every notebook gets a ``Sandbox``: bubblewrap
makes its mount, PID, network, IPC and UTS namespaces around a placeholder process, and
the notebook's kernel (forked by ``autograder.forkserver``) joins them. Inside, the kernel
sees the system's programs and libraries, Python and the ``autograder`` package, all
read-only, and its own scratch folder, which holds its throwaway working folder; nothing
else: not ``solutions/``, not the gradebook, not ``OUT/`` where the grader writes its
autograded notebook and feedback page, not other students' folders, not the course's
tests. It talks to its client through socket files in its scratch folder (no network).
Closing the sandbox ends the placeholder, and with it every process left in the sandbox,
so nothing outlives the notebook; so does the death of the worker that opened it.

Without bubblewrap (``isolation="none"``) a ``Sandbox`` is empty and only the kernel's
own limits hold (``autograder.limits``, no capabilities, death with its monitor); ``grade``
warns. The kernel's scratch folder holds its working folder, its home, its matplotlib and
IPython settings and ``records/``, where the hidden tests write what they observed
(``autograder.hidden``).
"""

import ctypes
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 24, 47, 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
NAMESPACES = ("user", "mnt", "pid", "net", "ipc", "uts", "cgroup")
PACKAGE = Path(__file__).resolve().parent
SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"]


_libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent():
    try:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the kernel's monitor still ends it with its worker
        pass


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


# What a kernel keeps of the grader's environment: language and the machine's OpenBLAS
# settings (some processors need them for correct results). Nothing else: no instructor's
# tokens, paths or credentials reach student code.
PASSED_ON = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def kernel_environment(scratch):
    """The whole environment of a grading kernel: an allow-list, and its own scratch folder."""
    environment = {name: os.environ[name] for name in PASSED_ON if name in os.environ}
    environment.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        MPLBACKEND="Agg",  # figures render without a display
        # One thread per kernel: each grading worker has a core, and threads count against max_tasks.
        OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
        PYDEVD_DISABLE_FILE_VALIDATION="1",  # ipykernel's debugger, loaded unused, keeps quiet
        **scratch_environment(scratch))
    return environment


def prepare_scratch(scratch):
    """Make the scratch folder, with matplotlib's font cache copied in so no kernel rebuilds it."""
    import matplotlib

    environment = scratch_environment(scratch)
    for key in ("HOME", "MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_CONFIG_DIR", "BACKPROP_RECORDS"):
        Path(environment[key]).mkdir(parents=True, exist_ok=True)
    for cache in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
        shutil.copy(cache, environment["MPLCONFIGDIR"])
    return environment


def bwrap_command(command, workdir, scratch, info_fd):
    """``command`` wrapped in bubblewrap: read-only system, read-write working copy and scratch.

    The only places a kernel can write are in its scratch folder: ``/tmp`` and ``/dev/shm``
    are its ``tmp/`` and ``shm/``, and ``/dev`` is read-only, so the scratch folder's size
    limit (``limits.mount_scratch``) bounds everything it writes. bwrap writes the sandbox's
    first PID to ``info_fd``.
    """
    args = ["bwrap", "--info-fd", str(info_fd), "--die-with-parent", "--unshare-user-try", "--unshare-pid", "--unshare-ipc",
            "--unshare-uts", "--unshare-net", "--unshare-cgroup-try", "--dev", "/dev", "--proc", "/proc"]
    # /tmp before everything else: the scratch folder, the checkout or the venv may lie under
    # /tmp, and each is bound on top of the sandbox's own /tmp.
    args += ["--bind", str(Path(scratch) / "tmp"), "/tmp", "--bind", str(Path(scratch) / "shm"), "/dev/shm",
             "--remount-ro", "/dev"]
    shown = [d for d in SYSTEM_DIRS if os.path.exists(d)]
    shown += [sys.base_prefix, sys.prefix, str(PACKAGE)]
    for path in dict.fromkeys(shown):
        args += ["--ro-bind", path, path]
    for path in (workdir, scratch):
        args += ["--bind", str(path), str(path)]
    args += ["--remount-ro", "/"]  # the rest of the sandbox's tree is bwrap's scratch root: read-only too
    return args + ["--chdir", str(workdir), "--", *command]


class SandboxError(RuntimeError):
    """bubblewrap could not make a notebook's sandbox."""


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
        for folder in ("tmp", "shm"):  # the sandbox's /tmp and /dev/shm
            (Path(scratch) / folder).mkdir(exist_ok=True)
        info_read, info_write = os.pipe()
        command = bwrap_command(["sh", "-c", "echo ready && exec cat"], workdir, scratch, info_write)
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         pass_fds=(info_write,))
        os.close(info_write)
        with os.fdopen(info_read, "rb") as info:  # the sandbox's first PID, written as soon as it exists
            text = info.read()
        # Its mounts are finished only when the placeholder runs: joining earlier sees half a sandbox.
        if not text or self._process.stdout.readline() != b"ready\n":
            self.close()
            raise SandboxError("bubblewrap could not make the sandbox")
        self.pid = json.loads(text)["child-pid"]

    def close(self):
        if self._process is not None:
            self._process.stdin.close()
            self._process.wait()
            self._process.stdout.close()
            self._process = None


def join_namespaces(pid):
    """Enter the namespaces of process ``pid`` (a sandbox's first); the next fork is inside them.

    Only a single-threaded process may do this, such as one just forked.
    """
    own = {name: os.stat(f"/proc/self/ns/{name}").st_ino for name in NAMESPACES}
    handles = {name: os.open(f"/proc/{pid}/ns/{name}", os.O_RDONLY) for name in NAMESPACES}
    for name in NAMESPACES:  # the user namespace first: it grants the right to join the rest
        fd = handles[name]
        if os.fstat(fd).st_ino != own[name] and _libc.setns(fd, 0) != 0:
            raise OSError(ctypes.get_errno(), f"cannot join the sandbox's {name} namespace")
        os.close(fd)


def drop_privileges():
    """No capabilities, now or after any exec: the sandbox's walls cannot be remounted away."""
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for capability in range(last + 1):
        _libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: all zero, twice (64 bits)
    if _libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "cannot drop capabilities")
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "cannot forbid new privileges")


@functools.lru_cache(maxsize=None)
def bwrap_works():
    """Whether bubblewrap is installed here and its sandboxes can be joined by a kernel."""
    if shutil.which("bwrap") is None:
        return False
    with tempfile.TemporaryDirectory(prefix="backprop-probe-") as folder:
        try:
            probe = Sandbox("bwrap", folder, folder)
        except SandboxError:
            return False
        try:
            child = os.fork()
            if child == 0:
                try:
                    join_namespaces(probe.pid)
                    os._exit(0)
                finally:
                    os._exit(1)
            _, status = os.waitpid(child, 0)
            return os.waitstatus_to_exitcode(status) == 0
        finally:
            probe.close()
