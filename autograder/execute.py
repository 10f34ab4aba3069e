"""Execute: the grader's Execute step, with a throwaway working folder, a hidden phase no
student code outlives, per-submission limits, and a record of what went wrong.

``BoundedExecute`` replaces nbgrader's ``Execute`` in ``Autograde.autograde_preprocessors``.
It runs the notebook as nbgrader does (a per-cell timeout interrupts the kernel), and adds
what grading a class of strangers needs:

- the kernel runs in a throwaway working folder inside its own scratch folder, never in
  ``OUT/autograded/``, so nothing it creates or links there is ever read, copied or changed
  by nbgrader's later steps (they write the autograded notebook and feedback page into
  folders the kernel never had a path to);
- every cell but the hidden tests runs first; then the hidden test cells, then the kernel
  stops: no student code runs after hidden-test code has been in the kernel, and nothing
  the kernel says during that hidden phase (what the student's functions print when the
  hidden tests call them, display updates aimed at earlier cells) is kept. The grader
  (``autograder.judge``) writes those cells' outputs;
- a wall-clock limit for the notebook's own cells, and another for the hidden phase;
- a kernel forked warm into its cgroup and sandbox (``overrides.LimitedKernelManager``);
- a cap on everything that reaches the notebook: streams, displays, display updates (once
  for every output they rewrite), results, errors and ``clear_output`` churn; widget
  messages are dropped (no front end shows them here), and so is any single message
  larger than the cap, before it is read;
- the cells that only teach (``skip_cells``: plots and experiments, tagged ``teaching-only``
  in ``solutions/``) are not run again: the score never depends on them, which
  ``tests/test_notebooks.py`` proves for every lesson, and their output says so;
- survival of a kernel that dies (``os._exit``, a segfault, the OOM killer): the cells
  that already ran keep their outputs, the rest score zero.

Every cell that is not run gets an error output saying why, so nbgrader's SaveAutoGrades
gives its test zero points and the feedback page tells the student. What happened is
kept in ``incidents`` for the grade stage to report as the submission's status.
"""

import json
import time

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from traitlets import Float, Integer, List, Unicode

from .course import is_hidden_test
from .overrides import PhasedExecute
from .sandbox import SandboxError
from .tables import GRADER_ERROR, KERNEL_DIED, MEMORY_LIMIT, OUTPUT_CAPPED, TIMEOUT

# What happened while executing the notebook this process is grading, in order: (status, detail).
# A grading worker grades its submissions one at a time and empties it for each.
incidents = []

NOT_RERUN = "This cell only teaches; it was not run again when your notebook was graded.\n"

OUTPUT_MESSAGES = {"stream", "display_data", "update_display_data", "execute_result", "error", "clear_output"}


