"""Overrides of library internals, each naming the upstream code it mirrors.

The libraries are pinned in pyproject.toml; when one is upgraded, each class here is read
against the named upstream code again. What the grader adds on top of these (limits,
statuses, the hidden phase's rules, the feedback page's steps) lives in its own modules.

- nbgrader 0.9.6: ``CheckCellMetadataCompiled`` checks cell metadata with a schema compiled
  once. nbgrader compiles it for every cell, in two passes: a tenth of what grading a
  notebook cost. Its class order puts the compiled check where nbgrader's base check was,
  so every rule nbgrader adds on top (grade ids, points, markdown cells, tasks) still runs.
- jupyter_client 8.10: kernels forked into their sandbox (``ForkedKernelProvisioner``,
  ``LimitedKernelManager``) and a client that is ready sooner and takes no oversized message
  (``PromptKernelClient``).
- nbconvert 7.17 / nbclient 0.11: ``PhasedExecute``, execution in a folder of the grader's
  choosing, in phases, with a filter on the kernel's messages.
- nbgrader 0.9.6: ``SaveAutoGradesAtOnce`` and ``GetGradesAtOnce`` read a notebook's grades and
  comments with one query each (and write them with one commit), not a query and a commit per cell;
  ``OverwriteCellsAtOnce`` reads the source notebook's cells with a query each, not two per cell.
- nbgrader 0.9.6: ``share_gradebook_engine``, a grading worker's gradebooks open on one engine
  (``Gradebook.__init__`` and ``close`` replaced in that process), not a new engine, table check
  and course check each time.
- nbgrader 0.9.6: ``OneLineValidator``, what JupyterLab's Validate button reports.
- nbgrader 0.9.6: ``use_hub_username``, the exchange's student named by the hub account.
- nbgrader 0.9.6: ``stamp_new_gradebook``, a new gradebook without the ``alembic`` command.
- jsonschema 4.26: the grader's processes keep ``rfc3987_syntax`` from being imported (a second
  of every start, building a grammar for formats no schema here uses); the line is in
  ``autograder/startup.py``, which they import before anything imports jsonschema.
- ipykernel 7.4 / IPython 9.18: the grading kernel's shell prepares each cell once (the same
  transformation, no compile to ask whether a cell without ``await`` needs an event loop);
  it is in ``autograder/kernelshell.py``, which the kernels' fork server preloads without
  importing this module.
- nbconvert 7.17: the feedback page's exporter (one pass, shared compiled templates, a
  Content Security Policy, markdown cleaned after rendering), its code highlighter (which
  remembers) and its output cleaning step (``SanitizeOutputs``).
"""

import ast
import html
import json
import os
import re
import time
import traceback
import uuid
from functools import cached_property
from pathlib import Path
from queue import Empty

import jsonschema
import nbgrader
from jinja2 import FileSystemBytecodeCache, pass_context
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.connect import channel_socket_types
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader import utils as nbgrader_utils
from nbgrader.api import BaseCell, Comment, Grade, Gradebook, MissingEntry
from nbgrader.preprocessors import (CheckCellMetadata, Execute, GetGrades, NbGraderPreprocessor, OverwriteCells,
                                   SaveAutoGrades)
from nbgrader.validator import Validator
from sqlalchemy.orm import scoped_session, sessionmaker
from traitlets import Bool, Dict, Enum, Integer, List, Unicode, default

from . import check, forkserver, sandbox
from .markup import embed_figures, mark_figures, render_math


# --- nbgrader 0.9.6: the cell-metadata check, compiled once ------------------------------------

class _CompiledSchemaCheck(BaseMetadataValidator):
    """nbgrader 0.9.6 ``BaseMetadataValidator.validate_cell`` (schema version, then the
    schema) with the schema compiled once."""

    @cached_property
    def compiled(self):
        return jsonschema.validators.validator_for(self.schema)(self.schema)

    def validate_cell(self, cell):
        metadata = cell.metadata.get("nbgrader")
        if metadata is None or metadata.get("schema_version", 0) != self.schema_version:
            return super().validate_cell(cell)  # nbgrader's own check, for its version errors
        self.compiled.validate(metadata)


