"""Seat badges filled in per response (events.seats): a registration re-renders no list of events, and every list
shows the seats as they are after the last registration."""

import pytest
import sqlalchemy as sa

from core import dataversions
from core.db import db
from core.pagecache import CACHE_HEADER as CACHE
from events import seats
from events.models import Event
from tests.core.test_dataversions import sign_up, slots, visit
from tests.core.test_fragments import member_client
from tests.events.conftest import create_event


@pytest.fixture
def app(make_app):
    return make_app(PAGE_CACHE_SECONDS=30)


def test_a_write_of_the_counters_alone_moves_the_seats_version_alone(app):
    with app.app_context():
        parse = dataversions.statement_slots
        assert parse("UPDATE events SET confirmed_count=(events.confirmed_count + ?), updated_at=? "
                     "WHERE events.id = ? AND events.confirmed_count < events.capacity") == (
            frozenset(), slots(seats.PART))
        assert parse("UPDATE events SET waitlist_seq=(events.waitlist_seq + %(n)s::INTEGER), waitlist_count="
                     "(events.waitlist_count + %(m)s), updated_at=%(u)s WHERE events.id = %(id)s "
                     "RETURNING events.waitlist_seq") == (frozenset(), slots(seats.PART))
        both = (frozenset(), slots("events", seats.PART))
        assert parse("UPDATE events SET title=?, updated_at=? WHERE events.id = ?") == both  # an edit
        assert parse("UPDATE events SET confirmed_count=?, capacity=? WHERE events.id = ?") == both
        assert parse("UPDATE events SET confirmed_count='0,title=1' WHERE id = 1") == both  # not plainly read
        assert parse("UPDATE events SET (confirmed_count, title) = (?, ?) WHERE id = 1") == both
        assert parse("INSERT INTO events (title, confirmed_count) VALUES (?, ?)") == both
        assert parse("DELETE FROM events WHERE events.id = ?") == both
        # A read depends on the counters when it names one of them
        assert parse("SELECT events.id, events.title FROM events") == (slots("events"), frozenset())
        assert parse("SELECT events.id, events.confirmed_count FROM events") == (slots("events", seats.PART),
                                                                                 frozenset())
        assert parse("SELECT count(*) AS n FROM events") == (slots("events"), frozenset())
        for every_column in ("SELECT * FROM events", "SELECT e.* FROM events AS e", "SELECT 1, * FROM events"):
            assert parse(every_column) == (slots("events", seats.PART), frozenset()), every_column


def test_the_seats_have_a_counter_of_their_own(app):
    tables = [*db.metadata.tables, *dataversions.UNMODELLED_TABLES]
    assert dataversions.slot_of(seats.PART) not in {dataversions.slot_of(table) for table in tables}
    assert seats.PART in dataversions.parts()


@pytest.mark.parametrize("path", ["/events/", "/"])
def test_a_registration_in_another_worker_keeps_the_list_and_fills_in_the_new_seats(
        path, make_app, make_member, count_queries):
    first_worker, second_worker = make_app(PAGE_CACHE_SECONDS=30), make_app(PAGE_CACHE_SECONDS=30)
    event = create_event(first_worker, title="残席が動く相談会", capacity=10)
    reader, registrant = member_client(first_worker, make_member()), make_member()
    assert "残り10席" in reader.get(path).get_data(as_text=True)

    sign_up(second_worker, event, registrant)

    with count_queries() as queries:
        page = reader.get(path).get_data(as_text=True)
    assert "残り9席" in page and "残り10席" not in page and "残席が動く相談会" in page
    assert [query for query in queries if "events" in query] == [
        query for query in queries if "events.confirmed_count" in query], queries  # the list itself is kept
    assert len(queries) == 1, "\n".join(q[:300] for q in queries)


def test_a_visitors_cached_page_follows_a_registration(app, make_member):
    event = create_event(app, title="訪問者が見る説明会", capacity=3)
    assert visit(app, "/events/").headers[CACHE] == "miss"
    assert visit(app, "/events/").headers[CACHE] == "hit"
    sign_up(app, event, make_member())
    page = visit(app, "/events/")
    assert page.headers[CACHE] == "miss" and "残り2席" in page.get_data(as_text=True)
    for _ in range(2):
        sign_up(app, event, make_member())
    full = visit(app, "/events/").get_data(as_text=True)
    assert "満席" in full and "残り" not in full


def test_an_edit_of_the_event_still_retires_the_list(app, make_member):
    event = create_event(app, title="名前を変える前の説明会")
    client = member_client(app, make_member())
    assert "名前を変える前の説明会" in client.get("/events/").get_data(as_text=True)
    with app.app_context():
        db.session.execute(sa.update(Event).where(Event.id == event.id).values(title="名前を変えた説明会",
                                                                            capacity=20))
        db.session.commit()
    page = client.get("/events/").get_data(as_text=True)
    assert "名前を変えた説明会" in page and "残り20席" in page


def test_no_page_shows_a_mark(app, make_member, make_organization):
    organization = make_organization(name="印を残さない人事部", slug="no-marks")
    create_event(app, organization=organization, title="印の残らない説明会")
    client = member_client(app, make_member())
    pages = {path: client.get(path).get_data(as_text=True)
             for path in ("/", "/events/", "/events/?when=past", "/alliance/no-marks", "/events/?lang=en")}
    assert not [path for path, page in pages.items() if "<!--seats-" in page]
    assert "残り10席" in pages["/alliance/no-marks"] and "残り10席" in pages["/"]
    assert "10 seats left" in pages["/events/?lang=en"]


def test_text_written_as_a_mark_is_shown_as_text(app, make_member):
    """A title cannot pass for a mark: it is escaped, and the mark's token is the process's own."""
    create_event(app, title="<!--seats-0000:1--> 印のような題名")
    page = member_client(app, make_member()).get("/events/").get_data(as_text=True)
    assert "&lt;!--seats-0000:1--&gt; 印のような題名" in page


def test_the_api_list_keeps_its_items_and_tells_the_seats_of_now(make_app, make_member, count_queries):
    first_worker, second_worker = make_app(PAGE_CACHE_SECONDS=30), make_app(PAGE_CACHE_SECONDS=30)
    event = create_event(first_worker, title="APIで席を数える説明会", capacity=5)
    registrant = make_member()
    client = first_worker.test_client()
    [item] = client.get("/api/v1/events").get_json()["items"]
    assert (item["confirmed_count"], item["seats_left"], item["capacity"]) == (0, 5, 5)

    sign_up(second_worker, event, registrant)

    with count_queries() as queries:
        [item] = client.get("/api/v1/events").get_json()["items"]
    assert (item["confirmed_count"], item["waitlist_count"], item["seats_left"]) == (1, 0, 4)
    assert item["title"] == "APIで席を数える説明会" and item["url"].endswith(f"/events/{event.id}")
    assert len(queries) == 1 and "events.confirmed_count" in queries[0], queries  # the items themselves are kept
