"""The student's JupyterLab, proven in a real browser.

A session fixture starts JupyterLab 4 as `make lab` does (Jupyter's config, data and
runtime files in a temporary folder, nbgrader's configuration from etc/jupyter/, the course's
JupyterLab defaults, CSS and layout extension from etc/jupyterlab/), serving
a temporary copy of the checkout's lessons/, solutions/ and assets/: the same layout
`make lab` serves, while nothing the notebooks run or save (Validate saves) reaches the
checkout. Playwright drives Debian's Chromium (/usr/bin/chromium), headless. For every
lesson in solutions/:

- the student notebook, after Run All Cells, shows its first visible test failing with
  the course's own message ("CheckFailure: ... is not implemented yet"), not a traceback;
  nbgrader's Validate button then lists the visible tests that fail;
- the solution notebook, after Run All Cells, shows no error output and every figure as
  a loaded image; Validate reports success;
- Validate shows a spinning ring while it runs, then the message of every failing function
  without scrolling, at 1280 px and at 400 px, with no request leaving the machine.

And once: figures sit on a light panel in the dark theme; a narrow window opens with the
sidebars collapsed, and a wide window after it does not inherit its sidebar.

Screenshots go to test-artifacts/screenshots/ (ignored by git).
"""

import contextlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from autograder.course import ROOT, available_lessons
from chromium import CHROMIUM, INSTALL_CHROMIUM, SCREENSHOTS, browser  # noqa: F401 (browser: a fixture)


# Generous limits: CI runs this on a 2-core machine, where a lesson takes twice as long as here.
SERVER_START_TIMEOUT = 120      # seconds for JupyterLab to answer
PAGE_TIMEOUT = 60_000           # ms for the lab and a notebook to load, a kernel to start
RUN_TIMEOUT = 600_000           # ms for Run All Cells on a whole notebook
VALIDATE_TIMEOUT = 600_000      # ms for nbgrader's Validate (it runs the notebook again, server-side)

pytestmark = pytest.mark.slow

COURSE_CSS = ROOT / "etc" / "jupyterlab" / "custom.css"

LESSONS = available_lessons()


# --- the server -----------------------------------------------------------------------------

@dataclass
class Lab:
    url: str
    token: str
    root: Path           # what the server serves: copies of lessons/, solutions/, assets/
    log: Path

    def api(self, path, method="GET"):
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines=40):
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_env(base, language=None):
    """The environment `make lab` gives JupyterLab (the Makefile's JUPYTER_ENV), inside ``base``; with
    ``language``, `make lab LAB_LANGUAGE=<language>`'s: its settings (etc/jupyterlab/<language>/) added."""
    env = dict(os.environ)
    for name, folder in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                         ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"),
                         ("MPLCONFIGDIR", "matplotlib"), ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
                         ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces")):
        (base / folder).mkdir(parents=True, exist_ok=True)
        env[name] = str(base / folder)
    config_path = [ROOT / "etc" / "jupyter"] + ([ROOT / "etc" / "jupyterlab" / language] if language else [])
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(str(folder) for folder in config_path)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("MPLBACKEND", None)   # figures must come from the notebook's inline backend
    return env


def write_lab_settings(settings):
    """User settings for the test's lab: every cell in the page (no windowing, so every output
    is in the DOM to be checked), and no pop-up notifications over the notebook (the news and
    update prompts are off by the course's own defaults, etc/jupyterlab/overrides.json)."""
    for plugin, values in (("@jupyterlab/notebook-extension/tracker", {"windowingMode": "none"}),
                           ("@jupyterlab/apputils-extension/notification", {"doNotDisturbMode": True})):
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def install_course_css(config):
    """The course's CSS where JupyterLab's --LabApp.custom_css looks for it, as `make lab` puts it."""
    (config / "custom").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(COURSE_CSS, config / "custom" / "custom.css")


def copy_course(root):
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for folder in ("lessons", "solutions", "assets"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, root / folder, ignore=ignore)