class CompiledMetadataValidator(MetadataValidator, _CompiledSchemaCheck):
    """nbgrader's ``MetadataValidator`` (0.9.6: ``MetadataValidatorV3``), whose call to its
    base's ``validate_cell`` reaches ``_CompiledSchemaCheck`` first."""


class CheckCellMetadataCompiled(CheckCellMetadata):
    """nbgrader 0.9.6 ``CheckCellMetadata.preprocess``, with ``CompiledMetadataValidator``."""

    validator = CompiledMetadataValidator()

    def preprocess(self, nb, resources):
        try:
            self.validator.validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            raise ValidationError("Notebook failed to validate; the nbgrader metadata may be corrupted.")
        return nb, resources


# --- jupyter_client 8.10: kernels forked into their sandbox ----------------------------------------

class ForkedKernelProvisioner(LocalProvisioner):
    """jupyter_client 8.10 ``LocalProvisioner.launch_kernel`` and ``cleanup``, with the kernel
    forked by ``autograder.forkserver`` inside the notebook's cgroup and ``sandbox.Sandbox``
    instead of started as a new program, in the kernel's own environment (an allow-list,
    not jupyter_client's copy of the grader's)."""

    notebook_sandbox = None

    async def launch_kernel(self, cmd, **kwargs):
        manager = self.parent
        self.cwd = kwargs.get("cwd") or os.getcwd()
        env = sandbox.kernel_environment(manager.scratch)
        self.notebook_sandbox = sandbox.Sandbox(manager.isolation, self.cwd, manager.scratch)
        # Without a sandbox, a kernel whose scratch is a tmpfs in the worker's mount namespace joins that.
        namespaces_of = self.notebook_sandbox.pid or (os.getpid() if manager.join_worker_mounts else None)
        try:
            self.process = forkserver.fork_kernel(manager.forkserver, cmd, env, self.cwd, manager.limits,
                                                  namespaces_of, manager.cgroups)
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
    """jupyter_client 8.10's client, ready as soon as the kernel has answered on both
    channels, and deaf to messages larger than the notebook may hold.

    - ``wait_for_ready``: jupyter_client's waits for 0.2 s of silence on IOPub after the
      kernel's first answer, in every notebook; a new kernel has nothing more to say once it
      has published the idle status of that answer, so this client waits for that message.
    - ``_create_connected_socket``: zmq would take in a message of any size (a kernel can
      print gigabytes at once) before the output cap could count it; a socket whose
      ``maxmsgsize`` is set drops such a message instead.
    """

    max_message_bytes = Integer(-1, help="largest message taken from the kernel (-1: any)").tag(config=True)

    def _create_connected_socket(self, channel, identity=None):
        url = self._make_url(channel)
        sock = self.context.socket(channel_socket_types[channel])
        sock.linger = 1000
        sock.maxmsgsize = self.max_message_bytes
        if identity:
            sock.identity = identity
        sock.connect(url)
        return sock

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
    """jupyter_client 8.10's kernel manager, whose kernels are always forked, limited and
    walled in (``ForkedKernelProvisioner``) and heard at once when they exit."""

    forkserver = Unicode(help="address of the fork server (``forkserver.running``)").tag(config=True)
    limits = Dict(help="per-process limits of a grading kernel (``limits.process_limits``)").tag(config=True)
    cgroups = List(Unicode(), help="``cgroup.procs`` files of the kernel's cgroups").tag(config=True)
    isolation = Enum(["bwrap", "none"], "none", help="bwrap: the kernel sees only its own files").tag(config=True)
    scratch = Unicode(help="the kernel's own scratch folder (working folder, home, records, sockets)").tag(config=True)
    join_worker_mounts = Bool(False, help="without a sandbox, join the worker's mount namespace "
                                          "(where the scratch tmpfs is)").tag(config=True)

    @default("client_factory")
    def _prompt_client(self):
        return PromptKernelClient

    async def _async_wait(self, pollinterval=0.005):
        # jupyter_client polls every 100 ms; the kernel's monitor reports its exit at once.
        await super()._async_wait(pollinterval)

    async def _async_pre_start_kernel(self, **kw):
        # jupyter_client makes its provisioner from the kernel spec; this one is always forked.
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
            self.provisioner = ForkedKernelProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                       parent=self)
        return await super()._async_pre_start_kernel(**kw)


