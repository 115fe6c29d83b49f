"""iCalendar files import into a calendar parser with the right local times."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar

from tests.events.conftest import soon

TOKYO = ZoneInfo("Asia/Tokyo")


def _parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(response.data)


def test_single_event_ics_has_tokyo_local_times(client, make_event):
    event = make_event(title="地域人事部カンファレンス", starts_at=datetime(2031, 3, 14, 4, 0, tzinfo=UTC),
                       ends_at=datetime(2031, 3, 14, 8, 0, tzinfo=UTC), venue="石巻市内の会場")
    calendar = _parse(client.get(f"/events/{event.id}.ics"))
    (vevent,) = calendar.walk("VEVENT")
    start, end = vevent.decoded("dtstart"), vevent.decoded("dtend")
    assert start == datetime(2031, 3, 14, 13, 0, tzinfo=TOKYO) and start.utcoffset().total_seconds() == 9 * 3600
    assert (start.hour, end.hour) == (13, 17)
    assert vevent["dtstart"].params["TZID"] == "Asia/Tokyo"
    assert str(vevent["summary"]) == "地域人事部カンファレンス"
    assert "石巻市内の会場" in str(vevent["location"])
    assert str(vevent["url"]).endswith(f"/events/{event.id}")
    assert str(vevent["status"]) == "CONFIRMED"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]


def test_feed_lists_published_events_and_marks_cancelled_ones(client, make_event):
    published = make_event(title="公開中の会")
    cancelled = make_event(title="中止した会", status="cancelled")
    make_event(title="下書きの会", status="draft")
    make_event(title="削除した会", deleted_at=soon(-1))
    calendar = _parse(client.get("/events/calendar.ics"))
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {published.title, cancelled.title}
    assert str(events[cancelled.title]["status"]) == "CANCELLED"
    uids = [str(e["uid"]) for e in events.values()]
    assert len(set(uids)) == 2


def test_online_event_location_and_no_url_leak(client, make_event):
    event = make_event(format="online", prefecture=None, venue="", online_url="https://meet.example.jp/secret")
    body = client.get(f"/events/{event.id}.ics").get_data(as_text=True)
    assert "secret" not in body
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(vevent["location"]) == "オンライン"


def test_members_only_venue_is_not_in_the_public_calendar(client, make_event):
    event = make_event(title="会員限定の勉強会", audience="members", venue="会員だけが知る会場")
    body = client.get(f"/events/{event.id}.ics").get_data(as_text=True)
    assert "BEGIN:VEVENT" in body and "会員限定の勉強会" in body
    assert "会員だけが知る会場" not in body


def test_draft_ics_is_404(client, make_event):
    assert client.get(f"/events/{make_event(status='draft').id}.ics").status_code == 404
