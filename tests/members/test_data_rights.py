"""A member's data in their hands: the export, the list of logged-in browsers, and what deletion erases."""

import json

import sqlalchemy as sa

from core.db import db
from core.mail import OutboxMessage, send_mail
from events.models import Registration
from members.models import ApiToken, LoginSession
from members.sessions import device, ip_prefix
from tests.conftest import PASSWORD


def test_the_export_holds_everything_about_the_member_and_nothing_about_others(app, client, auth, make_member,
                                                                               make_event, register):
    member = make_member(email="me@example.jp", display_name="書き出し 花子", themes=["women"])
    other = make_member(email="other@example.jp")
    event = make_event(title="書き出し確認セミナー")
    register(event, member)
    register(event, other)
    auth.login(member)
    client.post("/members/me/tokens", data={"name": "集計ツール"})
    response = client.get("/members/me/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == "me@example.jp" and data["profile"]["themes"] == ["women"]
    assert [r["event_title"] for r in data["event_registrations"]] == ["書き出し確認セミナー"]
    assert [t["name"] for t in data["api_tokens"]] == ["集計ツール"]
    assert len(data["login_sessions"]) == 1 and data["login_sessions"][0]["ip_prefix"] == "127.0.0.x"
    assert any(mail["to_address"] == "me@example.jp" for mail in data["mails"])
    assert {"organization_applications", "staff_roles", "project_applications", "articles",
            "mail_preferences"} <= set(data)
    assert "other@example.jp" not in response.get_data(as_text=True)


def test_the_export_needs_a_login(client):
    assert client.get("/members/me/export").status_code == 302


def test_sessions_list_the_browsers_and_log_one_out(app, client, auth, make_member, login):
    member = make_member()
    phone = login(member)
    client.environ_base["HTTP_USER_AGENT"] = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                                              "(KHTML, like Gecko) Chrome/130.0 Safari/537.36")
    auth.login(member)
    page = client.get("/members/me/sessions").get_data(as_text=True)
    assert "Windows の Chrome" in page and "このブラウザー" in page and page.count("このブラウザーをログアウト") == 2
    with app.app_context():
        ids = db.session.scalars(sa.select(LoginSession.id).where(LoginSession.member_id == member.id)
                                 .order_by(LoginSession.id)).all()
    assert client.post(f"/members/me/sessions/{ids[0]}/end").status_code == 302
    assert phone.get("/members/me").status_code == 302  # the other browser is logged out
    assert client.get("/members/me").status_code == 200  # this one is not


def test_another_members_session_cannot_be_ended(app, client, auth, make_member, login):
    victim = make_member()
    victim_browser = login(victim)
    with app.app_context():
        victim_session = db.session.scalar(sa.select(LoginSession.id).where(LoginSession.member_id == victim.id))
    auth.login(make_member())
    assert client.post(f"/members/me/sessions/{victim_session}/end").status_code == 404
    assert victim_browser.get("/members/me").status_code == 200


def test_device_and_network_are_described_without_the_whole_address():
    assert device("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 "
                  "Mobile/15E148 Safari/604.1") == "Safari on iPhone"
    assert device("") == "Unknown browser"
    assert ip_prefix("203.0.113.45") == "203.0.113.x"
    assert ip_prefix("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert ip_prefix("not an address") == ""


def test_changing_the_password_revokes_api_tokens_and_says_so(app, client, auth, make_member, token_for):
    member = make_member()
    headers = token_for(member)
    auth.login(member)
    assert "APIトークンも無効" in client.get("/members/me/password").get_data(as_text=True)
    client.post("/members/me/password", data={"current_password": PASSWORD, "password": "harbour-maple-pencil-55",
                                              "password_confirm": "harbour-maple-pencil-55"})
    assert client.get("/api/v1/me/registrations", headers=headers).status_code == 401


def test_deletion_erases_the_new_leftovers(app, client, auth, make_member, make_event, register):
    member = make_member(email="leaving@example.jp", display_name="退会 予定子", organization_name="退会商事株式会社")
    event = make_event(per_organization_cap=2)
    register(event, member)
    with app.app_context():
        # A mail about the member to someone else (an organiser's notice names them).
        send_mail("organiser@example.jp", "申し込みがありました", "退会 予定子 さんが申し込みました。")
        send_mail("organiser@example.jp", "別件", "ほかの参加者についてのお知らせです。")
        db.session.commit()
    auth.login(member)
    client.post("/members/me/tokens", data={"name": "tool"})
    client.post("/members/me/delete", data={"current_password": PASSWORD})
    with app.app_context():
        bodies = db.session.scalars(sa.select(OutboxMessage.body)).all()
        assert not any("退会 予定子" in body or "leaving@example.jp" in body for body in bodies)
        assert "ほかの参加者についてのお知らせです。" in bodies  # mail about others stays
        keys = db.session.scalars(sa.select(Registration.affiliation_key)).all()
        assert keys and all("退会商事" not in key for key in keys)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