# --- nbconvert 7.17 / nbclient 0.11: execution in a chosen folder, in phases, with a message filter -

class PhasedExecute(Execute):
    """nbgrader 0.9.6's Execute step, whose ``preprocess`` (nbconvert 7.17's
    ``ExecutePreprocessor.preprocess``) runs the kernel in ``workdir`` rather than the
    notebook's folder and the cells in ``phases(nb)`` order, and whose ``process_message``
    (nbclient 0.11's) passes each message through ``admit`` first.

    ``phases`` returns ``[(cells, seconds, why a cell is late), ...]``; ``run_phase`` runs
    one. Subclasses say what the phases are and what is admitted.
    """

    workdir = Unicode(help="the kernel's working folder").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", LimitedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        resources = resources or {}
        in_workdir = dict(resources, metadata=dict(resources.get("metadata", {}), path=self.workdir))
        self._check_assign_resources(in_workdir)
        try:
            with self.setup_kernel():
                info = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                for phase in self.phases(self.nb):
                    self.run_phase(*phase, resources=in_workdir)
        except DeadKernelError:
            # Raised again on shutdown of a kernel that is already gone; the cells are marked.
            pass
        return self.nb, resources  # the caller's: the kernel's folder stays the kernel's

    def process_message(self, msg, cell, cell_index):
        if not self.admit(msg):
            return None
        return super().process_message(msg, cell, cell_index)


# --- nbconvert 7.17: the feedback page ------------------------------------------------------------

class RememberedHighlight(Highlight2HTML):
    """nbconvert 7.17's code highlighter (``Highlight2HTML.__call__``), remembering the lessons' code.

    Most cells of a feedback page (the lesson's code, its visible tests) are the same for
    every student, and highlighting them is a fifth of a page's cost. ``remember`` fills the
    memory in the grading process before its workers fork, so each worker only highlights
    what its student wrote, and keeps none of it: a worker grades several students, and its
    memory must not grow with what they wrote.
    """

    memory = {}  # (source, language, magics language: all that highlighting reads) -> HTML

    def __call__(self, source, language=None, metadata=None):
        found = self.memory.get(self._key(source, language, metadata))
        return found if found is not None else super().__call__(source, language, metadata)

    def remember(self, source, language=None, metadata=None):
        """Highlight ``source`` once, for every page."""
        self.memory[self._key(source, language, metadata)] = super().__call__(source, language, metadata)

    def _key(self, source, language, metadata):
        return source, language or self.pygments_lexer, (metadata or {}).get("magics_language")


