"""A version per table (core.dataversions): a write retires the cached pages and fragments that read its table,
in every worker, and leaves the others — never showing data older than the last committed write."""

import re

import pytest
import sqlalchemy as sa

from alliance.models import Organization
from core import dataversions
from core.db import db
from core.pagecache import CACHE_HEADER as CACHE
from events import registration
from events.models import Event
from members.models import Member
from tests.core.test_fragments import member_client
from tests.events.conftest import create_event


@pytest.fixture
def app(make_app):
    return make_app(PAGE_CACHE_SECONDS=30)


def visit(application, path: str):
    return application.test_client().get(path)


def sign_up(application, event, member) -> None:
    """Register as the event page does (the service, then a commit), in `application`'s worker."""
    with application.app_context():
        registration.register(db.session.get(Event, event.id), db.session.get(Member, member.id))
        db.session.commit()


def slots(*tables: str) -> frozenset[int]:
    return frozenset(dataversions.slot_of(table) for table in tables)


def test_every_table_has_a_counter_of_its_own(app):
    tables = sorted([*db.metadata.tables, *dataversions.UNMODELLED_TABLES])
    by_slot = {}
    for table in tables:
        by_slot.setdefault(dataversions.slot_of(table), []).append(table)
    shared = [names for names in by_slot.values() if len(names) > 1]
    assert not shared, f"tables {shared} share a counter: change dataversions.SLOT_SALT"
    assert dataversions.EVERYTHING not in by_slot


def test_statements_are_read_for_the_tables_they_read_and_write(app):
    with app.app_context():
        parse = dataversions.statement_slots
        assert parse('SELECT events.id FROM events JOIN organizations ON organizations.id = events.organization_id '
                     'WHERE EXISTS (SELECT 1 FROM event_themes)') == (slots("events", "organizations", "event_themes"),
                                                                      frozenset())
        assert parse("SELECT rowid FROM search_fts WHERE search_fts MATCH ?") == (slots("search_fts"), frozenset())
        assert parse('UPDATE registrations SET state=? WHERE event_id IN (SELECT id FROM events)') == (
            frozenset(), slots("registrations"))  # the rows of events are read, not changed
        assert parse('INSERT OR IGNORE INTO "members" (id) VALUES (?)') == (frozenset(), slots("members"))
        assert parse("DELETE FROM search_fts WHERE rowid = ?") == (frozenset(), slots("search_fts"))
        assert parse("BEGIN IMMEDIATE") == parse("SAVEPOINT sa_1") == (frozenset(), frozenset())
        everything = (frozenset(), frozenset({dataversions.EVERYTHING}))
        assert parse("WITH gone AS (DELETE FROM events RETURNING id) SELECT count(*) FROM gone") == everything
        assert parse("ALTER TABLE events ADD COLUMN x INTEGER") == everything
        assert parse("DROP TABLE organizations") == everything


@pytest.mark.parametrize("shared_by", ["file", "redis"])
def test_a_registration_in_another_worker_keeps_the_directory_and_renders_the_events_list_again(
        request, shared_by, make_app, make_member, make_organization):
    """Two apps on one instance/ (or one Redis) stand for two gunicorn workers."""
    config = request.getfixturevalue("redis_cache_config") if shared_by == "redis" else {"PAGE_CACHE_SECONDS": 30}
    first_worker, second_worker = make_app(**config), make_app(**config)
    make_organization(name="登録では変わらない人事部")
    event = create_event(first_worker, title="席の数が変わる説明会", capacity=10)
    for path in ("/alliance/", "/events/"):
        assert visit(first_worker, path).headers[CACHE] == "miss"
        assert visit(first_worker, path).headers[CACHE] == "hit"

    sign_up(second_worker, event, make_member())

    assert visit(first_worker, "/alliance/").headers[CACHE] == "hit"  # the directory read no registration
    events = visit(first_worker, "/events/")
    assert events.headers[CACHE] == "miss"
    assert "残り9席" in events.get_data(as_text=True) or "9 seats left" in events.get_data(as_text=True)


def test_a_fragment_outlives_a_write_it_does_not_show(app, make_member, make_organization, count_queries):
    make_organization(name="断片に残る人事部")
    event = create_event(app, title="断片と関係のない説明会")
    other = make_member()
    client = member_client(app, make_member())
    client.get("/alliance/")
    sign_up(app, event, other)
    with count_queries() as queries:
        assert "断片に残る人事部" in client.get("/alliance/").get_data(as_text=True)
    assert not [q for q in queries if "organizations" in q and "organization_staff" not in q], queries

    with app.app_context():  # a write the directory shows retires it
        db.session.execute(sa.update(Organization).values(name="名前の変わった人事部"))
        db.session.commit()
    assert "名前の変わった人事部" in client.get("/alliance/").get_data(as_text=True)


def test_a_write_to_an_unknown_table_retires_everything(app, make_organization):
    make_organization()
    visit(app, "/alliance/")
    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE scratch_for_test (id INTEGER)"))
        db.session.execute(sa.text("DROP TABLE scratch_for_test"))
        db.session.commit()
    assert visit(app, "/alliance/").headers[CACHE] == "miss"


def test_a_page_rendered_while_another_worker_writes_is_not_kept_as_current(app, make_organization):
    """The versions are read before the data: a write committed between the two leaves the page tagged older."""
    make_organization(name="描画中に変わる人事部")
    other_worker = app  # same versions file: any app of this instance stands for another worker
    written = {}

    def write_during_render(conn, cursor, statement, *_args):
        if "FROM organizations" in statement and not written:
            written["done"] = True
            with other_worker.app_context():
                bump = app.extensions[dataversions.EXTENSION_KEY]
                bump.bump([dataversions.slot_of("organizations")])

    sa.event.listen(sa.Engine, "before_cursor_execute", write_during_render)
    try:
        assert visit(app, "/alliance/").headers[CACHE] == "miss"
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", write_during_render)
    assert written and visit(app, "/alliance/").headers[CACHE] == "miss"


def test_a_registration_re_renders_only_the_sections_of_my_page_that_show_one(app, make_member, count_queries):
    event = create_event(app, title="マイページの説明会")
    me, someone = make_member(), make_member()
    client = member_client(app, me)
    client.get("/members/me")
    sign_up(app, event, someone)
    with count_queries() as queries:
        assert client.get("/members/me").status_code == 200
    tables = set(re.findall(r"\b(?:FROM|JOIN) (\w+)", " ".join(queries)))
    assert "registrations" in tables  # my registrations are looked up again …
    assert not tables & {"referrals", "project_applications"}  # … my referrals and projects are not

    sign_up(app, event, me)
    assert "マイページの説明会" in client.get("/members/me").get_data(as_text=True)



def test_a_kept_value_served_inside_a_fragment_counts_for_the_fragment_and_the_page(app):
    """The staff member's organisations, kept, served while the directory is rendered: both depend on them."""
    with app.test_request_context():
        with dataversions.recording() as fragment:
            dataversions.read(slot for slot in slots("organization_staff"))
        assert slots("organization_staff") <= fragment
        assert slots("organization_staff") <= dataversions.read_so_far()
