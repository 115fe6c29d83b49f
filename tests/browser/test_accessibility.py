"""axe-core on the main pages, in Japanese and in English: no serious or critical violation.

Add a page here when it lands (PUBLIC_PAGES for everyone, MEMBER_PAGES behind login,
ADMIN_PAGES for the secretariat, FORMS_SENT_EMPTY for a form's error state). The demo
data is loaded, so lists have rows and forms their choices; `{organization}`, `{event}`,
`{article}`, `{project}`, `{referral}`, `{application}`, `{asking_event}` (asks questions at registration) and
`{past_event}` (with survey answers) in a path stand for a real
slug or id of it. One test visits all pages of a kind in one browser and reports the
problems of every page together.
The markup does not depend on the database engine, so these run on SQLite only.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import demo_objects, seed_demo

pytestmark = pytest.mark.one_engine

LANGUAGES = ["ja", "en"]

PUBLIC_PAGES = [
    "/",
    "/members/signup",
    "/members/login",
    "/terms",
    "/privacy",
    "/about",
    "/contact",
    "/members/password/forgot",
    "/no-such-page",
    "/alliance/",
    "/alliance/?region=tohoku&theme=youth-retention",
    "/alliance/{organization}",
    "/events/",
    "/events/{event}",
    "/knowhow/",
    "/knowhow/?q=研修",
    "/knowhow/{article}",
    "/search?q=研修",
    "/consult",
    "/impact",
    "/alliance/projects/",
    "/alliance/projects/{project}",
]

MEMBER_PAGES = [
    "/members/me",
    "/members/me/edit",
    "/members/me/password",
    "/members/me/delete",
    "/members/me/notifications",
    "/members/me/sessions",
    "/alliance/apply",
    "/knowhow/new",
    "/events/{event}",
    "/events/{asking_event}",
    "/events/{asking_event}/signup",
    "/events/{past_event}",
    "/members/me/calendar",
    "/alliance/projects/{project}",
]

ADMIN_PAGES = [
    "/alliance/secretariat/",
    "/alliance/secretariat/applications/{application}",
    "/alliance/secretariat/organizations",
    "/alliance/secretariat/members",
    "/alliance/secretariat/audit",
    "/alliance/secretariat/contact",
    "/alliance/referrals/",
    "/alliance/referrals/new",
    "/alliance/referrals/{referral}",
    "/alliance/referrals/triage/",
    "/alliance/{organization}/edit",
    "/events/new",
    "/events/manage",
    "/events/{event}/attendees",
    "/events/{asking_event}/attendees",
    "/events/{asking_event}/questions/signup",
    "/events/{asking_event}/answers",
    "/events/{asking_event}/checkin",
    "/events/{past_event}/questions/survey",
    "/events/{past_event}/survey/results",
    "/events/{past_event}/followup",
    "/alliance/projects/new",
]

#: list pages: their items are h3 under the page's h1, so each list needs an h2 of its own
LIST_PAGES = [
    "/alliance/",
    "/events/",
    "/events/?when=past",
    "/knowhow/",
    "/knowhow/?q=研修",
    "/search?q=研修",
    "/alliance/projects/",
]

#: (who, form page): the form is sent empty and must show its errors accessibly
FORMS_SENT_EMPTY = [
    ("visitor", "/members/signup"),
    ("visitor", "/consult"),
    ("visitor", "/contact"),
    ("visitor", "/members/password/forgot"),
    ("member", "/alliance/apply"),
    ("member", "/knowhow/new"),
    ("admin", "/events/new"),
    ("member", "/events/{asking_event}/signup"),
    ("admin", "/alliance/referrals/new"),
    ("admin", "/alliance/projects/new"),
]


@pytest.fixture
def demo(live_server, tmp_path) -> dict:
    """Load the demo data (its passwords go to a temporary instance folder); real slugs and ids of it."""
    live_server.app.instance_path = str(tmp_path)
    seed_demo(live_server.app)
    return demo_objects(live_server.app)


def _url(path: str, language: str, demo: dict) -> str:
    path = path.format(**demo)
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


def _report(violations: list[dict]) -> str:
    return "\n".join(f"  [{v['impact']}] {v['id']}: {v['help']}\n      " + "\n      ".join(v["nodes"][:5])
                     for v in violations)


class Findings:
    """The problems of every page checked, reported together at the end (one run shows them all)."""

    def __init__(self, axe, language: str):
        self.axe, self.language, self.problems = axe, language, []

    def check(self, page: Page, label: str, expected_status: int | None = 200, response=None) -> None:
        if response is not None and expected_status is not None and response.status != expected_status:
            self.problems.append(f"{label}: answered {response.status}, expected {expected_status}")
            return
        lang = page.locator("html").get_attribute("lang")
        if lang != self.language:
            self.problems.append(f"{label}: <html lang={lang!r}>, expected {self.language!r}")
        violations = self.axe(page)
        if violations:
            self.problems.append(f"{label}:\n{_report(violations)}")

    def visit(self, page: Page, path: str, demo: dict) -> None:
        response = page.goto(_url(path, self.language, demo))
        self.check(page, path, 404 if path == "/no-such-page" else 200, response)

    def assert_none(self) -> None:
        assert self.problems == [], f"accessibility problems ({self.language}):\n" + "\n".join(self.problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_are_accessible(page, axe, demo, language):
    findings = Findings(axe, language)
    for path in PUBLIC_PAGES:
        findings.visit(page, path, demo)
    findings.assert_none()


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_pages_are_accessible(member_page, axe, demo, language):
    findings = Findings(axe, language)
    for path in MEMBER_PAGES:
        findings.visit(member_page, path, demo)
    findings.assert_none()


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_pages_are_accessible(admin_page, axe, demo, language):
    findings = Findings(axe, language)
    for path in ADMIN_PAGES:
        findings.visit(admin_page, path, demo)
    findings.assert_none()


@pytest.mark.parametrize("language", LANGUAGES)
def test_forms_with_errors_are_accessible(page, member_page, admin_page, axe, demo, language):
    findings = Findings(axe, language)
    pages = {"visitor": page, "member": member_page, "admin": admin_page}
    for who, path in FORMS_SENT_EMPTY:
        actor = pages[who]
        actor.goto(_url(path, language, demo))
        actor.locator("main form[method=post]").first.locator("button[type=submit]").last.click()
        expect(actor.get_by_role("alert").first).to_be_visible()
        findings.check(actor, f"{path} sent empty by a {who}", expected_status=None)
    findings.assert_none()


@pytest.mark.parametrize("language", LANGUAGES)
def test_list_pages_skip_no_heading_level(page, axe, demo, language):
    """axe rates "heading-order" moderate, so the page tests above let it pass: checked here on its own."""
    problems = []
    for path in LIST_PAGES:
        response = page.goto(_url(path, language, demo))
        if response.status != 200:
            problems.append(f"{path}: answered {response.status}")
            continue
        if page.locator("main h3").count() == 0:
            problems.append(f"{path}: no list items (h3) to check; the demo data should fill the list")
        violations = axe(page, rules=["heading-order"])
        if violations:
            problems.append(f"{path}:\n{_report(violations)}")
    assert problems == [], f"heading order ({language}):\n" + "\n".join(problems)


def test_axe_finds_a_known_violation(page, axe):
    """Guards the vendored axe-core: a page with an unlabelled button and image must fail."""
    page.set_content('<html lang="ja"><head><title>t</title></head><body><main>'
                     '<img src="data:,"><button></button></main></body></html>')
    found = {violation["id"] for violation in axe(page)}
    assert {"image-alt", "button-name"} <= found


def test_axe_checks_chosen_rules_whatever_their_impact(page, axe):
    """Guards `axe(page, rules=...)`: a skipped heading level (moderate) is found only when asked for."""
    page.set_content('<html lang="ja"><head><title>t</title></head><body><main>'
                     '<h1>一覧</h1><ul><li><h3>項目</h3></li></ul></main></body></html>')
    assert "heading-order" not in {violation["id"] for violation in axe(page)}
    assert [violation["id"] for violation in axe(page, rules=["heading-order"])] == ["heading-order"]