class SanitizeOutputs(SanitizeHTML):
    """nbconvert 7.17's ``SanitizeHTML`` (``preprocess_cell``, ``sanitize_code_outputs``) for outputs and raw cells; markdown is the exporter's to clean.

    ``SanitizeHTML`` cleans a markdown cell's source as if it were HTML. That escapes the
    ``<``, ``>`` and ``&`` of the lesson's math and code, which markdown then escapes again
    (``$x < 0$`` shows as ``$x &lt; 0$``, a matrix's ``&`` breaks), and it lets markdown's own
    links and images (``[a](javascript:...)``, ``![a](http://...)``) through. So
    ``FeedbackExporter`` cleans the HTML that markdown renders to instead, with these settings.

    It also empties the outputs' metadata, which ``SanitizeHTML`` leaves alone: the template
    writes an image's ``width`` and ``height`` from it into unquoted attributes (a width of
    ``1 onerror=...`` adds a handler) and its ``filenames`` into ``src``.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            return cell, resources
        return super().preprocess_cell(cell, resources, index)

    def sanitize_code_outputs(self, outputs):
        for output in outputs:
            if "metadata" in output:
                output.metadata = {}
        return super().sanitize_code_outputs(outputs)


class FeedbackExporter(HTMLExporter):
    """nbconvert 7.17's HTML exporter (``_create_environment``, ``markdown2html``,
    ``from_notebook_node``), made cheaper and safer for one page per student.

    - Its compiled templates are shared through a folder: nbgrader builds a new exporter,
      and Jinja compiles every template again, for each page; Jinja's bytecode cache writes
      each compiled template once (atomically) for every grading worker to load.
    - It highlights code with ``RememberedHighlight``.
    - It renders the page in one pass. ``HTMLExporter`` parses every page it has rendered
      again with BeautifulSoup, half a feedback page's cost, to give images without one an
      alt text and to make JupyterLab-template cells focusable; nbgrader's feedback template
      is not JupyterLab's, so only the alt text applies, and a pattern adds it. The same pass
      puts the Content Security Policy and ``page_style`` in ``<head>`` in place of the template's
      MathJax scripts, and puts
      ``resources["summary"]`` (made by the pipeline) in place of nbgrader's list of test cells.
    - It renders the lessons' prose once per run (``rendered``).
    - It renders math as MathML and embeds the course's figures (``autograder.markup``: pages
      run no script and load nothing), and cleans the
      HTML that markdown renders to, not markdown's source (``SanitizeOutputs`` says why).
    """

    template_cache = Unicode("", help="folder for compiled templates, shared by the grading workers").tag(config=True)
    content_security_policy = Unicode("", help="the page's Content-Security-Policy, first in its <head>").tag(config=True)
    page_style = Unicode("", help="CSS added to the page's <head>, after the template's").tag(config=True)

    def _create_environment(self):
        environment = super()._create_environment()
        if self.template_cache:
            environment.bytecode_cache = FileSystemBytecodeCache(self.template_cache)
        return environment

    @cached_property
    def sanitizer(self):
        """The pipeline's cleaning step, with its configuration, for the markdown filter."""
        return SanitizeOutputs(parent=self)

    # The lessons' prose, rendered once: (source, attachments as JSON) -> HTML. It is the same on
    # every page; ``feedback.remember`` renders it before the grading workers fork, and a worker
    # keeps nothing its students wrote. A render reads only the source, the cell's attachments, the
    # course's figures (which do not change during a run) and settings that ``feedback.configure`` fixes.
    rendered = {}

    @pass_context
    def markdown2html(self, context, source):
        """Markdown as HTML with its math as MathML, cleaned with the settings ``SanitizeOutputs``
        cleans outputs with, and the course's figures embedded (``autograder.markup``)."""
        found = self.rendered.get(self._markdown_key(context, source))
        return found if found is not None else self._render_markdown(context, source)

    def remember_markdown(self, context, source):
        """Render ``source`` once, for every page."""
        self.rendered[self._markdown_key(context, source)] = self._render_markdown(context, source)

    @staticmethod
    def _markdown_key(context, source):
        return source, json.dumps(context.get("cell", {}).get("attachments", {}), sort_keys=True)

    def _render_markdown(self, context, source):
        html_text = mark_figures(render_math(super().markdown2html(context, source)))
        return embed_figures(self.sanitizer.sanitize_html_tags(html_text))

    def from_notebook_node(self, nb, resources=None, **kw):
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name"))
        resources = self._init_resources(resources)
        # The two filters HTMLExporter registers before rendering, as it registers them.
        self.register_filter("highlight_code", self.filters.get("highlight_code",
                                                                RememberedHighlight(pygments_lexer=lexer, parent=self)))
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata,
                                                                       parent=self, resources=resources))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        if self.content_security_policy:
            csp = f'<meta http-equiv="Content-Security-Policy" content="{self.content_security_policy}">'
            page = page.replace("<head>", "<head>\n" + csp, 1)
        page = TEMPLATE_MATHJAX.sub("", page)  # blocked by the policy anyway: math is MathML here
        if self.page_style:
            page = page.replace("</head>", f"<style>{self.page_style}</style>\n</head>", 1)
        if "summary" in resources:
            page = NBGRADER_TEST_LIST.sub(lambda _: f'<div id="toc">{resources["summary"]}</div>', page, count=1)
        words = resources.get("template_words", {})
        if words:
            page = TEMPLATE_WORDS.sub(lambda m: m.group(1) + words.get(m.group(2), m.group(2)), page)
        alt = html.escape(words.get(FIGURE_ALT, FIGURE_ALT))
        return IMAGE_WITHOUT_ALT.sub(rf'\1 alt="{alt}"', page), resources


