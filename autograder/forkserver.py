"""Fork server: grading kernels forked from one warm template instead of started cold.

A cold kernel costs a new interpreter and the imports of ipykernel, numpy and matplotlib:
about a second of CPU per notebook, as much as all the rest of grading it. The grade
stage starts one template process per run (``running``): a fresh interpreter, which never
holds grader state (no reference solution, no gradebook), that imports what every lesson's
kernel imports and then waits. For each notebook the worker's kernel manager asks it for a
kernel (``fork_kernel``) and the template forks twice::

    template --fork--> monitor --joins the sandbox's namespaces, fork--> kernel

- the *monitor* relays the worker's signals (interrupt, kill) to the kernel, reports the
  kernel's exit, and kills the kernel when the worker goes away (their connection closes);
- the *kernel* is born inside the notebook's cgroup (``limits.KernelGroup``: the monitor
  joins it first) and bubblewrap sandbox (``sandbox.Sandbox``: the monitor joins the
  namespaces of the sandbox's placeholder process, a second fork puts the kernel in its
  PID namespace), keeps no descriptor but its own, drops every capability, takes its
  per-process limits, the environment and the working folder the worker sent, and runs
  ipykernel's kernel app in-process; the monitor answers the worker once the kernel's
  sockets are bound.

One request, one connection: the worker sends a JSON line; the monitor answers
``{"pid": ...}`` (or ``{"error": ...}``), later ``{"exit": code}``; the worker sends
``{"signal": n}`` lines. The template is started with the kernel's environment
(``sandbox.kernel_environment``), never the grader's, since a fork's ``/proc/self/environ``
is the template's.
"""

import argparse
import gc
import importlib
import json
import os
import resource
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .limits import join_cgroups, limit_process
from .sandbox import die_with_parent, drop_privileges, join_namespaces, kernel_environment, prepare_scratch

# What a lesson's kernel imports, itself (its debugger, IPython's history and help, what its shell
# loads as it starts, the grader's shell: ``kernelshell``), in the lessons' setup cells and on a
# test's first random generator (numpy loads numpy.random then): loaded once, in the template,
# shared by every fork.
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "sqlite3", "pdb", "pydoc",
           "IPython.core.completerlib", "IPython.core.debugger", "IPython.core.oinspect",
           "IPython.extensions.storemagic", "tornado.platform.asyncio", "numpy", "numpy.random",
           "matplotlib.pyplot", "autograder.checks", "autograder.hidden", "autograder.kernelshell")
KERNEL_SETUP_FAILED = 70


# --- the grader's side ----------------------------------------------------------------------

class Template:
    """The template process of one grading run, started at once: it imports what it preloads
    while the grader prepares the run; ``ready`` waits for it, ``stop`` ends it."""

    def __init__(self, preload=PRELOAD):
        self.home = Path(tempfile.mkdtemp(prefix="backprop-forkserver-"))
        self.address = self.home / "socket"
        prepare_scratch(self.home / "scratch")
        environment = kernel_environment(self.home / "scratch")
        command = [sys.executable, "-m", "autograder.forkserver", str(self.address), *preload]
        self.process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, start_new_session=True)
        self.started = False

    def ready(self):
        """The template's address, once it has said it is ready."""
        if not self.started:
            if self.process.stdout.readline().strip() != b"ready":
                raise RuntimeError(f"the kernel fork server did not start (exit code {self.process.wait()})")
            self.started = True
        return str(self.address)

    def stop(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()
        shutil.rmtree(self.home, ignore_errors=True)


@contextmanager
def running(preload=PRELOAD):
    """Start a template process for this grading run; yield its address; stop it at the end."""
    template = Template(preload)
    try:
        yield template.ready()
    finally:
        template.stop()


class ForkedKernel:
    """The worker's handle on a forked kernel, shaped like ``subprocess.Popen`` for jupyter_client."""

    stdin = stdout = stderr = None

    def __init__(self, address, argv, env, cwd, limits, namespaces_of=None, cgroups=()):
        self.returncode = None
        self._buffer = b""
        self._connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._connection.connect(address)
        request = dict(argv=list(argv), env=env, cwd=str(cwd), limits=limits, namespaces_of=namespaces_of,
                       cgroups=list(cgroups))
        self._connection.sendall(_line(request))
        reply = self._message(block=True)
        if "pid" not in reply:
            raise RuntimeError(f"the kernel could not be started: {reply.get('error', 'the fork server hung up')}")
        self.pid = reply["pid"]

    def _message(self, block):
        while b"\n" not in self._buffer:
            self._connection.setblocking(block)
            try:
                data = self._connection.recv(4096)
            except BlockingIOError:
                return None
            if not data:  # the monitor is gone: the kernel is too
                return {"exit": -signal.SIGKILL}
            self._buffer += data
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def _settle(self, block):
        while self.returncode is None:
            message = self._message(block)
            if message is None:
                return
            if "exit" in message:
                self.returncode = message["exit"]
                self._connection.close()

    def poll(self):
        self._settle(block=False)
        return self.returncode

    def wait(self):
        self._settle(block=True)
        return self.returncode

    def send_signal(self, signum):
        if self.poll() is None:
            try:
                self._connection.sendall(_line({"signal": int(signum)}))
            except OSError:  # the kernel and its monitor ended meanwhile
                pass

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


def fork_kernel(address, command, env, cwd, limits, namespaces_of=None, cgroups=()):
    """A kernel for ``command`` (``python -m ipykernel_launcher ARGS``, jupyter_client's), forked.

    ``limits`` is ``limits.process_limits(...)``; ``namespaces_of`` the pid whose namespaces
    it joins (a sandbox's placeholder); ``cgroups`` the ``cgroup.procs`` files of its cgroups.
    """
    if command[1:3] != ["-m", "ipykernel_launcher"]:
        raise ValueError(f"the fork server runs ipykernel kernels only, not {' '.join(command)}")
    return ForkedKernel(address, command[3:], env, cwd, limits, namespaces_of, cgroups)


def _line(message):
    return (json.dumps(message) + "\n").encode()


# --- the template's side --------------------------------------------------------------------

def serve(address, preload):
    """The template: import ``preload``, then fork a monitor for every connection."""
    die_with_parent()
    del sys.path[0]  # ``-m`` put the template's working folder there; a kernel's is its notebook's
    for module in preload:
        importlib.import_module(module)
    gc.freeze()  # what every kernel shares: never walked by its collector, never copied by it
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # monitors are reaped by the system
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)
    print("ready", flush=True)
    while True:
        connection, _ = listener.accept()
        if os.fork() == 0:
            try:
                listener.close()
                _monitor(connection)
            finally:
                os._exit(1)  # a monitor never returns to the template's loop
        connection.close()


