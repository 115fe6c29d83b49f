"""Password recovery: one answer for every address, a one-time link for an hour, every session ended."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.audit import AuditEntry
from core.db import db, utcnow
from members.models import AccountToken, ApiToken, LoginSession
from tests.conftest import PASSWORD
from tests.members.conftest import field_errors

NEW = "river-lantern-compass-81"
RESET = "/members/password/reset/"


def _forgot(client, email):
    return client.post("/members/password/forgot", data={"email": email})


def _reset(client, link, password=NEW, confirm=None):
    return client.post(link, data={"password": password, "password_confirm": confirm or password})


def test_the_login_page_leads_to_recovery(client):
    html = client.get("/members/login").get_data(as_text=True)
    assert 'href="/members/password/forgot"' in html and "パスワードをお忘れの方" in html


def test_known_and_unknown_addresses_get_the_same_answer_and_only_a_member_gets_mail(client, make_member, outbox):
    make_member(email="known@example.jp")
    known = _forgot(client, "known@example.jp").get_data(as_text=True)
    unknown = _forgot(client, "nobody@example.jp").get_data(as_text=True)
    assert known.replace("known@example.jp", "X") == unknown.replace("nobody@example.jp", "X")
    assert "メールをご確認ください" in known
    assert len(outbox("known@example.jp", kind="member.password_reset")) == 1
    assert outbox("nobody@example.jp") == []


def test_reset_sets_the_password_ends_every_session_and_revokes_tokens(app, client, make_member, auth, login,
                                                                        count_rows, outbox, mail_link):  # noqa: PLR0913
    member = make_member(email="reset@example.jp")
    before = login(member)  # a browser logged in before the reset
    with app.app_context():
        db.session.add(ApiToken(member_id=member.id, name="tool", token_hash="a" * 64, prefix="ran_aaaa"))
        db.session.commit()
    _forgot(client, "ＲＥＳＥＴ＠example.jp")  # typed on a Japanese keyboard
    link = mail_link("reset@example.jp", "member.password_reset", RESET)
    mail = outbox("reset@example.jp", kind="member.password_reset")[0]
    assert "1時間" in mail.body and "1回限り" in mail.body
    assert "新しいパスワードの設定" in client.get(link).get_data(as_text=True)

    response = _reset(client, link)

    assert response.status_code == 302 and response.headers["Location"] == "/members/login"
    assert count_rows(LoginSession, LoginSession.member_id == member.id) == 0
    assert before.get("/members/me").status_code == 302  # the old cookie no longer works
    assert count_rows(ApiToken, ApiToken.member_id == member.id, ApiToken.revoked_at.is_(None)) == 0
    assert outbox("reset@example.jp", kind="member.password_changed")
    assert count_rows(AuditEntry, AuditEntry.action == "member.password_reset") == 1
    assert auth.login("reset@example.jp", NEW).status_code == 302
    # The link works once.
    assert client.get(link).status_code == 404
    assert "このリンクは無効です" in client.get(link).get_data(as_text=True)


def test_an_expired_link_is_refused(app, client, make_member, mail_link):
    make_member(email="late@example.jp")
    _forgot(client, "late@example.jp")
    link = mail_link("late@example.jp", "member.password_reset", RESET)
    with app.app_context():
        db.session.execute(sa.update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert _reset(client, link).status_code == 404
    assert client.application.test_client().post(
        "/members/login", data={"email": "late@example.jp", "password": PASSWORD}).status_code == 302


def test_a_link_dies_when_the_password_changes_another_way(client, make_member, login, mail_link):
    member = make_member(email="changed@example.jp")
    _forgot(client, "changed@example.jp")
    link = mail_link("changed@example.jp", "member.password_reset", RESET)
    login(member).post("/members/me/password", data={"current_password": PASSWORD, "password": "harbour-maple-pencil-55",
                                             "password_confirm": "harbour-maple-pencil-55"})
    assert _reset(client, link).status_code == 404


def test_a_newer_link_replaces_the_older_one(client, make_member, mail_link):
    make_member(email="twice@example.jp")
    _forgot(client, "twice@example.jp")
    first = mail_link("twice@example.jp", "member.password_reset", RESET)
    _forgot(client, "twice@example.jp")
    second = mail_link("twice@example.jp", "member.password_reset", RESET)
    assert first != second
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


@pytest.mark.parametrize("token", ["not-a-token", "x" * 300, "ran_" + "a" * 43])
def test_made_up_tokens_find_nothing(client, token):
    response = client.post(RESET + token, data={"password": NEW, "password_confirm": NEW})
    assert response.status_code == 404


def test_a_weak_new_password_is_refused_and_the_link_still_works(client, make_member, mail_link):
    make_member(email="weak@example.jp")
    _forgot(client, "weak@example.jp")
    link = mail_link("weak@example.jp", "member.password_reset", RESET)
    response = _reset(client, link, password="Password1234")
    assert response.status_code == 200
    assert "よく使われていて" in " ".join(field_errors(response.get_data(as_text=True)))
    assert _reset(client, link, password=NEW, confirm="something-else-22").status_code == 200
    assert _reset(client, link).status_code == 302


def test_recovery_is_limited_per_address(make_app, make_member):
    make_member(email="flood@example.jp")
    limited = make_app(RATELIMIT_ENABLED=True).test_client()
    statuses = [_forgot(limited, "flood@example.jp").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_resetting_confirms_an_unconfirmed_address(app, client, make_member, mail_link, find_member):
    make_member(email="fresh@example.jp", email_verified_at=None)
    _forgot(client, "fresh@example.jp")
    _reset(client, mail_link("fresh@example.jp", "member.password_reset", RESET))
    assert find_member("fresh@example.jp").email_verified_at is not None


def test_the_secretariat_mails_a_reset_link_and_never_sees_it(client, auth, make_admin, make_member, outbox,
                                                               mail_link):
    member = make_member(email="locked-out@example.jp")
    admin = make_admin()
    auth.login(admin)
    assert "パスワード再設定リンクを送る" in client.get("/alliance/secretariat/members").get_data(as_text=True)
    response = client.post(f"/alliance/secretariat/members/{member.id}/send-reset")
    assert response.status_code == 302
    link = mail_link("locked-out@example.jp", "member.password_reset", RESET)
    assert link not in client.get("/alliance/secretariat/members").get_data(as_text=True)
    assert client.post("/alliance/secretariat/members/999999/send-reset").status_code == 404


def test_only_the_secretariat_sends_reset_links(client, auth, make_member, outbox):
    member, other = make_member(), make_member()
    auth.login(other)
    assert client.post(f"/alliance/secretariat/members/{member.id}/send-reset").status_code == 404
    assert outbox(member.email) == []


def test_a_reset_link_dies_when_the_address_changes(app, client, make_member, mail_link):
    from members.models import Member

    member = make_member(email="moving@example.jp")
    _forgot(client, "moving@example.jp")
    link = mail_link("moving@example.jp", "member.password_reset", RESET)
    with app.app_context():
        db.session.get(Member, member.id).email = "moved@example.jp"
        db.session.commit()
    assert _reset(client, link).status_code == 404