IMAGE_WITHOUT_ALT = re.compile(r"(<img\b)(?![^>]*\balt=)")
FIGURE_ALT = "a figure drawn by the notebook"
# nbgrader 0.9.6's feedback template: each of its words, in the markup around it there, for
# ``resources["template_words"]`` (the page's language) to replace.
TEMPLATE_WORDS = re.compile(r'(\(|^\s*|<a href="#top">\(|<span class="nbgrader-label">|<b>|<li class="late-penalty">)'
                            r"(Score|Top|Student's answer|Student's task|Comments|Late submission penalty)"
                            r'(?=: |\)</a>|</span>|:</b>| \(Score)', re.M)
NBGRADER_TEST_LIST = re.compile(r'<div id="toc">.*?</div>', re.S)  # nbgrader 0.9.6's feedback template
TEMPLATE_MATHJAX = re.compile(r'<script\b[^>]*(?:mathjax|MathJax)[^>]*>.*?</script>\s*', re.S)  # nbconvert 7.17's mathjax()


# --- nbgrader 0.9.6: a notebook's grades and comments read and written at once --------------------

def grades_and_comments(gradebook, notebook, assignment, student):
    """A submitted notebook, its grades and its comments, each ``{cell name: row}`` from one
    query, where nbgrader 0.9.6's ``find_grade`` and ``find_comment`` make a query of seven joins per cell."""
    submitted = gradebook.find_submission_notebook(notebook, assignment, student)
    grades, comments = (
        dict(gradebook.db.query(BaseCell.name, model).join(model.cell).filter(model.notebook_id == submitted.id))
        for model in (Grade, Comment))
    return submitted, grades, comments


class _AtOnce:
    """What the two steps below share: the notebook's grades and comments read at once."""

    def _read(self, gradebook, ids):
        notebook, self._grades, self._comments = grades_and_comments(gradebook, ids["notebook"], ids["assignment"],
                                                                     ids["student"])
        return notebook


class SaveAutoGradesAtOnce(_AtOnce, SaveAutoGrades):
    """nbgrader 0.9.6's ``SaveAutoGrades`` (``preprocess``, ``_add_score``, ``_add_comment``): the same
    values, read at once and committed once; upstream commits after every cell."""

    def preprocess(self, nb, resources):
        with Gradebook(resources["nbgrader"]["db_url"]) as self.gradebook:
            self._read(self.gradebook, resources["nbgrader"])
            nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)  # each cell, as upstream
            self.gradebook.db.commit()
        return nb, resources

    def _add_score(self, cell, resources):
        grade = self._grades[cell.metadata.nbgrader.grade_id]
        grade.auto_score, _ = nbgrader_utils.determine_grade(cell, self.log)
        # A manual grade, or no automatic one, keeps the cell in the instructor's queue.
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None

    def _add_comment(self, cell, resources):
        untouched = (cell.metadata.nbgrader.get("checksum", None) == nbgrader_utils.compute_checksum(cell)
                     and not nbgrader_utils.is_task(cell))
        self._comments[cell.metadata.nbgrader.grade_id].auto_comment = "No response." if untouched else None


class GetGradesAtOnce(_AtOnce, GetGrades):
    """nbgrader 0.9.6's ``GetGrades`` (``preprocess``, ``_get_score``, ``_get_comment``): the same
    values, read at once."""

    def preprocess(self, nb, resources):
        ids = resources["nbgrader"]
        with Gradebook(ids["db_url"]) as self.gradebook:
            notebook = self._read(self.gradebook, ids)
            nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)  # each cell, as upstream
            late_penalty = notebook.late_submission_penalty
            if late_penalty is None:
                late_penalty = 0
            else:
                self.log.warning("Late submission penalty: {}".format(late_penalty))
            ids["score"], ids["max_score"], ids["late_penalty"] = (notebook.score - late_penalty, notebook.max_score,
                                                                    late_penalty)
        return nb, resources

    def _get_comment(self, cell, resources):
        cell.metadata.nbgrader["comment"] = self._comments[cell.metadata.nbgrader.grade_id].comment

    def _get_score(self, cell, resources):
        grade = self._grades[cell.metadata.nbgrader.grade_id]
        cell.metadata.nbgrader["score"], cell.metadata.nbgrader["points"] = grade.score, grade.max_score


