"""Login and logout: one message for every failure, sessions that die, safe redirects."""

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa

from core.db import db
from members.models import LoginSession
from tests.conftest import PASSWORD, csrf_token_from


def test_login_with_right_password(client, make_member):
    member = make_member()
    response = client.post("/members/login", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert member.display_name in client.get("/").get_data(as_text=True)


def test_login_email_is_case_insensitive(client, make_member):
    member = make_member(email="mixed@example.jp")
    response = client.post("/members/login", data={"email": "  MIXED@Example.JP ", "password": PASSWORD})
    assert response.status_code == 302
    assert member.display_name in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("email, password", [("nobody@example.jp", PASSWORD), (None, "wrong-password-123")])
def test_unknown_email_and_wrong_password_say_the_same(client, make_member, email, password):
    member = make_member()
    response = client.post("/members/login", data={"email": email or member.email, "password": password})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "メールアドレスまたはパスワードが正しくありません。" in html
    assert 'value="%s"' % (email or member.email) in html  # what was typed is kept


@pytest.mark.parametrize("data, message", [
    ({"email": "", "password": "x"}, "メールアドレスを入力してください。"),
    ({"email": "a@example.jp", "password": ""}, "パスワードを入力してください。"),
])
def test_login_form_errors_are_japanese(client, data, message):
    assert message in client.post("/members/login", data=data).get_data(as_text=True)


def test_session_cookie_copied_before_logout_no_longer_works(app, client, make_member):
    member = make_member()
    client.post("/members/login", data={"email": member.email, "password": PASSWORD})
    stolen = client.get_cookie("ranhub_session").value
    client.post("/members/logout")
    attacker = app.test_client()
    attacker.set_cookie("ranhub_session", stolen)
    assert member.display_name not in attacker.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 0


def test_session_is_rotated_at_login(client, make_member):
    member = make_member()
    client.get("/members/login")
    before = client.get_cookie("ranhub_session")
    client.post("/members/login", data={"email": member.email, "password": PASSWORD})
    after = client.get_cookie("ranhub_session")
    assert after is not None and (before is None or before.value != after.value)


def test_session_cookie_flags(client, make_member):
    member = make_member()
    response = client.post("/members/login", data={"email": member.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_members_cookie_is_signed_again_once_a_day_not_with_every_page(client, make_member, monkeypatch):
    """A permanent session slides: its cookie (14 days) is sent again when the one the browser holds is a day
    old, not re-signed for every page."""
    from core.security import SessionCookies

    member = make_member()
    assert "ranhub_session=" in client.post("/members/login", data={"email": member.email, "password": PASSWORD},
                                            ).headers["Set-Cookie"]
    client.get("/members/me")  # the first page puts the form's CSRF token in the session
    page = client.get("/members/me")
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    monkeypatch.setattr(SessionCookies, "REFRESH_AFTER", timedelta(0))
    cookie = client.get("/members/me").headers["Set-Cookie"]
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert timedelta(days=13) < expires - datetime.now(UTC) <= timedelta(days=14)


def test_a_forged_session_cookie_is_an_empty_session(client, make_member):
    member = make_member()
    client.post("/members/login", data={"email": member.email, "password": PASSWORD})
    value = client.get_cookie("ranhub_session").value
    client.set_cookie("ranhub_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    response = client.get("/members/me")
    assert response.status_code == 302 and "/members/login" in response.headers["Location"]


def test_secure_cookie_behind_https(make_app, make_member):
    https_app = make_app(SESSION_COOKIE_SECURE=True)
    member = make_member()
    response = https_app.test_client().post("/members/login", data={"email": member.email, "password": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("target, expected", [
    ("/alliance/", "/alliance/"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_only_goes_to_this_site(client, make_member, target, expected):
    member = make_member()
    response = client.post("/members/login", query_string={"next": target},
                           data={"email": member.email, "password": PASSWORD})
    assert response.headers["Location"] == expected


def test_logout_requires_post(client, auth, make_member):
    auth.login(make_member())
    assert client.get("/members/logout").status_code == 405


def test_forged_login_without_csrf_token_is_refused(make_app, make_member):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    member = make_member()
    attacker = csrf_app.test_client()
    response = attacker.post("/members/login", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 400
    assert attacker.get_cookie("ranhub_session") is None or member.display_name not in attacker.get("/").get_data(as_text=True)


def test_login_with_csrf_token_works(make_app, make_member):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    member = make_member()
    browser = csrf_app.test_client()
    token = csrf_token_from(browser.get("/members/login").get_data(as_text=True))
    response = browser.post("/members/login", data={"email": member.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_forged_logout_is_refused(make_app, make_member):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    member = make_member()
    browser = csrf_app.test_client()
    token = csrf_token_from(browser.get("/members/login").get_data(as_text=True))
    browser.post("/members/login", data={"email": member.email, "password": PASSWORD, "csrf_token": token})
    assert browser.post("/members/logout").status_code == 400
    assert member.display_name in browser.get("/").get_data(as_text=True)


def test_login_is_throttled_per_ip(make_app, make_member):
    limited = make_app(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    statuses = [client.post("/members/login", data={"email": f"x{i}@example.jp", "password": "wrong-password"}).status_code
                for i in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_login_is_throttled_per_account_across_ips(make_app, make_member):
    limited = make_app(RATELIMIT_ENABLED=True)
    member = make_member()
    statuses = []
    for i in range(21):
        client = limited.test_client()
        statuses.append(client.post("/members/login", data={"email": member.email, "password": "wrong-password"},
                                    environ_base={"REMOTE_ADDR": f"10.0.{i // 200}.{i % 200 + 1}"}).status_code)
    assert statuses[-1] == 429
    assert 429 not in statuses[:20]


def test_create_admin_command(runner, app):
    result = runner.invoke(args=["create-admin", "Chief@Example.jp", "--password-stdin"], input="a-long-admin-password\n")
    assert result.exit_code == 0, result.output
    from members.models import Member
    with app.app_context():
        admin = db.session.scalar(sa.select(Member).where(Member.email == "chief@example.jp"))
        assert admin.is_admin


def test_create_admin_refuses_a_short_password(runner):
    result = runner.invoke(args=["create-admin", "chief@example.jp", "--password-stdin"], input="short\n")
    assert result.exit_code != 0
