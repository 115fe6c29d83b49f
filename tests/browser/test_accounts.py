"""Journeys of RAN membership: keyboard-only signup, confirmation and a registration, password recovery,
mail settings, my page, login and logout."""

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from playwright.sync_api import expect

from core.db import db
from core.mail import OutboxMessage
from events.models import Registration
from members.models import Member
from tests.browser.helpers import choose_by_keyboard, focus_has_visible_outline, focused, tab_to
from tests.events.conftest import create_event

NEW_PASSWORD = "maple-harbour-lights-27"

#: the order in which Tab must walk the signup form (DESIGN.md's field names)
SIGNUP_TAB_ORDER = ["email", "password", "password_confirm", "display_name", "prefecture",
                    "affiliation", "organization_name"]


def mail_link(live_server, to_address: str, kind: str, prefix: str) -> str:
    """The path of the link under `prefix` in the newest mail of `kind` to the address (the mail a person reads)."""
    with live_server.app.app_context():
        body = db.session.scalars(sa.select(OutboxMessage.body).where(
            OutboxMessage.to_address == to_address, OutboxMessage.kind == kind).order_by(OutboxMessage.id.desc())).first()
    assert body, f"no {kind} mail to {to_address}"
    return next(urlsplit(url).path for url in re.findall(r"https?://\S+", body) if urlsplit(url).path.startswith(prefix))


def test_keyboard_only_signup_then_confirm_then_register(page, live_server, screenshot):
    event = create_event(live_server.app, title="確認後に申し込むセミナー")
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

    page.wait_for_url("**/members/signup/sent")
    expect(page.get_by_role("heading", level=1)).to_have_text("確認メールを送信しました")
    screenshot(page, "check-your-mail")

    # The welcome mail's link, opened as from a mail program, confirms the address after one press.
    page.goto(mail_link(live_server, "keyboard.user@example.jp", "member.welcome", "/members/verify/"))
    page.get_by_role("button", name="確認する").click()
    page.wait_for_url("**/members/login")
    expect(page.get_by_role("status")).to_contain_text("確認が完了しました")

    form = page.locator("main form")
    form.locator("input[name=email]").fill("keyboard.user@example.jp")
    form.locator("input[name=password]").fill(NEW_PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.goto("/members/me")
    expect(page.get_by_role("heading", level=1, name="キーボード 太郎")).to_be_visible()
    profile = page.locator(".profile-data")
    expect(profile).to_contain_text("keyboard.user@example.jp")
    expect(profile).to_contain_text("宮城県")
    expect(profile).to_contain_text("キャリア教育")

    # A confirmed member registers for an event.
    page.goto(f"/events/{event.id}")
    page.locator("aside.event-side").get_by_role("button", name="申し込む").click()
    expect(page.get_by_role("status")).to_contain_text("参加が確定しています。")

    with live_server.app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == "keyboard.user@example.jp"))
        assert member.display_name == "キーボード 太郎" and member.is_confirmed
        assert member.prefecture == "04" and member.affiliation == "public-sector"
        assert list(member.themes) == ["career-education"]
        assert db.session.scalar(sa.select(Registration.status).where(Registration.member_id == member.id)) == \
            "confirmed"


def test_a_forgotten_password_is_reset_from_the_mail(page, live_server, make_member, screenshot):
    member = make_member(email="forgetful@example.jp", display_name="忘れ 太郎")
    page.goto("/members/login")
    page.get_by_role("link", name="パスワードをお忘れの方").click()
    page.wait_for_url("**/members/password/forgot")
    page.locator("main form input[name=email]").fill("ｆｏｒｇｅｔｆｕｌ＠example.jp")
    screenshot(page, "forgot")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("メールをご確認ください")

    page.goto(mail_link(live_server, member.email, "member.password_reset", "/members/password/reset/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("新しいパスワードの設定")
    screenshot(page, "reset")
    form = page.locator("main form")
    form.locator("input[name=password]").fill("lantern-orchard-river-63")
    form.locator("input[name=password_confirm]").fill("lantern-orchard-river-63")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/members/login")
    expect(page.get_by_role("status")).to_contain_text("新しいパスワードを設定しました")

    form = page.locator("main form")
    form.locator("input[name=email]").fill(member.email)
    form.locator("input[name=password]").fill("lantern-orchard-river-63")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("header").get_by_role("link", name="忘れ 太郎")).to_be_visible()


def test_mail_settings_and_sessions_pages(member_page, screenshot):
    member_page.goto("/members/me/notifications")
    member_page.get_by_label("週刊ダイジェスト").check()
    member_page.get_by_role("button", name="保存").click()
    expect(member_page.get_by_role("status")).to_contain_text("メールの受信設定を保存しました")
    expect(member_page.get_by_label("週刊ダイジェスト")).to_be_checked()
    screenshot(member_page, "notifications")
    member_page.goto("/members/me/sessions")
    expect(member_page.get_by_text("このブラウザー", exact=True)).to_be_visible()


def test_the_self_introduction_is_previewed_as_it_will_be_shown(member_page, screenshot):
    """The preview script runs under the CSP, posts with the form's CSRF token and shows the sanitised HTML."""
    member_page.goto("/members/me/edit")
    member_page.get_by_label("自己紹介").fill("## 得意なこと\n\n- 採用広報\n- **若手の定着**\n\n<img src=x onerror=alert(1)>")
    member_page.get_by_role("button", name="プレビュー").click()
    preview = member_page.locator("#bio-preview")
    expect(preview.get_by_role("heading", name="得意なこと")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("若手の定着")
    expect(preview.locator("img")).to_have_count(0)
    expect(member_page.get_by_role("button", name="プレビューを更新")).to_be_visible()
    screenshot(member_page, "markdown-preview")


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