class OverwriteCellsAtOnce(OverwriteCells):
    """nbgrader 0.9.6's ``OverwriteCells`` (``preprocess``): the same checks, against the
    notebook's source and graded cells read with a query each, where upstream makes two
    queries of three joins for every cell."""

    def preprocess(self, nb, resources):
        ids = resources["nbgrader"]
        self.notebook_id, self.assignment_id, self.db_url = ids["notebook"], ids["assignment"], ids["db_url"]
        with Gradebook(self.db_url) as gradebook:
            self.gradebook = _NotebookCells(gradebook, self.notebook_id, self.assignment_id)
            nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)  # each cell, as upstream
            if self.add_missing_cells:
                nb, resources = self.add_missing_grade_cells(nb, resources)
                nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources


class _NotebookCells:
    """A gradebook whose ``find_source_cell`` and ``find_graded_cell`` answer for one source
    notebook from its cells read at once; anything else goes to the gradebook."""

    def __init__(self, gradebook, notebook_id, assignment_id):
        self._gradebook = gradebook
        notebook = gradebook.find_notebook(notebook_id, assignment_id)
        self._source = {cell.name: cell for cell in notebook.source_cells}
        # nbgrader's find_graded_cell looks for a grade cell, then a task cell, of that name.
        self._graded = {cell.name: cell for cell in [*notebook.task_cells, *notebook.grade_cells]}

    def find_source_cell(self, name, notebook, assignment):
        return self._found(self._source, "source", name, notebook, assignment)

    def find_graded_cell(self, name, notebook, assignment):
        return self._found(self._graded, "grade", name, notebook, assignment)

    def _found(self, cells, kind, name, notebook, assignment):
        if name not in cells:
            raise MissingEntry(f"No such {kind} cell: {assignment}/{notebook}/{name}")
        return cells[name]

    def __getattr__(self, name):
        return getattr(self._gradebook, name)


# --- nbgrader 0.9.6: one gradebook engine for a grading worker's every step ----------------------

_upstream_gradebook_init = Gradebook.__init__
_engines = {}  # (process id, database URL) -> the engine that process's gradebooks share
_courses_checked = set()  # (process id, database URL, course id) whose tables and course row exist


def share_gradebook_engine():
    """Make every ``Gradebook`` this process opens from now on share one engine per database.

    nbgrader 0.9.6's ``Gradebook.__init__`` makes a new engine, reads the table names, runs
    ``create_all`` and checks the course, and ``close`` disposes of the engine: autograding a
    notebook and making its page open a gradebook fourteen times. Shared, a gradebook does that
    once per database and course in a process, and ``close`` hands its session's connection
    back to the engine (ending its transaction) instead of closing it. Engines are kept per
    process id, so a fork never uses a connection its parent opened.
    """
    Gradebook.__init__, Gradebook.close = _open_shared, _close_shared


def _open_shared(self, db_url, course_id="default_course", authenticator=None):
    process = os.getpid()
    if (process, db_url, course_id) not in _courses_checked:
        _upstream_gradebook_init(self, db_url, course_id, authenticator)  # the tables and the course row
        self.db.remove()
        shared = _engines.setdefault((process, db_url), self.engine)
        if shared is not self.engine:
            self.engine.dispose()
        _courses_checked.add((process, db_url, course_id))
    self.engine = _engines[process, db_url]
    self.db = scoped_session(sessionmaker(autoflush=True, bind=self.engine, future=True))
    self.course_id, self.authenticator = course_id, authenticator


def _close_shared(self):
    self.db.remove()


# --- nbgrader 0.9.6: the Validate button -----------------------------------------------------------

