"""Browser journeys: Playwright driving Debian's Chromium against a live server.

One browser for the whole session (Debian's `/usr/bin/chromium`, installed by
`make test`; Playwright never downloads one). Each test gets a live server of
its own — the app with CSRF protection ON, on 127.0.0.1 and a free port, in a
thread, on the per-engine test database — and fresh browser contexts, so
cookies never leak from one journey to the next. The tables are emptied after
each test by `make_app`, as everywhere else.

A journey is one small test function:

    def test_member_signs_up_for_an_event(page, login, make_member, live_server):
        member = make_member()
        login(page, member)
        page.goto("/events/1")
        ...

Fixtures:
- `live_server`   `.url`, `.app` of the running server
- `page`          a visitor's page (base URL set, so `page.goto("/")` works)
- `new_page`      `new_page(member=None)`: another actor in a context of their own, logged in when given a member
- `login`         `login(page, member, password=PASSWORD)` through the real login form
- `member_page`, `admin_page`   a page already logged in as a fresh RAN member / secretariat account
- `screenshot`    `screenshot(page, "step")`: an intermediate picture (the final page of every
                  page is saved anyway when the test ends)
- `axe`           `axe(page)`: the serious and critical axe-core violations of the current page;
                  `axe(page, rules=["heading-order"])` runs only those rules and returns their
                  violations whatever their impact
- `assert_accessible`  `assert_accessible(page)` fails with a readable list of those violations

Mark a test `@pytest.mark.one_engine` when what it checks cannot depend on the
database (markup, accessibility): it then runs on SQLite only.

Every page also fails the test on a JavaScript error or a Content-Security-Policy
violation (collected in `page.problems`). Screenshots go to test-artifacts/browser/<engine>/ (git-ignored).
"""

import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from tests.conftest import PASSWORD, ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
#: how long a step may wait for the page (generous for a loaded 2-core CI machine)
STEP_TIMEOUT_MS = 15_000
VIEWPORT = {"width": 1280, "height": 900}
BLOCKING_IMPACTS = ("serious", "critical")


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture(scope="session")
def browser() -> Browser:
    """One headless Debian Chromium for the whole run."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(make_app):
    """The app served on 127.0.0.1 (free port) with CSRF on and rate limits off."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    application = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, application, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    application.config["SITE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url=url, app=application)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def _artifact_name(node_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", node_name).strip("-")


class PageProblems:
    """JavaScript errors and CSP violations seen on a page."""

    def __init__(self, page: Page):
        self.messages: list[str] = []
        page.on("pageerror", lambda error: self.messages.append(f"JavaScript error: {error}"))
        page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.messages.append(f"CSP violation: {message.text}")


@pytest.fixture
def new_page(browser, live_server, request, engine_name, login):
    """`new_page(member=None)`: a page in a context of its own (own cookies), logged in when given a member."""
    contexts = []
    pages: list[tuple[Page, PageProblems]] = []

    def open_page(member=None, password: str = PASSWORD, *, locale: str = "ja-JP") -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale=locale, timezone_id="Asia/Tokyo", viewport=VIEWPORT,
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.problems = PageProblems(page)
        pages.append((page, page.problems))
        if member is not None:
            login(page, member, password)
        return page

    yield open_page

    folder = ARTIFACTS / engine_name
    folder.mkdir(parents=True, exist_ok=True)
    base = _artifact_name(request.node.name)
    problems = []
    for number, (page, page_problems) in enumerate(pages, start=1):
        suffix = "" if len(pages) == 1 else f"-{number}"
        if not page.is_closed():
            page.screenshot(path=str(folder / f"{base}{suffix}.png"), full_page=True)
        problems += page_problems.messages
    for context in contexts:
        context.close()
    assert problems == [], "the pages reported problems:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page) -> Page:
    """A visitor's page (not logged in)."""
    return new_page()


@pytest.fixture
def login():
    """`login(page, member, password)`: log in through the login form, as a person would."""

    def log_in(page: Page, member, password: str = PASSWORD) -> None:
        page.goto("/members/login")
        form = page.locator("main form")
        form.locator("input[name=email]").fill(member.email)
        form.locator("input[name=password]").fill(password)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "/members/login" not in page.url, f"login as {member.email} failed"

    return log_in


@pytest.fixture
def member_page(new_page, make_member) -> Page:
    """A page logged in as a fresh RAN member (the member is `member_page.member`)."""
    member = make_member()
    opened = new_page(member)
    opened.member = member
    return opened


@pytest.fixture
def admin_page(new_page, make_admin) -> Page:
    """A page logged in as a secretariat (admin) account (the account is `admin_page.member`)."""
    admin = make_admin()
    opened = new_page(admin)
    opened.member = admin
    return opened


@pytest.fixture
def screenshot(request, engine_name):
    """`screenshot(page, "step")`: save an intermediate picture beside the final one."""
    folder = ARTIFACTS / engine_name
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Page, step: str) -> Path:
        path = folder / f"{_artifact_name(request.node.name)}-{_artifact_name(step)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source):
    """`axe(page)`: the axe-core violations of impact serious or critical on the current page.

    `axe(page, rules=[...])` runs only the given rule ids and returns every violation of
    them, whatever its impact (e.g. "heading-order", which axe rates moderate).
    axe is evaluated through the DevTools protocol, which the page's CSP does not
    govern, so the page is checked under its real policy.
    """

    def run(page: Page, impacts=BLOCKING_IMPACTS, rules=None) -> list[dict]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source)
        options = {"resultTypes": ["violations"]}
        if rules:
            options["runOnly"] = {"type": "rule", "values": list(rules)}
        violations = page.evaluate(
            """async (options) => {
                const result = await axe.run(document, options);
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(" ") + " — " + n.failureSummary),
                }));
            }""",
            options,
        )
        if rules:
            return violations
        return [violation for violation in violations if violation["impact"] in impacts]

    return run


@pytest.fixture
def assert_accessible(axe):
    """`assert_accessible(page)`: no axe-core violation of impact serious or critical."""

    def check(page: Page) -> None:
        violations = axe(page)
        report = "\n".join(
            f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:5]) for v in violations
        )
        assert violations == [], f"accessibility violations on {page.url}:\n{report}"

    return check
