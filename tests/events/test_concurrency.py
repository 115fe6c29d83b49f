"""Concurrent signups: threads, each with its own app context and connection, on both engines.

SQLite runs on a file database (writers queue on BEGIN IMMEDIATE); PostgreSQL on
its own connections (the event row is locked, the seat counter moves only by a
conditional update). The timings are printed (run with -s) and written to
test-artifacts/ so they can be reported.
"""

import json
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.db import db
from events.models import Event, Registration
from events.registration import _take_seat
from tests.conftest import PASSWORD, ROOT

pytestmark = pytest.mark.commits
ARTIFACTS = ROOT / "test-artifacts"


def _record_timing(name: str, engine: str, seconds: float, requests: int) -> None:
    line = {"test": name, "engine": engine, "seconds": round(seconds, 3), "requests": requests}
    print(f"\n[timing] {json.dumps(line)}")
    ARTIFACTS.mkdir(exist_ok=True)
    with Path(ARTIFACTS / "concurrency-timings.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


def _run_threads(workers: list) -> float:
    """Start every worker at once (barrier) and return the wall time until the last one ends."""
    barrier = threading.Barrier(len(workers))
    threads = [threading.Thread(target=w, args=(barrier,)) for w in workers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a signup thread hung"
    return time.perf_counter() - started


def test_40_concurrent_api_signups_for_10_seats(app, engine_name, make_members, make_event, api_token):
    event = make_event(capacity=10)
    members = make_members(40)
    tokens = [api_token(m) for m in members]
    results: list[tuple[int, dict]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(token):
        def run(barrier):
            try:
                client = app.test_client()  # each request: its own app context, session, connection
                barrier.wait(timeout=60)
                response = client.post(f"/api/v1/events/{event.id}/registration",
                                       headers={"Authorization": f"Bearer {token}"})
                with lock:
                    results.append((response.status_code, response.get_json()))
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                with lock:
                    errors.append(error)

        return run

    elapsed = _run_threads([worker(t) for t in tokens])
    _record_timing("40 API signups, 10 seats", engine_name, elapsed, len(tokens))

    assert errors == []
    assert sorted(status for status, _body in results) == [201] * 40, results
    outcome = Counter(body["status"] for _status, body in results)
    assert outcome == {"confirmed": 10, "waitlisted": 30}
    positions = sorted(body["position"] for _s, body in results if body["status"] == "waitlisted")
    assert positions == list(range(1, 31))
    assert all(body["position"] is None for _s, body in results if body["status"] == "confirmed")
    with app.app_context():
        fresh = db.session.get(Event, event.id)
        assert (fresh.confirmed_count, fresh.waitlist_count) == (10, 30)
        rows = Counter(db.session.scalars(sa.select(Registration.status).where(Registration.event_id == event.id)))
        assert rows == {"confirmed": 10, "waitlisted": 30}
        tickets = db.session.scalars(
            sa.select(Registration.queue_position).where(Registration.event_id == event.id,
                                                         Registration.status == "waitlisted")
        ).all()
        assert sorted(tickets) == list(range(1, 31))


def test_concurrent_page_signups_without_waitlist_stop_at_capacity(app, engine_name, make_members, make_event):
    event = make_event(capacity=5, waitlist_enabled=False)
    members = make_members(20)
    clients = []
    for member in members:
        client = app.test_client()
        assert client.post("/members/login", data={"email": member.email, "password": PASSWORD}).status_code == 302
        clients.append(client)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(client):
        def run(barrier):
            try:
                barrier.wait(timeout=60)
                response = client.post(f"/events/{event.id}/signup")
                with lock:
                    statuses.append(response.status_code)
            except BaseException as error:  # noqa: BLE001
                with lock:
                    errors.append(error)

        return run

    elapsed = _run_threads([worker(c) for c in clients])
    _record_timing("20 page signups, 5 seats, no waitlist", engine_name, elapsed, len(clients))
    assert errors == [] and statuses == [302] * 20
    with app.app_context():
        fresh = db.session.get(Event, event.id)
        assert fresh.confirmed_count == 5
        assert db.session.scalar(
            sa.select(sa.func.count()).select_from(Registration).where(Registration.event_id == event.id)
        ) == 5


def test_concurrent_cancellations_promote_each_waitlisted_once(app, engine_name, make_members, make_event,
                                                               register, api_token, outbox):
    event = make_event(capacity=5)
    members = make_members(15)
    for member in members:
        register(event, member)
    leaving = members[:5]
    tokens = [api_token(m) for m in leaving]
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(token):
        def run(barrier):
            client = app.test_client()
            barrier.wait(timeout=60)
            response = client.delete(f"/api/v1/events/{event.id}/registration",
                                     headers={"Authorization": f"Bearer {token}"})
            with lock:
                statuses.append(response.status_code)

        return run

    elapsed = _run_threads([worker(t) for t in tokens])
    _record_timing("5 concurrent cancellations with promotion", engine_name, elapsed, len(tokens))
    assert statuses == [200] * 5
    with app.app_context():
        fresh = db.session.get(Event, event.id)
        assert (fresh.confirmed_count, fresh.waitlist_count) == (5, 5)
        confirmed = set(db.session.scalars(
            sa.select(Registration.member_id).where(Registration.event_id == event.id,
                                                    Registration.status == "confirmed")
        ))
    # The five who waited longest moved up, in order; each was told exactly once.
    assert confirmed == {m.id for m in members[5:10]}
    for member in members[5:10]:
        assert len(outbox(member.email, kind="event.promoted")) == 1


def test_seat_counter_alone_holds_capacity_without_the_row_lock(app, engine_name, make_event):
    """The conditional update is enough by itself: 40 threads take seats with no lock first."""
    event = make_event(capacity=10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(barrier):
        with app.app_context():
            target = db.session.get(Event, event.id)
            db.session.commit()
            barrier.wait(timeout=60)
            outcome = _take_seat(target, "")
            db.session.commit()
            with lock:
                outcomes.append(outcome)

    elapsed = _run_threads([run] * 40)
    _record_timing("40 bare seat-counter updates, 10 seats", engine_name, elapsed, 40)
    assert Counter(outcomes) == {"ok": 10, "full": 30}
    with app.app_context():
        assert db.session.get(Event, event.id).confirmed_count == 10
