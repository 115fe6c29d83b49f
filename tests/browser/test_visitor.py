"""Journeys of a visitor without an account."""

import pytest
from playwright.sync_api import expect


def test_visitor_reads_the_home_page_and_switches_to_english(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=2, name="地域人事部とは")).to_be_visible()

    page.get_by_role("navigation", name="言語").get_by_role("link", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="What is a regional HR department?")).to_be_visible()
    # The choice is remembered: the next page is English without ?lang=.
    page.get_by_role("link", name="Log in").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()


def test_visitor_switches_back_to_japanese(page):
    page.goto("/?lang=en")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", name="地域人事部とは")).to_be_visible()


def test_unknown_page_shows_the_japanese_error_page(page):
    response = page.goto("/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", name="ページが見つかりません")).to_be_visible()


@pytest.mark.one_engine
def test_a_csp_violation_is_caught_by_the_page_fixture(page):
    """Guards the suite itself: inline script on our pages is reported, so journeys would fail."""
    page.goto("/")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.inlineRan = true";
        document.body.appendChild(script);
    }""")
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.inlineRan === undefined")
    assert any("CSP violation" in message for message in page.problems.messages)
    page.problems.messages.clear()
