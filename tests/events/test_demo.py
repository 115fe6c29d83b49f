"""Demo data: the network's history and a live calendar; safe to run twice."""

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from core.db import db, utcnow
from events.models import Event, EventSeries, Registration


def test_seed_demo_creates_history_future_and_full_events(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        events = db.session.scalars(sa.select(Event)).all()
        titles = [e.title for e in events]
        founding = next(e for e in events if "設立イベント" in e.title)
        assert founding.starts_at.astimezone(ZoneInfo("Asia/Tokyo")).date() == date(2022, 3, 25)
        assert founding.format == "online"
        assert any("キックオフ" in t for t in titles)
        assert sum("定例会" in t for t in titles) >= 5
        assert any("地域人事部カンファレンス" in t for t in titles)
        assert any("相談会" in t for t in titles)
        series = db.session.scalar(sa.select(EventSeries))
        assert len(series.events) == 6
        now = utcnow()
        assert all(e.starts_at > now for e in series.events)
        assert any(e.starts_at > now for e in events if "定例会" in e.title)
        full_with_waitlist = [e for e in events if e.confirmed_count >= e.capacity and e.waitlist_count > 0]
        assert full_with_waitlist
        for event in events:
            counted = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
                Registration.event_id == event.id, Registration.status == "confirmed"))
            assert counted == event.confirmed_count, event.title
        count = len(events)
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == count


def test_demo_pages_render(app, runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for url in ("/events/", "/events/?when=past", "/events/calendar.ics", "/"):
        assert client.get(url).status_code == 200
    with app.app_context():
        ids = db.session.scalars(sa.select(Event.id)).all()
        series_id = db.session.scalar(sa.select(EventSeries.id))
    for event_id in ids:
        assert client.get(f"/events/{event_id}").status_code == 200
    assert client.get(f"/events/series/{series_id}").status_code == 200
