"""Browser journeys: Debian's Chromium driven by Playwright against a live server.

Playwright's sync API runs an event loop in the test thread, which Django would
otherwise take for async code; the live server runs in its own thread.
"""

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Flags for a closed network: no background connections, no sandbox as root.
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
# Records every Content-Security-Policy violation the page raises.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def pytest_collection_modifyitems(config, items):
    browser_dir = str(Path(__file__).parent)
    for item in items:
        if str(item.fspath).startswith(browser_dir):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                if os.environ.get("ATTUNED_REQUIRE_BROWSER"):
                    item.add_marker(pytest.mark.xfail(reason=f"no Chromium at {CHROMIUM}", strict=True,
                                                      run=False))
                else:
                    item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Journey:
    """A page plus what a journey needs: the live server's address, screenshots and CSP checks."""

    def __init__(self, page, base_url: str, name: str):
        self.page = page
        self.base_url = base_url
        self.name = name
        self.console_errors: list[str] = []
        self.steps = 0
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def screenshot(self, label: str) -> Path:
        self.steps += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.name}-{self.steps:02d}-{label}".lower()).strip("-")
        path = SCREENSHOTS / f"{slug}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def csp_violations(self) -> list[str]:
        violations = self.page.evaluate("window.__cspViolations || []")
        return violations + [text for text in self.console_errors if "Content Security Policy" in text]


@pytest.fixture
def journey(browser, live_server, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Journey(page, live_server.url, request.node.name)
    context.close()
