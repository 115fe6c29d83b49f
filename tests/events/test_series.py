"""Series (連続講座): a page of its own and one registration for every session, all or nothing."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.db import db
from events.models import Event, EventAnswer, EventQuestion, EventSeries, Registration
from tests.events.conftest import set_event, soon


@pytest.fixture
def series_with_sessions(app, make_member, make_organization, make_event):
    staff = make_member()
    organization = make_organization(staff=[staff])
    with app.app_context():
        series = EventSeries(title="地域同期研修(全6回)", summary="半年間、同じチームで学ぶ連続講座です。",
                             organization_id=organization.id)
        db.session.add(series)
        db.session.commit()
        series_id = series.id
    sessions = [make_event(title=f"第{n}回", starts_at=soon(7 + 30 * n), series_id=series_id, capacity=2,
                           organization=organization) for n in range(1, 7)]
    return series_id, sessions, staff


def test_series_page_lists_sessions_and_explains_the_rules(client, series_with_sessions):
    series_id, sessions, _staff = series_with_sessions
    html = client.get(f"/events/series/{series_id}").get_data(as_text=True)
    assert "地域同期研修(全6回)" in html
    for session in sessions:
        assert session.title in html
    assert "すべてか、なしか" in html and "ログインして申し込む" in html


def test_register_for_every_session_at_once(client, auth, make_member, series_with_sessions, outbox):
    series_id, sessions, _staff = series_with_sessions
    member = make_member()
    auth.login(member)
    assert "今後の全6回にまとめて申し込む" in client.get(f"/events/series/{series_id}").get_data(as_text=True)
    response = client.post(f"/events/series/{series_id}/signup", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "6回分を申し込みました（参加確定6回" in html
    assert "今後のすべての回に申し込み済みです" in html
    assert len(outbox(member.email, kind="event.confirmed")) == 6


def test_full_sessions_put_you_on_their_waitlist(client, auth, make_members, series_with_sessions, register,
                                                 reload):
    series_id, sessions, _staff = series_with_sessions
    a, b, me = make_members(3)
    register(sessions[2], a)
    register(sessions[2], b)
    auth.login(me)
    client.post(f"/events/series/{series_id}/signup")
    statuses = [reload.status_of(s.id, me) for s in sessions]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "confirmed", "confirmed", "confirmed"]


def test_all_or_nothing_when_one_session_refuses(app, client, auth, make_members, series_with_sessions, register,
                                                 reload):
    series_id, sessions, _staff = series_with_sessions
    set_event(app, sessions[3].id, waitlist_enabled=False)
    a, b, me = make_members(3)
    register(sessions[3], a)
    register(sessions[3], b)
    auth.login(me)
    response = client.post(f"/events/series/{series_id}/signup", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "どの回にも申し込まれていません" in html and sessions[3].title in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                                 .where(Registration.member_id == me.id)) == 0
    assert reload.event(sessions[0].id).confirmed_count == 0


def test_started_and_already_registered_sessions_are_left_alone(app, client, auth, make_member,
                                                                series_with_sessions, register, reload):
    series_id, sessions, _staff = series_with_sessions
    set_event(app, sessions[0].id, starts_at=soon(-1), ends_at=soon(-1) + timedelta(hours=2))
    member = make_member()
    register(sessions[1], member)
    auth.login(member)
    client.post(f"/events/series/{series_id}/signup")
    assert reload.status_of(sessions[0].id, member) is None
    assert [reload.status_of(s.id, member) for s in sessions[1:]] == ["confirmed"] * 5
    assert len(reload.registrations(sessions[1].id)) == 1


def test_series_signup_requires_login_and_a_post(app, client, auth, make_member, series_with_sessions):
    series_id, _sessions, _staff = series_with_sessions
    response = client.post(f"/events/series/{series_id}/signup")
    assert response.status_code == 302 and "/members/login" in response.headers["Location"]
    auth.login(make_member())
    response = client.get(f"/events/series/{series_id}/signup")  # no questions: no step of its own
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/series/{series_id}")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_organiser_creates_a_series_and_adds_a_session(app, client, auth, make_member, make_organization):
    staff = make_member()
    organization = make_organization(staff=[staff])
    auth.login(staff)
    response = client.post("/events/series/new", data={"title": "キャリア教育連続講座", "summary": "全3回の講座です。",
                                                       "body": "", "organization": organization.slug})
    assert response.status_code == 302
    with app.app_context():
        series_id = db.session.scalar(sa.select(EventSeries.id))
    html = client.get(f"/events/new?series={series_id}").get_data(as_text=True)
    assert f'<option selected value="{series_id}">' in html or f'value="{series_id}" selected' in html


def test_series_edit_is_404_for_others(client, auth, make_member, series_with_sessions):
    series_id, _sessions, _staff = series_with_sessions
    auth.login(make_member())
    assert client.get(f"/events/series/{series_id}/edit").status_code == 404


def test_unknown_series_is_404(client):
    assert client.get("/events/series/424242").status_code == 404


def test_a_series_asks_its_sessions_questions_once(app, client, auth, make_member, series_with_sessions, ask):
    series_id, sessions, staff = series_with_sessions
    department = ask(sessions[0], "text", "部署・役職", required=True)
    set_event(app, sessions[0].id, consent_note="回答は研修の班分けにだけ使います。")
    auth.login(staff)
    client.post(f"/events/{sessions[0].id}/questions/signup/copy-to-series")
    client.post(f"/events/{sessions[0].id}/questions/signup/copy-to-series")  # twice: nothing asked twice
    with app.app_context():
        asked = db.session.execute(sa.select(EventQuestion.event_id, EventQuestion.label)).all()
        assert sorted(asked) == sorted((session.id, "部署・役職") for session in sessions)
        assert {db.session.get(Event, s.id).consent_note for s in sessions} == {"回答は研修の班分けにだけ使います。"}
    auth.logout()

    member = make_member()
    auth.login(member)
    page = client.get(f"/events/series/{series_id}").get_data(as_text=True)
    assert f'href="/events/series/{series_id}/signup"' in page
    step = client.get(f"/events/series/{series_id}/signup").get_data(as_text=True)
    assert step.count("部署・役職") == 1 and "回答は研修の班分けにだけ使います。" in step
    response = client.post(f"/events/series/{series_id}/signup", data={f"q{department}": "総務部"})
    assert response.status_code == 422  # no consent: nothing registered
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    client.post(f"/events/series/{series_id}/signup", data={f"q{department}": "総務部", "consent": "y"})
    with app.app_context():
        rows = db.session.execute(
            sa.select(Registration.event_id, EventAnswer.value, EventQuestion.event_id)
            .join(EventAnswer, EventAnswer.registration_id == Registration.id)
            .join(EventQuestion, EventQuestion.id == EventAnswer.question_id)).all()
    assert len(rows) == 6 and all(value == "総務部" and event_id == asked_by for event_id, value, asked_by in rows)


def test_the_series_page_and_its_signup_step_read_the_sessions_questions_at_once(
        app, client, auth, make_member, make_event, series_with_sessions, count_queries):
    """Whether a session asks anything is read for all sessions together, not one query per session (they ask
    nothing here, so every one of them is looked at)."""
    auth.login(make_member())
    series_id = series_with_sessions[0]
    for path in (f"/events/series/{series_id}", f"/events/series/{series_id}/signup"):
        client.get(path)
        with count_queries() as before:
            client.get(path)
        for day in (20, 30):
            make_event(series_id=series_id, starts_at=soon(day))
        client.get(path)
        with count_queries() as after_two_more:
            client.get(path)
        assert len(after_two_more) == len(before), path
