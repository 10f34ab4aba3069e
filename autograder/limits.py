"""Limits: what one submission may use, and the mechanisms that hold its whole sandbox to it.

A limit on one process is no limit: a kernel can start many. So each kernel gets, where
this machine lets the grader make them:

- a **cgroup** of its own (cgroup v1's memory, pids and cpu hierarchies, or cgroup v2's
  unified one; the grader must be root or own a writable hierarchy): the memory of every
  process the kernel starts together (``memory_mb``), their number, threads included
  (``max_tasks``), and one core of CPU time at most. The kernel's monitor joins it before
  the kernel is forked, so nothing the kernel starts is outside it;
- a **tmpfs** of ``disk_mb`` as its scratch folder (working folder, home, records), mounted
  in the grading worker's own mount namespace (root), so the bytes a kernel can write are
  bounded and vanish when its submission is graded.

Per process, always: address space (``memory_mb``), file size (``disk_mb``) and CPU seconds.
``Quota.mechanisms`` names what applies on this machine; ``grade`` prints it and the report
shows it. A sandbox over a limit gets the status ``memory limit``, ``process limit`` or
``disk limit``; the rest of the class is untouched.
"""

import ctypes
import functools
import math
import os
import resource
import signal
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from . import sandbox
from .tables import DISK_LIMIT, MEMORY_LIMIT, PROCESS_LIMIT

CGROUP_ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "pids", "cpu")
CLONE_NEWNS, MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE, MNT_DETACH = 0x00020000, 2, 4, 1 << 14, 1 << 18, 2
CPU_PERIOD_US = 100_000
MAX_FILES = 100_000  # files and folders in a kernel's scratch tmpfs

_libc = ctypes.CDLL(None, use_errno=True)


class GradingError(RuntimeError):
    """The grader itself cannot run (bad arguments, unreadable solutions, no sandbox)."""


@dataclass(frozen=True)
class Limits:
    """What one submission may use and see. The defaults sit far above what a lesson needs."""

    cell_timeout: int = 120
    notebook_timeout: float = 600.0
    memory_mb: int = 4096          # everything the kernel starts, together
    max_tasks: int = 64            # processes and threads in the sandbox
    disk_mb: int = 256             # bytes the kernel may write
    max_output_bytes: int = 10 * 2**20
    max_submission_bytes: int = 32 * 2**20
    max_page_bytes: int = 64 * 2**20  # a feedback page, with the student's code highlighted
    # "bwrap": the kernel sees only its own files (sandbox); "none": it sees what the grader
    # sees; "auto": bwrap where this machine can run it.
    isolation: str = "auto"

    def resolved(self):
        if self.isolation == "auto":
            return replace(self, isolation="bwrap" if sandbox.bwrap_works() else "none")
        if self.isolation == "bwrap" and not sandbox.bwrap_works():
            raise GradingError("--isolation bwrap: bubblewrap is not installed, or its sandboxes cannot be made or joined here")
        return self

    @property
    def hidden_timeout(self):
        """Seconds for the hidden phase, after the notebook's own limit."""
        return self.cell_timeout

    @property
    def worker_deadline(self):
        # The worker itself is killed only if nbgrader's own limits did not stop it.
        return self.notebook_timeout + self.hidden_timeout + self.cell_timeout + 120

    @property
    def cpu_seconds(self):
        """CPU seconds one process of the kernel may use: never more than the wall time allows."""
        return math.ceil(self.notebook_timeout + self.hidden_timeout + self.cell_timeout)


def limit_process(limits):
    """The per-process limits, set in the kernel before it runs anything."""
    for which, value in ((resource.RLIMIT_AS, limits["memory_mb"] * 2**20),
                         (resource.RLIMIT_FSIZE, limits["disk_mb"] * 2**20),
                         (resource.RLIMIT_CPU, limits["cpu_seconds"])):
        resource.setrlimit(which, (value, value))


def process_limits(limits):
    """What ``limit_process`` needs, as plain data for the fork server."""
    return dict(memory_mb=limits.memory_mb, disk_mb=limits.disk_mb, cpu_seconds=limits.cpu_seconds)


