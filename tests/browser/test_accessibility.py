"""axe-core on the main pages, in Japanese and in English: no serious or critical violation.

Add a page here when it lands (PUBLIC_PAGES for everyone, MEMBER_PAGES behind login).
The markup does not depend on the database engine, so these run on SQLite only.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.one_engine

LANGUAGES = ["ja", "en"]

PUBLIC_PAGES = [
    "/",
    "/members/signup",
    "/members/login",
    "/members/terms",
    "/no-such-page",
]

MEMBER_PAGES = [
    "/members/me",
    "/members/me/edit",
    "/members/me/password",
    "/members/me/delete",
]


def _with_lang(path: str, language: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_accessible(page, assert_accessible, path, language):
    page.goto(_with_lang(path, language))
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_pages_are_accessible(member_page, assert_accessible, language):
    for path in MEMBER_PAGES:
        member_page.goto(_with_lang(path, language))
        expect(member_page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(member_page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_signup_form_with_errors_is_accessible(page, assert_accessible, language):
    page.goto(_with_lang("/members/signup", language))
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)


def test_axe_finds_a_known_violation(page, axe):
    """Guards the vendored axe-core: a page with an unlabelled button and image must fail."""
    page.set_content('<html lang="ja"><head><title>t</title></head><body><main>'
                     '<img src="data:,"><button></button></main></body></html>')
    found = {violation["id"] for violation in axe(page)}
    assert {"image-alt", "button-name"} <= found
