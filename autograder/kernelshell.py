"""The grading kernel: ipykernel's, with a shell that does each cell's preparation once.

An override of ipykernel 7.4 (``IPythonKernel.do_execute``) and IPython 9.18
(``InteractiveShell.run_cell``, ``transform_cell``, ``should_run_async``), listed in
``autograder.overrides``; it lives here because a kernel imports it, and the grading
kernels' fork server (``autograder.forkserver``) preloads nothing of the grader's heavy
modules. For every cell, ipykernel's ``do_execute`` transforms the source (IPython's token
transforms for magics, ``!`` and ``?``: the whole cell tokenized) and asks whether it needs
an event loop (the whole cell compiled), then calls ``run_cell``, which does both again
before the cell is parsed and compiled to run. A lesson's cells are mostly short, so this
was a quarter of a grading kernel's own work. ``GradingShell`` gives the same answers:

- ``transform_cell`` hands ``run_cell`` the transformation ``do_execute`` made of the same
  source a moment before (nothing runs in between); any other call transforms afresh, since
  a one-line cell's transformation depends on the names defined when it runs (a cell run
  with an event loop gets its transformation passed, and the one kept is dropped);
- ``should_run_async`` answers no, without compiling, for a cell that says neither
  ``await`` nor ``async``: only those make a cell a coroutine.

The grader selects it with ``--IPKernelApp.kernel_class`` (``autograde.KERNEL_ARGUMENTS``).
"""

from ipykernel.ipkernel import IPythonKernel
from ipykernel.zmqshell import ZMQInteractiveShell
from traitlets import Type


class GradingShell(ZMQInteractiveShell):
    """IPython's kernel shell, preparing each cell once (see the module's docstring)."""

    _last_transform = None  # (source, transformed), for the next call only

    def transform_cell(self, raw_cell):
        last, self._last_transform = self._last_transform, None
        if last is not None and last[0] == raw_cell:
            return last[1]
        cell = super().transform_cell(raw_cell)
        self._last_transform = (raw_cell, cell)
        return cell

    def should_run_async(self, raw_cell, *, transformed_cell=None, preprocessing_exc_tuple=None):
        if transformed_cell is not None and "await" not in transformed_cell and "async" not in transformed_cell:
            return False
        needs_loop = super().should_run_async(raw_cell, transformed_cell=transformed_cell,
                                              preprocessing_exc_tuple=preprocessing_exc_tuple)
        if needs_loop:  # run_cell_async is handed the transformation: no call of transform_cell follows
            self._last_transform = None
        return needs_loop


class GradingKernel(IPythonKernel):
    """ipykernel's IPython kernel with ``GradingShell``."""

    shell_class = Type(GradingShell)