# --- cgroups ------------------------------------------------------------------------------------

def _cgroup_layout():
    """``("v1", {controller: hierarchy})``, ``("v2", {...: root})``, or ``(None, {})`` where this
    process cannot make cgroups with memory and pids controllers."""
    v1 = {name: CGROUP_ROOT / name for name in V1_CONTROLLERS}
    if all((path / "cgroup.procs").is_file() and os.access(path, os.W_OK) for path in v1.values()):
        return "v1", v1
    control = CGROUP_ROOT / "cgroup.subtree_control"
    if control.is_file() and os.access(CGROUP_ROOT, os.W_OK) and {"memory", "pids"} <= set(control.read_text().split()):
        return "v2", {"unified": CGROUP_ROOT}
    return None, {}


def _cgroup_settings(limits):
    """(controller, v1 file, v1 value, v2 file, v2 value) for each limit; no swap, one core."""
    memory = str(limits.memory_mb * 2**20)
    return [("memory", "memory.limit_in_bytes", memory, "memory.max", memory),
            ("memory", "memory.memsw.limit_in_bytes", memory, "memory.swap.max", "0"),
            ("pids", "pids.max", str(limits.max_tasks), "pids.max", str(limits.max_tasks)),
            ("cpu", "cpu.cfs_quota_us", str(CPU_PERIOD_US), "cpu.max", f"{CPU_PERIOD_US} {CPU_PERIOD_US}")]


class Quota:
    """One grading run's cgroups: a folder per run, and one per kernel inside it."""

    def __init__(self, limits):
        self.limits = limits
        self.version, hierarchies = _cgroup_layout()
        self.run_dirs = {}
        if self.version is None:
            return
        name = f"backprop-lab-{os.getpid()}"
        try:
            for controller, hierarchy in hierarchies.items():
                self.run_dirs[controller] = hierarchy / name
                self.run_dirs[controller].mkdir(exist_ok=True)
            if self.version == "v2":  # memory and pids are there (_cgroup_layout); cpu may not be
                available = (CGROUP_ROOT / "cgroup.subtree_control").read_text().split()
                (self.run_dirs["unified"] / "cgroup.subtree_control").write_text(
                    " ".join(f"+{name}" for name in V1_CONTROLLERS if name in available))
        except OSError:
            self.remove()
            self.version, self.run_dirs = None, {}

    def mechanisms(self):
        """What holds a sandbox to its limits on this machine, in a sentence."""
        if self.version:
            cgroups = f"a cgroup {self.version} per kernel (memory of all its processes, {self.limits.max_tasks} tasks, one core)"
        else:
            cgroups = ("no cgroup (this machine lets the grader make none): memory and processes are "
                       "limited per process only, and the number of processes is not limited")
        disk = (f"a {self.limits.disk_mb} MiB tmpfs per kernel" if tmpfs_works()
                else f"no tmpfs (the grader may not mount one): {self.limits.disk_mb} MiB per file only")
        return f"{cgroups}; {disk}"

    def for_kernel(self, job):
        """The cgroup of one kernel (``KernelGroup``), made with the run's limits."""
        return KernelGroup(self, job)

    def remove(self):
        for folder in self.run_dirs.values():
            for child in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else ():
                _remove_cgroup(child)
            _remove_cgroup(folder)


