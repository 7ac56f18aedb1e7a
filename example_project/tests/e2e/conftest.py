"""Browser end-to-end tests: Playwright for Python driving Debian's Chromium.

Run them with ``pytest example_project/tests/e2e --ds=example_project.settings -m e2e``
(needs ``pip install -e ".[test,e2e]"`` and ``apt-get install chromium``). Without
``-m e2e`` they are deselected, so the example project's usual run needs neither.
Browsers are never downloaded: ``playwright install`` is not used, Chromium is
launched from E2E_CHROMIUM (default /usr/bin/chromium).

Each test writes screenshots to docs/screenshots/ (the README shows some).
"""

import os
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
# A desktop browser's User-Agent: headless Chromium's own says "HeadlessChrome".
BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)
BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
# Nothing the browser does should reach outside the machine.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    """Deselect the browser tests unless the run asked for them with ``-m e2e``."""
    if "e2e" in (config.option.markexpr or ""):
        return
    kept, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("e2e") else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"No Chromium at {CHROMIUM}: apt-get install chromium (or set E2E_CHROMIUM).")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's sync API keeps an asyncio loop running in this thread,
        # and Django refuses ORM calls from a thread with a running loop. The
        # live server answers the browser from its own thread; here, the
        # database is only set up, flushed and read between browser steps.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def shop(live_server):
    """The live demo with its seed data (products, the 'demo' account)."""
    from django.core.management import call_command

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return live_server


@pytest.fixture
def new_page(browser, shop):
    """Opens pages in fresh browser contexts (no cookies).

    Afterwards, checks that no request left the machine and that no page had
    a script error or a failed request (bar the admin's missing favicon).
    """
    contexts, outside, errors = [], [], []

    def open_page(user_agent=BROWSER_UA, storage_state=None):
        context = browser.new_context(
            base_url=shop.url,
            user_agent=user_agent,
            storage_state=storage_state,
            viewport={"width": 1100, "height": 760},
        )
        contexts.append(context)
        page = context.new_page()
        page.on(
            "request",
            lambda request: (
                None if request.url.startswith(shop.url) else outside.append(request.url)
            ),
        )
        page.on(
            "response",
            lambda response: (
                errors.append(f"{response.status} {response.url}")
                if response.status >= 400 and not response.url.endswith("/favicon.ico")
                else None
            ),
        )
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert outside == [], "pages must render offline"
    assert errors == []


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True, animations="disabled")

    return take


@pytest.fixture
def expect():
    """Playwright's auto-waiting assertions (imported here: the module must
    import without Playwright when these tests are deselected)."""
    from playwright.sync_api import expect

    return expect