def wait_until_answering(process, lab):
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {process.returncode} before answering:\n{lab.log_tail()}")
        try:
            lab.api("/api/status")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            try:
                process.wait(timeout=0.5)   # between two knocks, notice at once if the server dies
            except subprocess.TimeoutExpired:
                pass
    pytest.fail(f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s:\n{lab.log_tail()}")


def stop(process, lab):
    """Shut the server down (its kernels with it); kill it if it does not go."""
    if process.poll() is None:
        try:
            lab.api("/api/shutdown", method="POST")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    if process.poll() is None:   # SIGTERM: the server still shuts its kernels down
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def running_lab(base, language=None):
    """JupyterLab in the folder ``base``, as `make lab` starts it (`make lab LAB_LANGUAGE=<language>`
    with ``language``), until the block ends."""
    root = base / "root"
    root.mkdir()
    copy_course(root)
    env = jupyter_env(base / "jupyter", language)
    write_lab_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
    install_course_css(Path(env["JUPYTER_CONFIG_DIR"]))
    lab = Lab(url=f"http://127.0.0.1:{free_port()}", token=secrets.token_hex(16), root=root, log=base / "server.log")
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={lab.url.rsplit(':', 1)[1]}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={lab.token}", f"--ServerApp.root_dir={root}",
               "--LabApp.expose_app_in_browser=True", f"--LabApp.app_settings_dir={ROOT / 'etc' / 'jupyterlab'}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.custom_css=True",
               f"--LabApp.extra_labextensions_path={ROOT / 'etc' / 'jupyterlab' / 'labextensions'}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with open(lab.log, "wb") as log:
        process = subprocess.Popen(command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_answering(process, lab)
        yield lab
    finally:
        stop(process, lab)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    with running_lab(tmp_path_factory.mktemp("jupyterlab")) as lab:
        yield lab


# --- the browser ----------------------------------------------------------------------------

@pytest.fixture
def page(browser, lab, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(PAGE_TIMEOUT)
    page = context.new_page()
    failed_before = request.session.testsfailed
    try:
        yield page
    finally:
        if request.session.testsfailed > failed_before:   # what the page showed when the test failed
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            try:
                page.screenshot(path=SCREENSHOTS / f"FAILED-{name}.png")
            except Exception as error:  # a failure screenshot must not hide the failure
                print(f"no screenshot of the failure: {error}")
        context.close()
        for session in lab.api("/api/sessions"):   # each test's kernels end with it
            lab.api(f"/api/sessions/{session['id']}", method="DELETE")


# --- driving JupyterLab ---------------------------------------------------------------------

# JavaScript helpers, run in the page with the lab's application object (expose_app_in_browser).
PANEL_JS = """
window.__panel = (path) => {
  for (const widget of window.jupyterapp.shell.widgets('main')) {
    if (widget.context && widget.context.path === path && widget.content && widget.content.widgets) return widget;
  }
  return null;
};
"""

KERNEL_IDLE_JS = """(path) => {
  const panel = window.__panel(path);
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!(kernel && kernel.status === 'idle' && panel.content.widgets.length > 0);
}"""

# Done when the kernel is idle, no cell is queued or running ([*]), and either every code
# cell ran or one failed (Run All stops there).
RUN_FINISHED_JS = """(path) => {
  const panel = window.__panel(path);
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  const code = panel.content.widgets.filter(cell => cell.model.type === 'code');
  if (code.some(cell => (cell.promptNode && cell.promptNode.textContent || '').includes('*'))) return false;
  const failed = code.some(cell => cell.model.outputs.toJSON().some(o => o.output_type === 'error'));
  return failed || code.every(cell => cell.model.executionCount !== null);
}"""

RUN_STARTED_JS = """(path) => window.__panel(path).content.widgets.some(cell => cell.model.type === 'code' &&
  (cell.model.executionCount !== null || (cell.promptNode && cell.promptNode.textContent || '').includes('*')))"""

OUTPUTS_JS = """(path) => window.__panel(path).content.widgets.map(cell =>
  cell.model.type === 'code' ? cell.model.outputs.toJSON() : null)"""


def open_notebook(page, lab, path, workspace=None):
    """Open ``path`` (relative to the server's root) in ``workspace`` (by default a fresh one) and
    wait for its kernel."""
    page.goto(f"{lab.url}/lab/workspaces/{workspace or uuid.uuid4().hex}/tree/{path}?token={lab.token}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
    page.evaluate(PANEL_JS)
    page.wait_for_function("(path) => window.__panel(path) !== null", arg=path)
    page.wait_for_function(KERNEL_IDLE_JS, arg=path)
    return page.locator(".jp-NotebookPanel:visible")


def run_all_cells(page, path, menu="Run", item="Run All Cells"):
    """Run > Run All Cells, from the menu (titled ``menu`` and ``item`` in the lab's language), and wait
    until the run is over."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]:not(.lm-mod-disabled)', has_text=item).click()
    page.wait_for_function(RUN_STARTED_JS, arg=path, polling=250)   # the click did start a run
    page.wait_for_function(RUN_FINISHED_JS, arg=path, timeout=RUN_TIMEOUT, polling=250)
    return page.evaluate(OUTPUTS_JS, path)


def validate(page):
    """Click nbgrader's Validate button; return the verdict dialog's text and its kind."""
    page.locator(".jp-NotebookPanel:visible .validate-button").click()
    return validation_results(page)


def validation_results(page):
    """Wait for the verdict of a Validate under way; return the dialog's text and its kind."""
    dialog = page.locator(".jp-Dialog")   # the verdict, or nbgrader's "Validation failed" / "Version Mismatch"
    dialog.wait_for(timeout=VALIDATE_TIMEOUT)
    title = dialog.locator(".jp-Dialog-header").inner_text().strip()
    assert title == "Validation Results", f"Validate showed {title!r}: {dialog.inner_text()}"
    message = dialog.locator("#validation-message")
    return message.inner_text(), message.get_attribute("class")


def screenshot(page, name):
    """What the student sees now, the browser window as it is."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")


def block_network(context):
    """Abort every request of ``context`` that would leave the machine; return the list of those
    attempted (to assert it stays empty)."""
    left = []

    def only_local(route):
        url = urllib.parse.urlsplit(route.request.url)
        if url.scheme in ("data", "blob") or url.hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    return left


def set_theme(page, theme):
    """Switch JupyterLab's theme (a user setting: the caller switches back) and wait until it shows."""
    page.evaluate("(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme)
    page.wait_for_function("(theme) => document.body.dataset.jpThemeName === theme", arg=theme)


def screenshot_notebook(page, name):
    """The whole notebook, top to bottom: the notebook scrolls inside the page, so it is shot
    a window's height at a time and the pieces are stitched together."""
    from PIL import Image   # Pillow comes with matplotlib

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    scroller = page.locator(".jp-NotebookPanel:visible .jp-WindowedPanel-outer")
    total, window = scroller.evaluate("e => [e.scrollHeight, e.clientHeight]")
    pieces, top = [], 0
    while True:
        top = scroller.evaluate("(e, y) => { e.scrollTop = y; return e.scrollTop; }", top)
        pieces.append((top, Image.open(io.BytesIO(scroller.screenshot()))))
        if top + window >= total:
            break
        top += window
    width = pieces[0][1].width
    scale = pieces[0][1].height / window   # device pixels per CSS pixel
    sheet = Image.new("RGB", (width, round(total * scale)), "white")
    for top, piece in pieces:
        sheet.paste(piece, (0, round(top * scale)))
    sheet.save(SCREENSHOTS / f"{name}.png", optimize=True)


def grade_ids(notebook_path):
    """The nbgrader grade id of every cell (None for ungraded ones), in order."""
    return [c.metadata.get("nbgrader", {}).get("grade_id") if c.metadata.get("nbgrader", {}).get("grade") else None
            for c in nbformat.read(notebook_path, as_version=4).cells]


def error_outputs(outputs):
    """(cell index, output) for every error and every stderr stream."""
    return [(index, output) for index, cell_outputs in enumerate(outputs) for output in cell_outputs or []
            if output["output_type"] == "error"
            or (output["output_type"] == "stream" and output.get("name") == "stderr")]


# --- the tests ------------------------------------------------------------------------------

def test_chromium_is_installed():
    assert CHROMIUM.exists(), f"the browser tests need Debian's Chromium at {CHROMIUM}; install it: {INSTALL_CHROMIUM}"


def test_assignment_list_has_a_writable_exchange(page, lab):
    page.goto(f"{lab.url}/lab/workspaces/{uuid.uuid4().hex}?token={lab.token}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands.hasCommand('nbgrader:open-assignment-list')")
    page.evaluate("() => window.jupyterapp.commands.execute('nbgrader:open-assignment-list')")
    released = page.locator("#released_assignments_list")
    released.wait_for()
    page.locator("#released_assignments_list_loading").wait_for(state="hidden")
    text = page.locator(".lm-Widget", has=released).last.inner_text()
    assert "Unwritable" not in text and "exchange directory does not exist" not in text, text
    assert page.locator("#released_assignments_list_error").is_hidden(), text


def test_no_news_or_update_prompt_by_the_course_defaults(lab):
    """The course's overrides become the defaults JupyterLab serves (stock: "none", ask the student)."""
    schema = lab.api("/lab/api/settings/@jupyterlab/apputils-extension:notification")["schema"]["properties"]
    assert schema["fetchNews"]["default"] == "false" and schema["checkForUpdates"]["default"] is False, schema


@pytest.mark.parametrize("lesson", LESSONS)
def test_student_notebook_fails_its_first_test_with_the_course_message(page, lab, lesson):
    path = f"lessons/{lesson}/{lesson}.ipynb"
    ids = grade_ids(lab.root / path)
    first_test = next((i for i, grade_id in enumerate(ids) if grade_id and grade_id.startswith("test_")), None)
    assert first_test is not None, f"{lesson} has no visible test cell (grade id test_<function>)"
    notebook = open_notebook(page, lab, path)
    assert notebook.locator(".jp-Cell").count() == len(ids)

    outputs = run_all_cells(page, path)

    errors = [(i, o) for i, o in error_outputs(outputs) if o["output_type"] == "error"]
    assert errors, f"{lesson}: Run All Cells raised nothing in the student notebook"
    index, error = errors[0]
    assert index == first_test, (f"{lesson}: the first error is in cell {index} ({ids[index]}), not in the first "
                                 f"visible test, cell {first_test} ({ids[first_test]}): {error.get('evalue')}")
    assert error["ename"] == "CheckFailure" and "is not implemented yet" in error["evalue"], error
    rendered = notebook.locator(".jp-Cell").nth(index).locator(".jp-OutputArea-output")
    text = rendered.inner_text()
    assert re.search(r"CheckFailure: \w[\w.]* is not implemented yet", text), text
    assert "Traceback" not in text and "---->" not in text and 'File "' not in text, f"a bare traceback:\n{text}"
    assert rendered.locator(".ansi-red-fg", has_text="CheckFailure").count() == 1, "the name is not rendered in red"
    rendered.scroll_into_view_if_needed()
    screenshot(page, f"{lesson}-student")

    verdict, kind = validate(page)

    visible_tests = [grade_id for grade_id in ids if grade_id and grade_id.startswith("test_")]
    written = [grade_id for grade_id in ids if grade_id and grade_id.startswith("written_")]
    assert "validation-failed" in kind, verdict
    # One failure per function, and nbgrader's own for each written answer still to write.
    assert verdict.count("The following cell failed:") == len(visible_tests) + len(written), verdict
    assert verdict.count("You did not provide a response.") == len(written), verdict
    assert verdict.count("is not implemented yet") == len(visible_tests), verdict
    # One line per function, as `check` prints it: no test code, every function named.
    assert "checks." not in verdict and all(t[len("test_"):] in verdict for t in visible_tests), verdict
    screenshot(page, f"{lesson}-validate")


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_notebook_runs_clean_with_every_figure(page, lab, lesson):
    path = f"solutions/{lesson}/{lesson}.ipynb"
    source = nbformat.read(lab.root / path, as_version=4)
    notebook = open_notebook(page, lab, path)

    outputs = run_all_cells(page, path)

    problems = [f"cell {i}: {o.get('ename', 'stderr')}: {o.get('evalue', o.get('text', ''))[:300]}"
                for i, o in error_outputs(outputs)]
    assert not problems, f"{lesson}: error output in the solution notebook:\n" + "\n".join(problems)
    assert not notebook.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count()
    cells = notebook.locator(".jp-Cell")
    assert cells.count() == len(source.cells)
    figures = 0
    for index, cell_outputs in enumerate(outputs):
        pngs = sum("image/png" in o.get("data", {}) for o in cell_outputs or [])
        draws = re.search(r"\bplt\.|\.subplots\(|\.savefig\(|\bfig\b", source.cells[index].source)
        if cell_outputs is not None and source.cells[index].cell_type == "code" and draws:
            assert pngs, f"{lesson}: cell {index} draws but shows no figure:\n{source.cells[index].source[:300]}"
        rendered = cells.nth(index).locator(".jp-OutputArea-output img")
        assert rendered.count() == pngs, f"{lesson}: cell {index} has {pngs} figure(s), {rendered.count()} <img>"
        figures += pngs
    images = notebook.locator(".jp-Cell img")
    broken = images.evaluate_all("(imgs) => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
    assert not broken, f"{lesson}: images that did not load: {broken}"
    screenshot_notebook(page, lesson)
    print(f"{lesson}: {figures} figure(s) and {images.count() - figures} other image(s) rendered")

    verdict, kind = validate(page)

    assert "validation-success" in kind and "Success! Your notebook passes all the tests." in verdict, verdict


# --- the course's CSS (etc/jupyterlab/custom.css): Validate, and figures in the dark theme ----------

WINDOWS = ({"width": 1280, "height": 800}, {"width": 400, "height": 800})   # a laptop, a phone
VALIDATE_BUTTON = ".jp-NotebookPanel:not(.lm-mod-hidden) jp-button.validate-button"

# What the Validate button looks like each time nbgrader changes it while disabled (from the
# click to the verdict), recorded as it happens: a run can be too short to catch by polling.
WATCH_VALIDATE_JS = """(selector) => {
  const button = document.querySelector(selector);
  const seen = window.__validateProgress = [];
  new MutationObserver(() => {
    if (!button.hasAttribute('disabled')) return;
    const label = button.querySelector('.jp-ToolbarButtonComponent-label');
    const ring = getComputedStyle(label, '::before');
    seen.push({label: label.textContent, animation: ring.animationName, width: ring.width,
               opacity: getComputedStyle(button).opacity});
  }).observe(button, {attributes: true, childList: true, subtree: true, characterData: true});
}"""

# Each row of the verdict (the function's name, its message) and whether the message lies inside
# the part of the dialog's body the window shows, with the body scrolled to the top.
ROWS_IN_VIEW_JS = """(body) => {
  const box = body.getBoundingClientRect();
  const top = box.top + body.clientTop, left = box.left + body.clientLeft;
  const view = {top, left, bottom: top + body.clientHeight, right: left + body.clientWidth};
  const dialog = body.closest('.jp-Dialog-content').getBoundingClientRect();
  const within = (r, v) => r.width > 0 && r.height > 0 && r.top >= v.top - 0.5 && r.left >= v.left - 0.5 &&
    r.bottom <= v.bottom + 0.5 && r.right <= v.right + 0.5;
  const blocks = [...body.querySelectorAll(':scope > .jp-RenderedText')];   // name, message, name, ...
  const rows = [];
  for (let i = 0; i + 1 < blocks.length; i += 2) {
    const message = blocks[i + 1].querySelector('pre');
    rows.push({name: blocks[i].innerText.trim(), message: message.innerText.trim(),
               inView: within(message.getBoundingClientRect(), view)});
  }
  const window_ = {top: 0, left: 0, bottom: innerHeight, right: innerWidth};
  return {rows, scrollTop: body.scrollTop, dialogInWindow: within(dialog, window_)};
}"""

FIGURE_PANEL_JS = """(img) => {
  const style = getComputedStyle(img);
  const page = getComputedStyle(img.closest('.jp-Notebook')).backgroundColor;
  return {background: style.backgroundColor, padding: style.paddingTop, radius: style.borderTopLeftRadius, page};
}"""


def brightness(css_colour):
    """The mean of a CSS ``rgb(...)`` colour's channels, 0 (black) to 255 (white)."""
    red, green, blue = (int(channel) for channel in re.findall(r"\d+", css_colour)[:3])
    return (red + green + blue) / 3


@pytest.mark.parametrize("lesson", LESSONS)
def test_validate_shows_progress_then_every_failing_function_without_scrolling(page, lab, lesson):
    left = block_network(page.context)
    page.set_viewport_size(WINDOWS[0])
    path = f"lessons/{lesson}/{lesson}.ipynb"
    ids = [grade_id for grade_id in grade_ids(lab.root / path) if grade_id]
    failing = [grade_id[len("test_"):] for grade_id in ids if grade_id.startswith("test_")]
    failing += [grade_id for grade_id in ids if grade_id.startswith("written_")]   # unanswered
    open_notebook(page, lab, path)
    page.evaluate(WATCH_VALIDATE_JS, VALIDATE_BUTTON)

    page.locator(VALIDATE_BUTTON).click()
    page.wait_for_function("(selector) => document.querySelector(selector).textContent.includes('Validating')",
                           arg=VALIDATE_BUTTON, polling="raf")
    page.locator(".jp-NotebookPanel:visible .jp-Toolbar").first.screenshot(
        path=SCREENSHOTS / f"{lesson}-validating.png")
    verdict, kind = validation_results(page)

    running = [seen for seen in page.evaluate("() => window.__validateProgress") if seen["label"] == "Validating..."]
    assert running, "the Validate button never read 'Validating...' while disabled"
    assert all(seen["animation"] == "course-validate-spin" and seen["width"] == "12px" and seen["opacity"] == "1"
               for seen in running), f"no spinning ring, at full opacity, while validating: {running}"
    ring = page.locator(VALIDATE_BUTTON).evaluate(
        "b => [b.hasAttribute('disabled'), getComputedStyle(b.querySelector('span'), '::before').content]")
    assert ring == [False, "none"], f"the ring outlives the run: {ring}"
    assert "validation-failed" in kind, verdict
    # The how-to of an untouched stub is said once, not once per function.
    assert verdict.count("replace `raise NotImplementedError()`") == 1, verdict
    body = page.locator(".jp-Dialog #validation-message")
    for window in WINDOWS:
        page.set_viewport_size(window)
        shown = body.evaluate(ROWS_IN_VIEW_JS)
        screenshot(page, f"{lesson}-validate-{window['width']}px")
        rows = {row["name"]: row for row in shown["rows"]}
        assert sorted(rows) == sorted(failing), f"the rows are not the failing functions: {shown['rows']}"
        out_of_view = [row for row in shown["rows"] if not row["inView"]]
        assert not out_of_view and shown["scrollTop"] == 0 and shown["dialogInWindow"], (
            f"at {window['width']} px, messages the student must scroll to: {out_of_view}")
        assert all("is not implemented yet" in rows[function]["message"] for function in failing
                   if not function.startswith("written_")), shown["rows"]
    assert not left, f"requests that would have left the machine: {left}"


def test_figures_sit_on_a_light_panel_in_the_dark_theme(page, lab):
    lesson = LESSONS[0]
    path = f"solutions/{lesson}/{lesson}.ipynb"
    notebook = open_notebook(page, lab, path)
    run_all_cells(page, path)
    figure = notebook.locator(".jp-OutputArea-output img").first   # a figure the notebook drew
    light = figure.evaluate(FIGURE_PANEL_JS)
    try:
        set_theme(page, "JupyterLab Dark")
        dark = figure.evaluate(FIGURE_PANEL_JS)
        figure.scroll_into_view_if_needed()
        figure.locator("xpath=ancestor::div[contains(@class, 'jp-Cell')][1]").screenshot(
            path=SCREENSHOTS / f"{lesson}-figure-dark.png")
    finally:
        set_theme(page, "JupyterLab Light")

    assert light["padding"] == "0px", f"the light theme shows figures as JupyterLab does: {light}"
    assert brightness(dark["page"]) < 80, f"the dark theme did not apply: {dark}"
    assert brightness(dark["background"]) == 255 and dark["padding"] == "8px" and dark["radius"] == "8px", (
        f"no light panel behind the figure in the dark theme: {dark}")


# --- the course's layout rules (etc/jupyterlab/labextensions/backprop-lab-layout) -------------------

LAYOUT_JS = """() => {
  const width = (id) => document.getElementById(id).getBoundingClientRect().width;
  const shell = window.jupyterapp.shell;
  return {leftCollapsed: shell.leftCollapsed, rightCollapsed: shell.rightCollapsed, window: innerWidth,
          left: width('jp-left-stack'), main: width('jp-main-dock-panel')};
}"""


def saved_layout(lab, workspace):
    """The layout JupyterLab saved in ``workspace`` on the server, or None before its first save."""
    return lab.api(f"/lab/api/workspaces/{workspace}")["data"].get("layout-restorer:data")


def wait_for_saved_layout(lab, workspace, done, timeout=30):
    """Wait until the layout saved in ``workspace`` satisfies ``done`` (JupyterLab saves it a moment
    after a change)."""
    deadline = time.monotonic() + timeout
    while (layout := saved_layout(lab, workspace)) is None or not done(layout):
        assert time.monotonic() < deadline, f"JupyterLab did not save the expected layout: {layout}"
        time.sleep(0.5)


def test_a_narrow_window_opens_with_the_sidebars_collapsed_and_a_wide_one_does_not_inherit_them(page, lab):
    lesson = LESSONS[0]
    path = f"lessons/{lesson}/{lesson}.ipynb"
    workspace = f"layout-{uuid.uuid4().hex}"
    wide, narrow = WINDOWS

    page.set_viewport_size(narrow)   # a phone, in a new workspace: stock JupyterLab opens the file browser
    open_notebook(page, lab, path, workspace)
    opened = page.evaluate(LAYOUT_JS)
    screenshot(page, "lab-400px")
    assert opened["leftCollapsed"] and opened["rightCollapsed"], opened
    assert opened["main"] >= 0.8 * opened["window"], f"the notebook is squeezed in a narrow window: {opened}"

    # The student opens the file browser on the phone: most of the screen, and saved so.
    page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
    wait_for_saved_layout(lab, workspace, lambda layout: not layout["left"]["collapsed"]
                          and layout["relativeSizes"][0] > 0.5)

    later = page.context.new_page()   # the same workspace, later, on a laptop
    page.close()
    later.set_viewport_size(wide)
    open_notebook(later, lab, path, workspace)
    restored = later.evaluate(LAYOUT_JS)
    screenshot(later, "lab-1280px-after-400px")
    assert restored["main"] >= 0.6 * restored["window"] and restored["left"] <= 0.3 * restored["window"], (
        f"the wide window inherited the narrow window's sidebar: {restored}")
