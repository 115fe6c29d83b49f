"""Journeys of RAN membership: keyboard-only signup, my page, login and logout."""

import sqlalchemy as sa
from playwright.sync_api import expect

from core.db import db
from members.models import Member
from tests.browser.helpers import choose_by_keyboard, focus_has_visible_outline, focused, tab_to

NEW_PASSWORD = "maple-harbour-lights-27"

#: the order in which Tab must walk the signup form (DESIGN.md's field names)
SIGNUP_TAB_ORDER = ["email", "password", "password_confirm", "display_name", "prefecture",
                    "affiliation", "organization_name"]


def test_keyboard_only_signup_leads_to_my_page(page, live_server):
    page.goto("/")
    # From the header to the signup page, by keyboard.
    tab_to(page, "header a[href='/members/signup']")
    assert focus_has_visible_outline(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/members/signup")

    tab_to(page, "input[name=email]")
    order = []
    while focused(page)["name"] != "themes":
        order.append(focused(page)["name"])
        assert focus_has_visible_outline(page), f"no visible focus on {order[-1]}"
        page.keyboard.press("Tab")
    assert order == SIGNUP_TAB_ORDER

    tab_to(page, "input[name=email]")
    page.keyboard.type("keyboard.user@example.jp")
    page.keyboard.press("Tab")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.insert_text("キーボード 太郎")
    page.keyboard.press("Tab")
    choose_by_keyboard(page, "04")
    page.keyboard.press("Tab")
    choose_by_keyboard(page, "public-sector")
    tab_to(page, "input[name=themes][value=career-education]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=agree_terms]")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.wait_for_url("**/members/me")
    expect(page.get_by_role("heading", level=1, name="キーボード 太郎")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("会員登録が完了しました")
    profile = page.locator(".profile-data")
    expect(profile).to_contain_text("keyboard.user@example.jp")
    expect(profile).to_contain_text("宮城県")
    expect(profile).to_contain_text("キャリア教育")

    with live_server.app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == "keyboard.user@example.jp"))
        assert member.display_name == "キーボード 太郎"
        assert member.prefecture == "04" and member.affiliation == "public-sector"
        assert list(member.themes) == ["career-education"]


def test_signup_mistakes_are_shown_by_field_and_keep_what_was_typed(page):
    page.goto("/members/signup")
    form = page.locator("main form")
    form.locator("input[name=email]").fill("not-an-address")
    form.locator("input[name=display_name]").fill("入力 保持")
    form.locator("button[type=submit]").click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(form.locator("input[name=display_name]")).to_have_value("入力 保持")
    email = form.locator("input[name=email]")
    expect(email).to_have_value("not-an-address")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email-error")).to_be_visible()


def test_member_logs_in_sees_my_page_and_logs_out(page, login, make_member):
    member = make_member(display_name="ログイン 花子")
    login(page, member)
    header = page.locator("header")
    expect(header.get_by_role("link", name="ログイン 花子")).to_be_visible()

    header.get_by_role("link", name="ログイン 花子").click()
    page.wait_for_url("**/members/me")
    expect(page.get_by_role("heading", level=1, name="ログイン 花子")).to_be_visible()

    header.get_by_role("button", name="ログアウト").click()
    expect(header.get_by_role("link", name="ログイン", exact=True)).to_be_visible()
    page.goto("/members/me")
    assert "/members/login" in page.url


def test_wrong_password_is_refused_with_one_message(page, make_member):
    member = make_member()
    page.goto("/members/login")
    form = page.locator("main form")
    form.locator("input[name=email]").fill(member.email)
    form.locator("input[name=password]").fill("not-the-password-at-all")
    form.locator("button[type=submit]").click()
    expect(page.get_by_text("メールアドレスまたはパスワードが正しくありません")).to_be_visible()
    assert "/members/login" in page.url
