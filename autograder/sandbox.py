"""Start a grading kernel under resource limits: ``python -m autograder.sandbox --memory-mb N -- CMD...``.

The kernel manager launches every grading kernel through this wrapper. It caps the
address space (so a runaway allocation fails with MemoryError inside that kernel and
nowhere else), asks Linux to kill the kernel when the process that started it dies (so a
grading worker that is killed for overrunning takes its kernel with it), then becomes the
kernel with ``exec``.
"""

import argparse
import ctypes
import os
import resource
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent():
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the kernel's parent poller still ends it
        pass


def limit_memory(megabytes):
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    die_with_parent()
    limit_memory(args.memory_mb)
    os.execvp(command[0], command)


if __name__ == "__main__":
    sys.exit(main())
