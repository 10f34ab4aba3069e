"""Execute: nbgrader's Execute step with per-submission limits and a record of what went wrong.

``BoundedExecute`` replaces nbgrader's ``Execute`` in ``Autograde.autograde_preprocessors``.
It runs the notebook cell by cell as nbgrader does (a per-cell timeout interrupts the
kernel), and adds what grading a whole class needs:

- a wall-clock limit for the whole notebook: cells after it are not run;
- a kernel forked warm (``forkserver``) with a memory cap and, where bubblewrap is
  installed, walls around it (``sandbox``): ``LimitedKernelManager``;
- a cap on the output a notebook may produce;
- survival of a kernel that dies (``os._exit``, a segfault, the OOM killer): the cells
  that already ran keep their scores, the rest score zero.

Every cell that is not run gets an error output saying why, so nbgrader's SaveAutoGrades
gives its test zero points and the feedback page tells the student. What happened is
kept in ``incidents`` for the grade stage to report as the submission's status.
"""

import os
import time
import uuid
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Enum, Float, Integer, Unicode, default

from . import forkserver, sandbox

# What happened while executing the notebook graded in this process, in order:
# (status, detail). The grade stage runs one submission per process.
incidents = []


class ForkedKernelProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, with the kernel forked by ``autograder.forkserver``
    inside the notebook's ``sandbox.Sandbox`` instead of started as a new program."""

    notebook_sandbox = None

    async def launch_kernel(self, cmd, **kwargs):
        manager = self.parent
        self.cwd = kwargs.get("cwd") or os.getcwd()
        env = dict(kwargs.get("env") or os.environ)
        env.pop("JPY_PARENT_PID", None)  # its monitor, not a parent poller, ends the kernel
        env.update(sandbox.scratch_environment(manager.scratch))
        self.notebook_sandbox = sandbox.Sandbox(manager.isolation, self.cwd, manager.scratch)
        try:
            self.process = forkserver.fork_kernel(manager.forkserver, cmd, env, self.cwd,
                                                  manager.memory_mb, self.notebook_sandbox.pid)
        except BaseException:
            self.notebook_sandbox.close()
            raise
        self.pid, self.pgid = self.process.pid, None  # signals go through the monitor
        return self.connection_info

    async def cleanup(self, restart=False):
        await super().cleanup(restart)
        if self.notebook_sandbox is not None:
            self.notebook_sandbox.close()  # ends whatever the kernel left running in the sandbox


class PromptKernelClient(AsyncKernelClient):
    """jupyter_client's client, ready as soon as the kernel has answered on both channels.

    jupyter_client's own waits for 0.2 s of silence on IOPub after the kernel's first
    answer, in every notebook; a new kernel has nothing more to say once it has published
    the idle status of that answer, so this client waits for that message instead.
    """

    async def wait_for_ready(self, timeout=None):
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while not await self._answered(self.kernel_info()):
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    async def _answered(self, request):
        """Whether ``request`` was answered on the shell channel and its idle status seen on IOPub
        (which misses what the kernel published before it subscribed: then the caller asks again)."""
        try:
            reply = await self.get_shell_msg(timeout=1)
            while reply["parent_header"].get("msg_id") != request:
                reply = await self.get_shell_msg(timeout=1)
            self._handle_kernel_info_reply(reply)
            while True:
                message = await self.get_iopub_msg(timeout=0.2)
                if (message["parent_header"].get("msg_id") == request and message["msg_type"] == "status"
                        and message["content"]["execution_state"] == "idle"):
                    return True
        except Empty:
            return False


class LimitedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels are forked warm, capped and walled in (``ForkedKernelProvisioner``)."""

    forkserver = Unicode(help="address of the fork server (``forkserver.running``)").tag(config=True)
    memory_mb = Integer(4096, help="address-space cap of a grading kernel, in MiB").tag(config=True)
    isolation = Enum(["bwrap", "none"], "none", help="bwrap: the kernel sees only its own files").tag(config=True)
    scratch = Unicode(help="the kernel's own scratch folder (home, settings, records, sockets)").tag(config=True)

    @default("client_factory")
    def _prompt_client(self):
        return PromptKernelClient

    async def _async_wait(self, pollinterval=0.005):
        # The kernel's monitor reports its exit at once; jupyter_client polls every 100 ms.
        await super()._async_wait(pollinterval)

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
            self.provisioner = ForkedKernelProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                       parent=self)
        return await super()._async_pre_start_kernel(**kw)


def _error_output(ename, evalue):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class BoundedExecute(Execute):
    """nbgrader's Execute with a notebook time limit, a memory cap, an output cap, and
    a kernel death that costs only the cells it prevented from running."""

    notebook_timeout = Float(600.0, help="wall-clock seconds for the whole notebook").tag(config=True)
    max_output_bytes = Integer(10 * 2**20, help="total output a notebook may produce").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", LimitedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.notebook_timeout
        self._stopped = None
        self._output_bytes = 0
        self._output_capped = False
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError:
            # Raised again on shutdown of a kernel that is already gone; the cells are marked.
            return nb, resources

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._stopped is None and time.monotonic() > self._deadline:
            self._stop("timeout", f"the notebook ran past its limit of {self.notebook_timeout:g} s")
        if self._stopped is not None:
            cell.outputs = [_error_output("NotRun", f"this cell did not run: {self._stopped}")]
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stop("kernel died", "the kernel died (os._exit, a crash, or memory exhausted)")
            cell.outputs.append(_error_output("DeadKernelError", "the kernel died while running this cell"))
            return cell, resources
        except CellTimeoutError:
            # The kernel ignored the interrupt: every later cell would wait out its timeout too.
            self._stop("timeout", f"a cell ran past {self.timeout} s and the kernel ignored the interrupt")
            cell.outputs.append(_error_output("CellTimeoutError", f"this cell ran past the limit of {self.timeout} s"))
            return cell, resources
        self._record_cell_errors(cell)
        return cell, resources

    def _stop(self, status, detail):
        self._stopped = detail
        incidents.append((status, detail))

    def _record_cell_errors(self, cell):
        for output in cell.outputs:
            if output.get("output_type") != "error":
                continue
            if output.ename == "CellTimeoutError":
                incidents.append(("timeout", f"a cell ran past the per-cell limit of {self.timeout} s"))
            elif output.ename == "MemoryError":
                incidents.append(("memory limit", "a cell ran out of memory under the grading cap"))

    def output(self, outs, msg, display_id, cell_index):
        size = len(str(msg.get("content", "")))
        self._output_bytes += size
        if self._output_bytes <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        if not self._output_capped:
            self._output_capped = True
            incidents.append(("output capped", f"output past {self.max_output_bytes} bytes was dropped"))
            outs.append(new_output("stream", name="stderr",
                                   text=f"[output past {self.max_output_bytes} bytes dropped by the grader]\n"))
        return None
