"""The browser every browser test drives: Debian's Chromium through Playwright, headless.

A test module imports ``browser`` (the fixture) and the constants it needs from here.
"""

import os
from pathlib import Path

import pytest

from autograder.course import ROOT

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_CHROMIUM = "apt-get update && apt-get install -y chromium"
# Chromium on a closed network: no background connections, no sandbox (CI runs as root).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


# Per module: Playwright runs one sync session at a time, and each module that imports this
# fixture gets its own.
@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail(f"the browser tests need Debian's Chromium at {CHROMIUM}; install it: {INSTALL_CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright's Python package: pip install -e '.[test]' "
                    "(never `playwright install`: the tests drive Debian's Chromium)")
    home = tmp_path_factory.mktemp("chromium-home")   # Chromium's own files stay out of $HOME
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                                             env={**os.environ, "HOME": str(home)})
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