def _monitor(connection):
    """The monitor's life: start the kernel, relay signals to it, report its exit. Never returns."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        message = connection.recv(1 << 20)
        while not message.endswith(b"\n"):
            message += connection.recv(1 << 20)
        request = json.loads(message)
        # Before the sandbox's mounts hide /sys: the kernel is forked inside the cgroups.
        join_cgroups(request["cgroups"])
        if request["namespaces_of"]:
            join_namespaces(request["namespaces_of"])
        ready_read, ready_write = os.pipe()
        kernel = os.fork()
        if kernel == 0:
            _become_kernel(request, ready_write)
        os.close(ready_write)
        # Answered once the kernel's sockets are bound, so the worker's channels connect at
        # their first try instead of retrying every 100 ms and missing the kernel's first words.
        said = os.read(ready_read, 4096)
        if said != b"1":
            _, status = os.waitpid(kernel, 0)
            raise RuntimeError(said.decode(errors="replace").strip()
                               or f"the kernel exited while starting (exit code {os.waitstatus_to_exitcode(status)})")
        connection.sendall(_line({"pid": kernel}))
    except Exception as error:  # told to the worker, which reports the student's kernel as not started
        connection.sendall(_line({"error": f"{type(error).__name__}: {error}"}))
        os._exit(1)
    _relay(connection, kernel)


def _relay(connection, kernel):
    watch = selectors.DefaultSelector()
    watch.register(connection, selectors.EVENT_READ)
    watch.register(os.pidfd_open(kernel), selectors.EVENT_READ)
    buffer = b""
    while True:
        for key, _ in watch.select():
            if key.fileobj is not connection:
                _, status = os.waitpid(kernel, 0)
                connection.sendall(_line({"exit": os.waitstatus_to_exitcode(status)}))
                os._exit(0)
            data = connection.recv(4096)
            if not data:  # the worker went away: its kernel goes too
                os.kill(kernel, signal.SIGKILL)
                os._exit(0)
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                os.kill(kernel, json.loads(line)["signal"])


def _become_kernel(request, ready):
    """The kernel's life, in the fork: lose every privilege, take the notebook's settings, run.

    It writes ``1`` to ``ready`` once its sockets are bound, or why it could not start.
    """
    try:
        die_with_parent()
        null = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):  # no stream of the template's or the worker's
            os.dup2(null, target)
        os.closerange(3, ready)  # nothing of the template's stays open
        os.closerange(ready + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        drop_privileges()
        limit_process(request["limits"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        from ipykernel.kernelapp import IPKernelApp
        app = IPKernelApp.instance()
        app.initialize(request["argv"])
        os.write(ready, b"1")
        os.close(ready)
    except BaseException as error:
        os.write(ready, f"grading kernel setup failed: {type(error).__name__}: {error}".encode()[:4000])
        os._exit(KERNEL_SETUP_FAILED)
    code = 0
    try:
        app.start()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("address", help="the Unix socket to listen on")
    parser.add_argument("preload", nargs="*", help="modules to import before forking")
    args = parser.parse_args(argv)
    serve(args.address, args.preload)


if __name__ == "__main__":
    main()
