"""Pictures in real Chromium on a phone: staff upload a logo and a cover, preview and publish an article with a
header image; a visitor finds the article from the header search and sees its picture."""

import io

import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from core.db import db
from knowhow.models import Article
from tests.browser.helpers import fill_form
from tests.events.conftest import create_event

PHONE = {"width": 390, "height": 844}
TITLE = "写真で振り返る合同入社式"


def _png(size, colour) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return {"name": "picture.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def test_staff_upload_pictures_from_a_phone_and_a_visitor_finds_the_article(new_page, live_server, make_member,
                                                                            make_organization, screenshot,
                                                                            assert_accessible, tmp_path):
    live_server.app.config["UPLOADS_DIR"] = str(tmp_path / "uploads")
    writer = make_member(display_name="広報 花子")
    organization = make_organization(slug="oga-jinji", name="男鹿地域人事部", prefecture="05", staff=[writer])
    event = create_event(live_server.app, organization=organization, title="男鹿の合同入社式")

    staff = new_page(writer)
    staff.set_viewport_size(PHONE)

    # the organisation's logo
    staff.goto(f"/alliance/{organization.slug}/edit")
    staff.locator("input[type=file][name=picture]").set_input_files(_png((600, 600), "#0f766e"))
    staff.get_by_label("ロゴの説明").fill("男鹿地域人事部のロゴ")
    staff.get_by_role("button", name="保存する").click()
    expect(staff.locator(".org-title .org-logo img")).to_have_attribute("alt", "男鹿地域人事部のロゴ")

    # an event's cover
    staff.goto(f"/events/{event.id}/edit")
    staff.locator("input[type=file][name=picture]").set_input_files(_png((1600, 900), "#1d4ed8"))
    staff.get_by_label("カバー画像の説明").fill("会場の海辺")
    staff.get_by_role("button", name="保存する").click()
    expect(staff.locator("figure.cover img")).to_have_attribute("alt", "会場の海辺")
    assert staff.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(staff, "event-with-cover-phone")

    # an article with a header image, previewed before it is published
    staff.goto("/knowhow/new")
    form = staff.locator("main form")
    fill_form(form, {"title": TITLE, "kind": "report", "visibility": "public", "status": "published",
                     "themes": ["youth-retention"], "summary": "合同入社式の一日を写真とともにまとめました。",
                     "body": "**三社合同**で入社式を開きました。"})
    staff.locator("input[type=file][name=picture]").set_input_files(_png((1200, 675), "#b45309"))
    staff.get_by_label("見出し画像の説明").fill("入社式の集合写真")
    form.locator("button[aria-controls=body-preview]").click()
    expect(form.locator("#body-preview strong")).to_have_text("三社合同")
    assert_accessible(staff)
    form.get_by_role("button", name="保存する").click()
    expect(staff.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(staff.locator("figure.cover img")).to_have_attribute("alt", "入社式の集合写真")

    # a visitor finds it from the header's search box and sees the picture in the result and on the page
    visitor = new_page()
    visitor.goto("/")
    search = visitor.get_by_role("banner").get_by_role("search")
    search.get_by_role("searchbox", name="サイト内を検索").fill("合同入社式")
    search.get_by_role("button", name="検索").click()
    visitor.get_by_role("link", name=TITLE).click()
    image = visitor.locator("figure.cover img")
    expect(image).to_have_attribute("alt", "入社式の集合写真")
    assert visitor.evaluate("img => img.complete && img.naturalWidth > 0", image.element_handle())
    visitor.goto("/alliance/")
    expect(visitor.locator(".org-card .org-logo img")).to_have_attribute("alt", "男鹿地域人事部のロゴ")
    screenshot(visitor, "directory-with-logo")

    with live_server.app.app_context():
        article = db.session.scalar(sa.select(Article).where(Article.title == TITLE))
        assert article.header is not None and article.header.widths == [320, 640, 1200]
