"""What a student and an instructor read after grading, in Chromium, with the network blocked.

A feedback page and the class report, from the corpus graded once per test session
(``graded_corpus``), are opened from disk at 1280 px and at 400 px. Every request but the
page's own file and its ``data:`` images is blocked and counted. Each must show its math
rendered (no TeX left in what the reader sees), every image loaded, nothing wider than
the window, and no request leaving the machine. Screenshots go to
test-artifacts/screenshots/.
"""

import pytest
from chromium import SCREENSHOTS, browser  # noqa: F401 (browser: a fixture)

from autograder import report

pytestmark = pytest.mark.slow

LESSON = "01_computation_graphs"  # its markdown holds the course's figures
WIDTHS = (1280, 400)


def pages(out):
    """The pages to read: a feedback page with failures, and the class report."""
    failing = sorted((out / "feedback").glob(f"wrong__*/{LESSON}/{LESSON}.html"))
    assert failing, "the graded corpus has no wrong submission of the lesson"
    return {"feedback": failing[0], "report": report.write_report(out)}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["feedback", "report"])
def test_page_reads_offline_at_every_width(browser, graded_corpus, name, width):  # noqa: F811
    _, out = graded_corpus
    path = pages(out)[name]
    context = browser.new_context(viewport={"width": width, "height": 900})
    left = []

    def only_local(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    try:
        page = context.new_page()
        page.goto(path.as_uri(), wait_until="load")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}px.png", full_page=True)
        text = page.inner_text("body")
        images = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete && i.naturalWidth > 0, i.alt])")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        maths = page.eval_on_selector_all("math", "m => m.length")
    finally:
        context.close()
    assert not left, f"requests that would have left the machine: {left}"
    assert "$$" not in text and "\\frac" not in text, "TeX left unrendered"
    assert images and all(loaded for loaded, _ in images), [alt for loaded, alt in images if not loaded]
    assert overflow <= 1, f"the page is {overflow} px wider than a {width} px window"
    if name == "feedback":
        assert maths > 0 and "what the hidden tests found" in text