class OneLineValidator(Validator):
    """nbgrader 0.9.6's ``Validator`` (``_preprocess``, ``_get_failed_cells``, ``validate``), whose
    failed test cells are reported as ``python -m autograder check`` prints them: the function as
    the "source" and the first line of what is wrong as the "error", so the Validate dialog lists
    what is wrong instead of each test's code (an untouched stub's instructions once, not once per
    function), and an unanswered written answer by its grade id. Changed cells are still
    reported as nbgrader does: only the report is rewritten, never the notebook. Its
    ``preprocessors`` are not configurable, hence a subclass, which ``use_one_line_validator``
    puts in place.
    """

    _failed_cells = ()  # none until ``validate`` looks for them (it stops before, at a cell type change)

    def _preprocess(self, nb):
        nb = super()._preprocess(nb)
        self._lines = check.failure_lines(nb)
        return nb

    def _get_failed_cells(self, nb):
        self._failed_cells = super()._get_failed_cells(nb)  # ``validate`` reports them in this order
        return self._failed_cells

    def validate(self, filename):
        results = super().validate(filename)
        told = set()
        for failed, cell in zip(results.get("failed", []), self._failed_cells):
            if failed["source"] in self._lines:
                function, message = self._lines[failed["source"]]
                # The dialog wraps it (etc/jupyterlab/custom.css); it sets the error as HTML.
                failed.update(source=function, error=html.escape(self._shown(message, told)), raw_error=message)
            elif cell.cell_type == "markdown":  # a written answer: named, not "YOUR ANSWER HERE"
                failed.update(source=cell.metadata.nbgrader.grade_id)
        return results

    @staticmethod
    def _shown(message, told):
        """``message`` as the dialog shows it: an untouched stub's instructions, the same for every
        function, only the first time (``told`` holds those already shown), so a lesson's rows fit."""
        stub = UNTOUCHED_STUB.fullmatch(message)
        if stub is None:
            return message
        if stub["how"] in told:
            return stub["what"]
        told.add(stub["how"])
        return message


# What ``checks.call`` says of an untouched stub: what is missing, then how to go on.
UNTOUCHED_STUB = re.compile(r"(?P<what>\S+ is not implemented yet): (?P<how>.+)", re.S)


def use_one_line_validator():
    """Make JupyterLab's Validate button (nbgrader 0.9.6's validate handler, which names its
    ``Validator`` class directly) use ``OneLineValidator``. Called from the server's nbgrader
    configuration, which that handler loads before each validation."""
    from nbgrader.server_extensions.validate_assignment import handlers

    handlers.Validator = OneLineValidator


# --- nbgrader 0.9.6: the exchange's student, on a hub whose servers share one system user ---------

def use_hub_username():
    """Make nbgrader 0.9.6's exchange (``exchange/default/submit.py`` and ``fetch_feedback.py``,
    which import ``nbgrader.utils.get_username``) name the student by their hub account.

    Upstream takes the system user's name, and the hub's name only for the Docker stacks' user
    ``jovyan``, as on Zero to JupyterHub. The local classroom runs every server as the system user
    that started the hub, so each would submit as that one user. Called from the students' nbgrader
    configuration (etc/classroom/student/).
    """
    from nbgrader.exchange.default import fetch_feedback, submit

    def hub_username():
        return os.environ["JUPYTERHUB_USER"]

    submit.get_username = fetch_feedback.get_username = hub_username


# --- nbgrader 0.9.6: a new gradebook without the alembic command ----------------------------------

def stamp_new_gradebook(connection):
    """Write nbgrader's schema revision into a new, empty SQLite gradebook (``connection``).

    nbgrader 0.9.6's ``Gradebook.__init__``, given a database without tables, creates them and
    then runs the ``alembic stamp`` command to record the revision: a second interpreter and
    seconds of every grading run. Given the revision already recorded, it creates its tables and
    runs nothing. The revision is read from nbgrader's own revision scripts; if they do not form
    one line, nothing is written and nbgrader stamps the database itself.
    """
    head = _alembic_head()
    if head:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (head,))


def _alembic_head():
    """The last revision of nbgrader's gradebook schema, or None unless its revisions make one line."""
    revisions, parents = set(), set()
    for script in (Path(nbgrader.__file__).parent / "alembic" / "versions").glob("*.py"):
        found = {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(script.read_text()).body
                 if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                 and node.targets[0].id in ("revision", "down_revision")}
        revisions.add(found.get("revision"))
        parents.add(found.get("down_revision"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and None not in revisions else None