class KernelGroup:
    """A cgroup in every hierarchy of the run, for one kernel; no-op where there are none."""

    def __init__(self, quota, job):
        self.version = quota.version
        self.dirs = {controller: folder / str(job) for controller, folder in quota.run_dirs.items()}
        for folder in self.dirs.values():
            folder.mkdir(exist_ok=True)
        for controller, v1_file, v1_value, v2_file, v2_value in _cgroup_settings(quota.limits):
            if self.version is None:
                break
            if self.version == "v1":
                target, value = self.dirs[controller] / v1_file, v1_value
            else:
                target, value = self.dirs["unified"] / v2_file, v2_value
            if target.exists():  # swap accounting, say, may be off
                target.write_text(value)

    @property
    def procs(self):
        """The ``cgroup.procs`` files a process writes its pid to, to join the group."""
        return [str(folder / "cgroup.procs") for folder in self.dirs.values()]

    def exceeded(self):
        """The statuses of the limits the group ran into: memory (a process was OOM-killed) and tasks."""
        if not self.dirs:
            return []
        memory = self.dirs["memory" if self.version == "v1" else "unified"]
        oom = _counter(memory / ("memory.oom_control" if self.version == "v1" else "memory.events"), "oom_kill")
        tasks = _counter(self.dirs["pids" if self.version == "v1" else "unified"] / "pids.events", "max")
        return [status for status, count in ((MEMORY_LIMIT, oom), (PROCESS_LIMIT, tasks)) if count]

    def remove(self):
        for folder in self.dirs.values():
            _remove_cgroup(folder)


def _counter(path, key):
    for line in path.read_text().splitlines() if path.exists() else ():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return 0


def _remove_cgroup(folder):
    """Kill whatever is left in a cgroup, then remove it."""
    for attempt in range(50):
        try:
            pids = (folder / "cgroup.procs").read_text().split()
        except FileNotFoundError:
            return
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            folder.rmdir()
            return
        except OSError:  # its last processes are still exiting
            time.sleep(0.02)


def join_cgroups(procs):
    """Move this process into the cgroups whose ``cgroup.procs`` files are ``procs``."""
    for path in procs:
        with open(path, "w") as handle:
            handle.write(str(os.getpid()))


# --- the scratch tmpfs --------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def tmpfs_works():
    """Whether this process may give a kernel a scratch tmpfs: tried once, in a fork."""
    if os.geteuid() != 0:
        return False
    with tempfile.TemporaryDirectory(prefix="backprop-probe-") as folder:
        child = os.fork()
        if child == 0:
            try:
                mount_scratch(folder, 1)
                os._exit(0)
            finally:
                os._exit(1)
        _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status) == 0


_own_mount_namespace = None  # the process that has given itself a mount namespace of its own


def mount_scratch(scratch, disk_mb):
    """Make ``scratch`` a tmpfs of ``disk_mb`` MiB, seen by this process and its children only.

    A process's first mount gives it a mount namespace of its own (it must be a grading worker,
    a fork that ends when its submissions are graded), so its mounts are gone when it is;
    ``unmount_scratch`` takes each away when its submission is graded. Call it only where
    ``tmpfs_works()``.
    """
    global _own_mount_namespace
    if _own_mount_namespace != os.getpid():
        if _libc.unshare(CLONE_NEWNS) != 0:
            raise OSError(ctypes.get_errno(), "cannot give the grading worker a mount namespace of its own")
        # Mounts propagate to the host's namespace unless this namespace stops sharing them first.
        if _libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
            raise OSError(ctypes.get_errno(), "cannot make the grading worker's mounts private")
        _own_mount_namespace = os.getpid()
    # A file count too: millions of empty files would cost no bytes, but memory and the time to delete them.
    options = f"size={disk_mb}m,nr_inodes={MAX_FILES},mode=0700".encode()
    if _libc.mount(b"tmpfs", str(scratch).encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options) != 0:
        raise OSError(ctypes.get_errno(), f"cannot mount the kernel's scratch tmpfs on {scratch}")
    return True


def unmount_scratch(scratch):
    """Take away the tmpfs ``mount_scratch`` made on ``scratch``, with everything in it."""
    if _libc.umount2(str(scratch).encode(), MNT_DETACH) != 0:
        raise OSError(ctypes.get_errno(), f"cannot unmount the kernel's scratch tmpfs on {scratch}")


def disk_full(scratch, disk_mb):
    """Whether the kernel filled its scratch tmpfs (within a MiB of its size)."""
    info = os.statvfs(scratch)
    used = (info.f_blocks - info.f_bfree) * info.f_frsize
    return [DISK_LIMIT] if used >= (disk_mb - 1) * 2**20 else []
