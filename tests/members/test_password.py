"""Password change: policy, current password, and every other session dies."""

import pytest
import sqlalchemy as sa

from core.audit import AuditEntry
from core.db import db
from members.models import LoginSession
from tests.conftest import PASSWORD
from tests.members.conftest import NEW_PASSWORD, field_errors


def change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post("/members/me/password", data={
        "current_password": current, "password": new, "password_confirm": new if confirm is None else confirm,
    })


def test_password_change_then_only_the_new_password_works(app, client, auth, make_member, outbox):
    member = make_member()
    auth.login(member)
    response = change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/members/me"
    assert "パスワードを変更しました" in client.get("/members/me").get_data(as_text=True)
    fresh = app.test_client()
    assert fresh.post("/members/login", data={"email": member.email, "password": PASSWORD}).status_code == 200
    assert fresh.post("/members/login", data={"email": member.email, "password": NEW_PASSWORD}).status_code == 302
    assert len(outbox(member.email, kind="member.password_changed")) == 1


def test_password_change_rotates_the_session_and_kills_copied_cookies(app, client, auth, make_member, count_rows):
    member = make_member()
    auth.login(member)
    old_cookie = client.get_cookie("ranhub_session").value
    other_browser = app.test_client()
    other_browser.post("/members/login", data={"email": member.email, "password": PASSWORD})
    assert count_rows(LoginSession) == 2

    change(client)

    new_cookie = client.get_cookie("ranhub_session").value
    assert new_cookie != old_cookie
    assert client.get("/members/me").status_code == 200
    thief = app.test_client()
    thief.set_cookie("ranhub_session", old_cookie)
    assert thief.get("/members/me").status_code == 302
    assert other_browser.get("/members/me").status_code == 302
    assert count_rows(LoginSession) == 1


@pytest.mark.parametrize("current, new, confirm, message", [
    ("wrong-password-9", NEW_PASSWORD, None, "現在のパスワードが正しくありません。"),
    ("", NEW_PASSWORD, None, "現在のパスワードを入力してください。"),
    (PASSWORD, "tiny-pw", None, "10文字以上で入力してください。"),
    (PASSWORD, "qwertyuiop123", None, "このパスワードはよく使われていて推測されやすいため、使えません。別のパスワードを選んでください。"),
    (PASSWORD, "Member-X-secure-99", None, "パスワードにメールアドレスを含めないでください。"),
    (PASSWORD, NEW_PASSWORD, "something-else-123", "2つのパスワードが一致しません。"),
    (PASSWORD, PASSWORD, None, "新しいパスワードは現在のものと違うものにしてください。"),
])
def test_bad_password_change_changes_nothing(app, client, auth, make_member, current, new, confirm, message):
    member = make_member(email="member-x@example.jp")
    auth.login(member)
    response = change(client, current, new, confirm)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in field_errors(html)
    for typed in (current, new):
        assert not typed or typed not in html  # passwords are never echoed back
    fresh = app.test_client()
    assert fresh.post("/members/login", data={"email": member.email, "password": PASSWORD}).status_code == 302


def test_password_change_is_audited_without_the_password(app, client, auth, make_member):
    member = make_member()
    auth.login(member)
    change(client)
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "member.password_change"))
        assert (entry.actor_id, entry.target_id) == (member.id, member.id)
        assert NEW_PASSWORD not in str(entry.details)


def test_guessing_the_current_password_is_throttled_per_account(make_app, make_member):
    limited = make_app(RATELIMIT_ENABLED=True)
    member = make_member()
    browser = limited.test_client()
    browser.post("/members/login", data={"email": member.email, "password": PASSWORD})
    statuses = [change(browser, current=f"guess-number-{n:02d}").status_code for n in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