def _error_output(ename, evalue):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class BoundedExecute(PhasedExecute):
    """nbgrader's Execute with a throwaway working folder, the hidden tests last, time and
    output limits, and a kernel death that costs only the cells it prevented from running."""

    notebook_timeout = Float(600.0, help="wall-clock seconds for the notebook's own cells").tag(config=True)
    hidden_timeout = Float(120.0, help="wall-clock seconds for the hidden test cells, run last").tag(config=True)
    max_output_bytes = Integer(10 * 2**20, help="total output a notebook may produce").tag(config=True)
    skip_cells = List(Unicode(), help="ids of the ungraded code cells that only teach (tagged teaching-only in "
                                      "solutions/): not run at grading").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._stopped, self._hidden_phase = None, False
        self._output_bytes, self._output_capped = 0, False
        try:
            nb, resources = super().preprocess(nb, resources, km)
        except SandboxError as error:
            incidents.append((GRADER_ERROR, str(error)))
            raise
        self._cap_notebook_outputs()
        return nb, resources

    def phases(self, nb):
        cells = list(enumerate(nb.cells))
        return [([c for c in cells if not is_hidden_test(c[1])], self.notebook_timeout,
                 f"the notebook ran past its limit of {self.notebook_timeout:g} s"),
                ([c for c in cells if is_hidden_test(c[1])], self.hidden_timeout,
                 f"the hidden tests ran past their limit of {self.hidden_timeout:g} s")]

    def run_phase(self, cells, seconds, overrun, resources):
        self._hidden_phase = any(is_hidden_test(cell) for _, cell in cells)
        deadline, late = time.monotonic() + seconds, False
        for index, cell in cells:
            if cell.cell_type != "code":
                continue
            if not late and self._stopped is None and time.monotonic() > deadline:
                late = True
                incidents.append((TIMEOUT, overrun))
            if self._stopped is not None or late:
                cell.outputs = [_error_output("NotRun", f"this cell did not run: {self._stopped or overrun}")]
            elif cell.get("id") in self.skip_cells and "nbgrader" not in cell.metadata:
                cell.outputs = [new_output("stream", name="stdout", text=NOT_RERUN)]
            else:
                self._run_cell(cell, resources, index)

    def _run_cell(self, cell, resources, index):
        try:
            self.preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stop(KERNEL_DIED, "the kernel died (os._exit, a crash, or memory exhausted)")
            cell.outputs.append(_error_output("DeadKernelError", "the kernel died while running this cell"))
            return
        except CellTimeoutError:
            # The kernel ignored the interrupt: every later cell would wait out its timeout too.
            self._stop(TIMEOUT, f"a cell ran past {self.timeout} s and the kernel ignored the interrupt")
            cell.outputs.append(_error_output("CellTimeoutError", f"this cell ran past the limit of {self.timeout} s"))
            return
        self._record_cell_errors(cell)

    def _stop(self, status, detail):
        self._stopped = detail
        incidents.append((status, detail))

    def _record_cell_errors(self, cell):
        for output in cell.outputs:
            if output.get("output_type") != "error":
                continue
            if output.ename == "CellTimeoutError":
                incidents.append((TIMEOUT, f"a cell ran past the per-cell limit of {self.timeout} s"))
            elif output.ename == "MemoryError":
                incidents.append((MEMORY_LIMIT, "a cell ran out of memory under the grading cap"))

    def admit(self, msg):
        """Whether a kernel message may change the notebook: no widgets, nothing during the
        hidden phase (the judge writes those cells' outputs), nothing past the output cap."""
        kind = msg["msg_type"]
        if kind.startswith("comm"):
            return False
        if kind in OUTPUT_MESSAGES:
            return not self._hidden_phase and self._within_output_cap(msg)
        return True

    def _within_output_cap(self, msg):
        """Count a message's output against the cap: a display update once for every output it rewrites."""
        size = len(json.dumps(msg["content"], default=str))
        if msg["msg_type"] == "update_display_data":
            display_id = (msg["content"].get("transient") or {}).get("display_id")
            size *= max(1, sum(len(outputs) for outputs in self._display_id_map.get(display_id, {}).values()))
        self._output_bytes += size
        if self._output_bytes <= self.max_output_bytes:
            return True
        self._note_output_capped()
        return False

    def _note_output_capped(self):
        if not self._output_capped:
            self._output_capped = True
            incidents.append((OUTPUT_CAPPED, f"output past {self.max_output_bytes} bytes was dropped"))

    def _cap_notebook_outputs(self):
        """Whatever got past the count, the notebook written to disk holds at most the cap:
        the largest outputs go first."""
        sizes = {i: len(json.dumps(c.get("outputs", []))) for i, c in enumerate(self.nb.cells) if c.cell_type == "code"}
        total = sum(sizes.values())
        for index in sorted(sizes, key=sizes.get, reverse=True):
            if total <= self.max_output_bytes:
                return
            self.nb.cells[index].outputs = [_error_output("OutputCapped", "this cell's output was too large to keep")]
            total -= sizes[index]
            self._note_output_capped()
