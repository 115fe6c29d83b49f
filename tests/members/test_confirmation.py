"""Confirmed addresses: signup mails a link; until it is opened the member browses but does not act."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.db import db, utcnow
from events.models import Registration
from members.models import AccountToken

VERIFY = "/members/verify/"


@pytest.fixture
def unconfirmed(make_member):
    return make_member(email="unconfirmed@example.jp", email_verified_at=None)


def test_signup_mail_confirms_the_address_after_one_press(client, signup_data, find_member, mail_link, auth):
    client.post("/members/signup", data=signup_data(email="new@example.jp"))
    link = mail_link("new@example.jp", "member.welcome", VERIFY)
    page = client.get(link)
    assert page.status_code == 200 and "確認する" in page.get_data(as_text=True)
    assert find_member("new@example.jp").email_verified_at is None  # a mail scanner opening the link changes nothing
    response = client.post(link)
    assert response.headers["Location"] == "/members/login"
    assert find_member("new@example.jp").email_verified_at is not None
    assert "確認が完了しました" in client.get("/members/login").get_data(as_text=True)
    assert client.post(link).status_code == 404


def test_an_expired_confirmation_link_is_refused_and_a_new_one_can_be_asked(app, client, auth, unconfirmed, outbox,
                                                                            mail_link, find_member):
    auth.login(unconfirmed)
    client.post("/members/me/confirmation")
    link = mail_link(unconfirmed.email, "member.verify", VERIFY)
    with app.app_context():
        db.session.execute(sa.update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert client.post(link).status_code == 404
    client.post("/members/me/confirmation")
    client.post(mail_link(unconfirmed.email, "member.verify", VERIFY))
    assert find_member(unconfirmed.email).is_confirmed


def test_resending_is_limited(make_app, unconfirmed, outbox):
    limited = make_app(RATELIMIT_ENABLED=True).test_client()
    limited.post("/members/login", data={"email": unconfirmed.email, "password": "correct-horse-battery-42"})
    statuses = [limited.post("/members/me/confirmation").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert len(outbox(unconfirmed.email, kind="member.verify")) == 3


def test_someone_elses_link_confirms_only_that_address(client, auth, make_member, mail_link, find_member):
    first = make_member(email="first@example.jp", email_verified_at=None)
    second = make_member(email="second@example.jp", email_verified_at=None)
    auth.login(first)
    client.post("/members/me/confirmation")
    link = mail_link(first.email, "member.verify", VERIFY)
    second_browser = client.application.test_client()
    second_browser.post("/members/login", data={"email": second.email, "password": "correct-horse-battery-42"})
    second_browser.post(link)
    assert find_member(first.email).is_confirmed and not find_member(second.email).is_confirmed


def test_an_unconfirmed_member_can_log_in_browse_and_edit(client, auth, unconfirmed):
    auth.login(unconfirmed)
    page = client.get("/members/me").get_data(as_text=True)
    assert "メールアドレスの確認をお願いします" in page and "確認メールを再送する" in page
    assert client.get("/events/").status_code == 200
    assert client.get("/members/me/edit").status_code == 200


GUARDED = [
    ("get", "/events/new"),
    ("get", "/events/series/new"),
    ("get", "/alliance/apply"),
    ("get", "/alliance/projects/new"),
    ("get", "/alliance/referrals/new"),
    ("get", "/knowhow/new"),
    ("post", "/knowhow/new"),
    ("post", "/events/new"),
    ("post", "/events/series/new"),
    ("post", "/alliance/apply"),
    ("post", "/alliance/projects/new"),
    ("post", "/alliance/referrals/new"),
]


@pytest.mark.parametrize("method, path", GUARDED)
def test_every_guarded_page_tells_an_unconfirmed_member_how_to_confirm(client, auth, unconfirmed, method, path):
    auth.login(unconfirmed)
    response = getattr(client, method)(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "メールアドレスの確認をお願いします" in html and "確認メールを再送する" in html


def test_an_unconfirmed_member_cannot_register_for_an_event_and_nothing_changes(client, auth, unconfirmed, app,
                                                                                 make_event, token_for):
    event = make_event()
    auth.login(unconfirmed)
    assert client.post(f"/events/{event.id}/signup").status_code == 403
    api = client.application.test_client().post(f"/api/v1/events/{event.id}/registration",
                                                headers=token_for(unconfirmed))
    assert api.status_code == 403 and api.get_json()["error"]["code"] == "email_unconfirmed"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_a_confirmed_member_is_let_through(client, auth, make_member, make_event):
    event = make_event()
    auth.login(make_member())
    assert client.post(f"/events/{event.id}/signup").status_code == 302


def test_a_project_application_waits_for_confirmation(client, auth, unconfirmed, make_project, make_organization,
                                                      app):
    from alliance.projects.models import ProjectApplication

    project_id = make_project(make_organization())
    auth.login(unconfirmed)
    response = client.post(f"/alliance/projects/{project_id}/apply", data={"motivation": "ぜひ関わりたいです。"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProjectApplication)) == 0
