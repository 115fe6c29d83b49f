"""Journeys of knowhow: an alliance member writes an article, a visitor finds it by a two-character word."""

from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from core.db import db
from knowhow import services
from knowhow.models import Article
from tests.browser.helpers import fill_form

TITLE = "港町の若手を地域で育てる一年間の記録"
#: the two-character word only this article's body contains
WORD = "漁協"
BODY = f"""## {WORD}と組んだ理由

地元の**{WORD}**と水産加工会社が一緒に、新人の合同研修を始めました。

- 春: 合同入社式
- 秋: 現場の相互見学
"""


def write_article(page: Page, values: dict) -> None:
    """From the knowhow list, "記事を書く", fill the form and save."""
    page.goto("/knowhow/")
    page.get_by_role("link", name="記事を書く").click()
    expect(page.get_by_role("heading", level=1, name="記事を書く")).to_be_visible()
    form = page.locator("main form")
    fill_form(form, values)
    form.get_by_role("button", name="保存する").click()


def another_public_article(app, author) -> None:
    """An article that must not match: fisheries, but not the word."""
    with app.app_context():
        services.create_article(author, services.ArticleData(
            title="漁業の担い手づくり", kind="report", visibility="public", status="published",
            themes=["youth-retention"], summary="漁業と水産業の担い手を育てる取り組みの報告です。",
            body="漁業の現場で、若手の定着に取り組んでいます。",
        ))
        db.session.commit()


def test_staff_writes_an_article_and_a_visitor_finds_it_by_a_two_character_word(
    new_page, make_member, make_organization, live_server, screenshot
):
    writer = make_member(display_name="執筆 陽子")
    organization = make_organization(slug="kesennuma-jinji", name="気仙沼地域人事部", prefecture="04",
                                      staff=[writer])
    another_public_article(live_server.app, writer)

    staff = new_page(writer)
    write_article(staff, {
        "title": TITLE, "kind": "case-study", "visibility": "public", "status": "published",
        "organization": organization.slug, "themes": ["youth-retention", "industry-academia"],
        "prefecture": "04", "summary": "港町の企業が合同で新人を育てた一年間をまとめました。", "body": BODY,
    })

    # The article page: published, Markdown rendered.
    expect(staff.get_by_role("status")).to_have_text("記事を公開しました。")
    expect(staff.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    prose = staff.locator("article .prose")
    expect(prose.get_by_role("heading", name=f"{WORD}と組んだ理由")).to_be_visible()
    expect(prose.locator("strong")).to_have_text(WORD)
    expect(prose.get_by_role("listitem")).to_have_count(2)
    expect(staff.locator("article")).to_contain_text("気仙沼地域人事部")
    screenshot(staff, "published")

    # A visitor types the word into the knowhow search box.
    visitor = new_page()
    visitor.goto("/")
    visitor.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="ノウハウ").click()
    search_box = visitor.get_by_role("searchbox", name="キーワード")
    search_box.fill(WORD)
    search_box.press("Enter")
    expect(visitor.get_by_role("status")).to_have_text("1件の記事が見つかりました。")
    results = visitor.locator("main li.article-item")
    expect(results).to_have_count(1)
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    expect(results.locator(".snippet mark").first).to_have_text(WORD)
    screenshot(visitor, "knowhow-search")

    # The site-wide search finds it too, highlighted: from the box in the header of any page.
    site_search = visitor.get_by_role("banner").get_by_role("search")
    site_search.get_by_role("searchbox", name="サイト内を検索").fill(WORD)
    site_search.get_by_role("button", name="検索").click()
    hits = visitor.locator(".search-results > li")
    expect(hits).to_have_count(1)
    expect(hits.locator(".snippet mark").first).to_have_text(WORD)
    assert parse_qs(urlsplit(visitor.url).query)["q"] == [WORD]
    hits.get_by_role("link", name=TITLE).click()
    expect(visitor.get_by_role("heading", level=1, name=TITLE)).to_be_visible()

    with live_server.app.app_context():
        article = db.session.scalar(sa.select(Article).where(Article.title == TITLE))
        assert (article.kind, article.visibility, article.status) == ("case-study", "public", "published")
        assert article.author_id == writer.id and article.organization_id == organization.id
        assert sorted(article.themes) == ["industry-academia", "youth-retention"]
        assert article.prefecture == "04" and article.published_at is not None
        assert article.body.strip() == BODY.strip()
        assert visitor.url.endswith(f"/knowhow/{article.slug}")


MALICIOUS_BODY = """本文の前半です。

<script>alert("script tag")</script>

<img src="x" onerror="alert('onerror attribute')">

[押してください](javascript:alert('javascript link'))

<a href="javascript:alert('raw link')" onclick="alert('onclick')">生のリンク</a>
"""


def test_malicious_markdown_is_shown_as_harmless_text(member_page, new_page, live_server):
    dialogs = []
    member_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    write_article(member_page, {
        "title": "危ない本文のテスト", "kind": "column", "visibility": "public", "status": "published",
        "themes": ["dialogue"], "summary": "本文に HTML を書いてみました。", "body": MALICIOUS_BODY,
    })
    expect(member_page.get_by_role("status")).to_have_text("記事を公開しました。")

    visitor = new_page()
    visitor.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    visitor.goto(member_page.url)
    for page in (member_page, visitor):
        prose = page.locator("article .prose")
        # The HTML is shown as text, the javascript: link is not a link at all.
        expect(prose).to_contain_text('<script>alert("script tag")</script>')
        expect(prose).to_contain_text("<img src=\"x\" onerror=\"alert('onerror attribute')\">")
        expect(prose).to_contain_text("[押してください](javascript:alert('javascript link'))")
        assert prose.locator("script, img, [onerror], [onclick]").count() == 0
        assert prose.locator("a").count() == 0
        prose.get_by_text("押してください").click()
        prose.get_by_text("生のリンク").click()
    visitor.wait_for_timeout(200)
    assert dialogs == []

    with live_server.app.app_context():
        article = db.session.scalar(sa.select(Article).where(Article.title == "危ない本文のテスト"))
        assert article.body.strip() == MALICIOUS_BODY.strip()  # kept as written, neutralised when shown
