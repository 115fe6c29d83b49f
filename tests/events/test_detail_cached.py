"""The event page's own part is kept as a fragment (core.fragments): never shown to a viewer who may see less, never
older than the last write to the event."""

import pytest

from core.db import utcnow
from events.models import EventTheme
from tests.conftest import AuthActions
from tests.core.test_dataversions import sign_up
from tests.events.conftest import create_event, set_event


@pytest.fixture
def app(make_app):
    return make_app(PAGE_CACHE_SECONDS=30)


def signed_in(application, member):
    client = application.test_client()
    AuthActions(client).login(member)
    return client


def test_a_members_event_keeps_its_details_from_visitors(app, make_member):
    event = create_event(app, audience="members", body="会員だけに見せる詳しい内容です。", venue="会員限定の会場")
    member_page = signed_in(app, make_member()).get(f"/events/{event.id}").get_data(as_text=True)
    assert "会員だけに見せる詳しい内容です。" in member_page and "会員限定の会場" in member_page
    for _ in range(2):
        visitor_page = app.test_client().get(f"/events/{event.id}").get_data(as_text=True)
        assert "会員だけに見せる詳しい内容です。" not in visitor_page and "会員限定の会場" not in visitor_page
        assert "ログイン" in visitor_page


def test_the_online_link_is_shown_only_to_those_with_a_place(app, make_member):
    event = create_event(app, format="online", online_url="https://meet.example.jp/secret-room")
    attendee, other = make_member(), make_member()
    attendee_client, other_client = signed_in(app, attendee), signed_in(app, other)
    assert "secret-room" not in other_client.get(f"/events/{event.id}").get_data(as_text=True)
    page = attendee_client.get(f"/events/{event.id}").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0] if 'name="csrf_token"' in page else ""
    attendee_client.post(f"/events/{event.id}/signup", data={"csrf_token": token})
    assert "secret-room" in attendee_client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "secret-room" not in other_client.get(f"/events/{event.id}").get_data(as_text=True)


def test_an_edit_to_the_event_or_its_themes_shows_at_once(app, make_member):
    event = create_event(app, title="最初の題名の説明会", themes=("youth-retention",))
    client = signed_in(app, make_member())
    first = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "最初の題名の説明会" in first and "若手" in first
    set_event(app, event.id, title="書き直した題名の説明会")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "書き直した題名の説明会" in page and "最初の題名の説明会" not in page

    with app.app_context():  # a theme changed alone, the event's row untouched
        from core.db import db

        db.session.query(EventTheme).filter_by(event_id=event.id).update({"theme": "seniors"})
        db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "シニア" in page


def test_a_warm_event_page_asks_the_database_nothing(app, make_member, ask, count_queries):
    """The event's row, my registration, the organiser, cover, themes and questions are kept (the last four in
    the page's kept part), not read on every request."""
    event = create_event(app, themes=("youth-retention", "seniors"))
    ask(event, "text", "ご所属を教えてください")
    client = signed_in(app, make_member())
    client.get(f"/events/{event.id}")
    with count_queries() as queries:
        page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "主催者" in page or "Organiser" in page
    assert queries == []


def test_the_event_page_follows_registrations_at_once(make_app, make_member):
    """Another worker's registration moves the seats shown; my own shows my place and the online link."""
    first_worker, second_worker = make_app(PAGE_CACHE_SECONDS=30), make_app(PAGE_CACHE_SECONDS=30)
    event = create_event(first_worker, capacity=3, format="online", online_url="https://meet.example.jp/kept-room")
    me, someone = make_member(), make_member()
    client = signed_in(first_worker, me)
    assert "kept-room" not in client.get(f"/events/{event.id}").get_data(as_text=True)
    sign_up(second_worker, event, someone)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "残り2席" in page or "2 seats left" in page
    sign_up(second_worker, event, me)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "kept-room" in page and ("残り1席" in page or "1 seat left" in page or "1 seats left" in page)


def test_a_deleted_event_is_gone_at_once(app, make_member):
    event = create_event(app, title="消される説明会")
    client = signed_in(app, make_member())
    assert client.get(f"/events/{event.id}").status_code == 200
    set_event(app, event.id, deleted_at=utcnow())
    assert client.get(f"/events/{event.id}").status_code == 404
