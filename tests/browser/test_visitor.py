"""Journeys of a visitor without an account."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from alliance.models import Organization, OrganizationTheme
from core.db import db
from knowhow import services as knowhow


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


def publish(app, author, organization, *, title, visibility="public"):
    with app.app_context():
        knowhow.create_article(author, knowhow.ArticleData(
            title=title, kind="case-study", visibility=visibility, status="published",
            themes=["foreign-workers"], summary="生活相談会で、外国人社員の暮らしの困りごとを拾いました。",
            body="## はじめに\n\n月に一度、仕事の後に集まれる場をつくりました。", prefecture="04",
            organization_id=organization.id,
        ))
        db.session.commit()


def test_visitor_reads_the_directory_and_an_article(page, make_member, make_organization, live_server, screenshot):
    writer = make_member()
    sanriku = make_organization(slug="sanriku-global", name="三陸グローバル人材センター", prefecture="04",
                                staff=[writer], themes={"foreign-workers": "expert", "youth-retention": "strong"})
    make_organization(slug="tokai-help", name="東海外国人材サポート", prefecture="23",
                      themes={"foreign-workers": "experienced"})
    make_organization(slug="kyushu-career", name="九州キャリア教育ネット", prefecture="40",
                      themes={"career-education": "expert"})
    publish(live_server.app, writer, sanriku, title="技能実習生と地域をつなぐ生活相談会")
    publish(live_server.app, writer, sanriku, title="会員向け: 受け入れ企業の連絡網", visibility="members")

    # From the home page to the directory, and narrowed to one theme.
    page.goto("/")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="加盟団体").click()
    expect(page.get_by_role("heading", level=1, name="加盟団体")).to_be_visible()
    expect(page.locator(".result-count")).to_have_text("3団体")
    filters = page.get_by_role("search", name="加盟団体を絞り込む")
    filters.get_by_label("テーマ").select_option("foreign-workers")
    filters.get_by_role("button", name="検索").click()
    expect(page.locator(".result-count")).to_have_text("2団体 — テーマの専門性が高い順")
    expect(page.get_by_role("list", name="適用中の条件")).to_contain_text("外国人材")
    cards = page.locator(".org-list > li")
    expect(cards.get_by_role("heading", level=3)).to_have_text(["三陸グローバル人材センター", "東海外国人材サポート"])
    screenshot(page, "directory-filtered")

    # The strongest member's page, with its public knowhow only.
    cards.first.get_by_role("link", name="三陸グローバル人材センター").click()
    expect(page.get_by_role("heading", level=1, name="三陸グローバル人材センター")).to_be_visible()
    expect(page.locator(".theme-table")).to_contain_text("外国人材")
    org_knowhow = page.locator("section", has=page.get_by_role("heading", level=2, name="ノウハウ"))
    expect(org_knowhow.get_by_role("link")).to_have_text(["技能実習生と地域をつなぐ生活相談会"])

    # Knowhow from the main menu: the public article, not the members-only one.
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="ノウハウ").click()
    articles = page.locator("main li.article-item")
    expect(articles).to_have_count(1)
    articles.get_by_role("link", name="技能実習生と地域をつなぐ生活相談会").click()
    expect(page.get_by_role("heading", level=1, name="技能実習生と地域をつなぐ生活相談会")).to_be_visible()
    expect(page.locator("article .prose").get_by_role("heading", name="はじめに")).to_be_visible()
    byline = page.locator("article").get_by_role("link", name="三陸グローバル人材センター")
    expect(byline).to_have_attribute("href", "/alliance/sanriku-global")

    with live_server.app.app_context():
        listed = db.session.scalar(
            sa.select(sa.func.count(Organization.id))
            .join(OrganizationTheme, OrganizationTheme.organization_id == Organization.id)
            .where(OrganizationTheme.theme == "foreign-workers", Organization.status == "active")
        )
        assert listed == 2
