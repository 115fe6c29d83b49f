"""Events in the site search (/search and GET /api/v1/search): indexed on every change, by visibility."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from core import search
from core.db import db
from events import search_index, services
from events.models import Event
from members.models import Member
from tests.conftest import PASSWORD
from tests.events.conftest import event_form, soon

TITLE = "漁業の担い手を育てるセミナー"
BODY = "## 内容\n\n地元の**農家**と語り合う時間があります。"


def search_event_form(organization_slug: str, **changes) -> dict:
    start = datetime(2031, 12, 3, 15, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    defaults = {"title": TITLE, "body": BODY, "summary": "浜の仕事をこれから担う人を育てる方法を考えます。"}
    return event_form(organization_slug, start, **{**defaults, **changes})


@pytest.fixture
def organiser(client, auth, make_member, make_organization):
    """Staff of an organisation, logged in on `client`."""
    staff = make_member()
    organization = make_organization(staff=[staff], slug="hama-no-jinji")
    auth.login(staff)
    return staff, organization


@pytest.fixture
def create(app, client, organiser):
    """Create an event through /events/new as the organiser; returns its id."""

    def factory(**changes) -> int:
        response = client.post("/events/new", data=search_event_form(organiser[1].slug, **changes))
        assert response.status_code == 302, response.get_data(as_text=True)
        return int(re.search(r"/events/(\d+)$", response.headers["Location"]).group(1))

    return factory


@pytest.fixture
def visitor(app):
    return app.test_client()


def found(client, q: str, **args) -> list[tuple[str, str]]:
    """(title, link) of the hits /search shows."""
    html = client.get("/search", query_string={"q": q, **args}).get_data(as_text=True)
    return [(re.sub(r"<[^>]+>", "", title), url)
            for url, title in re.findall(r'<h3><a href="([^"]+)">(.*?)</a></h3>', html)]


def api_hits(client, q: str, token: str | None = None, **args) -> list[dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get("/api/v1/search", query_string={"q": q, **args}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_an_event_is_found_by_a_word_of_its_title_and_of_its_body(create, visitor):
    event_id = create()
    for word in ("漁業", "農家"):
        assert found(visitor, word) == [(TITLE, f"/events/{event_id}")], word
    html = visitor.get("/search", query_string={"q": "農家"}).get_data(as_text=True)
    hit = html[html.index('class="list search-results"'):]
    assert '<span class="tag">イベント</span>' in hit and '<span class="tag tag-muted">研修</span>' in hit
    assert '<time datetime="2031-12-03T15:00:00+09:00">2031年12月3日(水) 15:00</time>' in hit
    assert "地元の<mark>農家</mark>と語り合う" in hit  # Markdown is indexed as text
    assert "中止" not in hit and "RAN会員限定" not in hit

    (item,) = api_hits(visitor, "漁業")
    assert item["kind"] == "event" and item["title"] == TITLE
    assert item["title_html"] == "<mark>漁業</mark>の担い手を育てるセミナー"
    assert item["url"] == f"http://localhost/events/{event_id}"
    assert item["meta"]["id"] == event_id
    assert {key: item["meta"][key] for key in ("type", "format", "audience", "prefecture", "themes", "status")} == {
        "type": "training", "format": "hybrid", "audience": "public", "prefecture": "04",
        "themes": ["dialogue", "youth-retention"], "status": "published",
    }
    assert item["meta"]["starts_at"] == "2031-12-03T15:00:00+09:00"
    assert item["meta"]["date_label"] == "2031年12月3日(水) 15:00"
    assert item["meta"]["status_label"] == ""
    assert [i["url"] for i in api_hits(visitor, "農家")] == [item["url"]]


def test_filters_of_the_search_page_apply_to_events(create, visitor):
    event_id = create()
    link = f"/events/{event_id}"
    assert [url for _title, url in found(visitor, "漁業", kind="event")] == [link]
    assert found(visitor, "漁業", kind="article") == []
    assert [url for _title, url in found(visitor, "漁業", theme="dialogue", prefecture="04")] == [link]
    assert found(visitor, "漁業", theme="seniors") == []
    assert found(visitor, "漁業", prefecture="13") == []
    assert api_hits(visitor, "漁業", kind="organization") == []


def test_drafts_are_found_only_once_published(app, client, create, visitor):
    event_id = create(status="draft")
    assert found(visitor, "漁業") == [] and found(client, "漁業") == []
    assert api_hits(visitor, "漁業") == []
    response = client.post(f"/events/{event_id}/edit", data=search_event_form("hama-no-jinji", status="published"))
    assert response.status_code == 302
    assert [url for _title, url in found(visitor, "漁業")] == [f"/events/{event_id}"]


def test_deleted_events_are_not_found_until_restored(client, auth, create, visitor, make_admin):
    event_id = create()
    assert client.post(f"/events/{event_id}/delete").status_code == 302
    assert found(visitor, "漁業") == [] and found(client, "農家") == []
    assert api_hits(visitor, "漁業") == []
    auth.logout()
    auth.login(make_admin())
    assert found(client, "漁業") == []  # not even for the secretariat: it is in the trash, not listed
    assert client.post(f"/events/{event_id}/restore").status_code == 302
    assert [url for _title, url in found(visitor, "漁業")] == [f"/events/{event_id}"]


def test_members_only_events_are_found_by_members_only(app, create, visitor, make_member, api_token):
    event_id = create(audience="members")
    assert found(visitor, "漁業") == [] and found(visitor, "農家") == []
    assert api_hits(visitor, "漁業") == []
    member = make_member()
    html = _logged_in(app, member).get("/search", query_string={"q": "漁業"}).get_data(as_text=True)
    assert f'href="/events/{event_id}"' in html and '<span class="tag">RAN会員限定</span>' in html
    (item,) = api_hits(visitor, "漁業", token=api_token(member))
    assert item["meta"]["audience"] == "members" and item["meta"]["audience_label"] == "RAN会員限定"


def _logged_in(app, member: Member):
    client = app.test_client()
    response = client.post("/members/login", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_an_edited_title_is_found_by_its_new_word_not_the_old(client, create, visitor):
    event_id = create()
    changed = search_event_form("hama-no-jinji", title="林業の担い手を育てるセミナー", body="山の仕事を学びます。")
    assert client.post(f"/events/{event_id}/edit", data=changed).status_code == 302
    assert found(visitor, "漁業") == [] and found(visitor, "農家") == []
    assert found(visitor, "林業") == [("林業の担い手を育てるセミナー", f"/events/{event_id}")]
    assert [i["title"] for i in api_hits(visitor, "林業")] == ["林業の担い手を育てるセミナー"]
    assert api_hits(visitor, "漁業") == []


def test_a_cancelled_event_is_still_found_and_marked_cancelled(client, create, visitor):
    """Like connpass: a cancelled event stays findable, with its 中止 label."""
    event_id = create()
    response = client.post(f"/events/{event_id}/cancel-event", data={"reason": "台風のため"})
    assert response.status_code == 302
    html = visitor.get("/search", query_string={"q": "漁業"}).get_data(as_text=True)
    assert f'href="/events/{event_id}"' in html
    assert '<span class="tag tag-warn">中止</span>' in html
    (item,) = api_hits(visitor, "漁業")
    assert item["meta"]["status"] == "cancelled" and item["meta"]["status_label"] == "中止"


def test_a_past_event_is_found_and_marked_ended(app, create, visitor):
    event_id = create()
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.starts_at, event.ends_at = soon(-3), soon(-3, hours=2)
        db.session.commit()
    html = visitor.get("/search", query_string={"q": "漁業"}).get_data(as_text=True)
    assert f'href="/events/{event_id}"' in html and '<span class="tag tag-muted">終了</span>' in html


def test_english_pages_show_english_labels_and_dates(create, visitor):
    create()
    html = visitor.get("/search", query_string={"q": "漁業", "lang": "en"}).get_data(as_text=True)
    hit = html[html.index('class="list search-results"'):]
    assert '<span class="tag">Events</span>' in hit and "Wed, 3 Dec 2031 15:00" in hit


def test_search_reindex_rebuilds_the_events(app, runner, make_event):
    """Events written outside the services (an old database) are found after `search reindex --kind event`."""
    listed = make_event(title="漁業の研修")
    cancelled = make_event(title="漁業の相談会", status="cancelled")
    make_event(title="漁業の下書き", status="draft")
    make_event(title="漁業の削除済み", deleted_at=soon(-1))
    with app.app_context():
        search.index(search_index.SEARCH_KIND, 999_999, title="漁業の古い文書")
        db.session.commit()
    result = runner.invoke(args=["search", "reindex", "--kind", "event"])
    assert result.exit_code == 0, result.output
    assert "event: 2 indexed" in result.output
    with app.app_context():
        hits = search.query("漁業", kinds=[search_index.SEARCH_KIND]).hits
        assert sorted(hit.object_id for hit in hits) == sorted([listed.id, cancelled.id])


def test_every_change_of_an_event_through_the_services_keeps_the_index(app, make_member):
    """create, update, cancel, delete and restore: the document follows the event."""
    actor = make_member(is_admin=True)

    def titles(q):
        return [hit.title for hit in search.query(q, kinds=["event"], viewer=search.Viewer(is_admin=True)).hits]

    with app.app_context():
        member = db.session.get(Member, actor.id)
        starts = soon(30)
        data = {"title": "漁業の集い", "kind": "meeting", "format": "online", "starts_at": starts,
                "ends_at": starts + timedelta(hours=1), "capacity": 5, "audience": "public",
                "summary": "浜の話", "body": "", "themes": ["dialogue"], "status": "published"}
        event = services.create_event(data, member)
        assert titles("漁業") == ["漁業の集い"]
        services.update_event(event, {**data, "title": "林業の集い"}, member)
        assert titles("漁業") == [] and titles("林業") == ["林業の集い"]
        services.cancel_event(event, member)
        assert search.query("林業", viewer=search.Viewer(is_admin=True)).hits[0].meta["status"] == "cancelled"
        services.delete_event(event, member)
        assert titles("林業") == []
        services.restore_event(event, member)
        assert titles("林業") == ["林業の集い"]
        db.session.rollback()


def test_search_page_query_count_does_not_grow_with_the_events(app, client, make_member, count_queries, runner,
                                                               make_event):
    def statements(q):
        with count_queries() as sql:
            assert client.get("/search", query_string={"q": q}).status_code == 200
        return len(sql)

    make_event(title="漁業の研修 その1")
    runner.invoke(args=["search", "reindex", "--kind", "event"])
    one = statements("漁業")
    for n in range(2, 31):
        make_event(title=f"漁業の研修 その{n}", audience=("public", "members")[n % 2], themes=("seniors", "women"))
    runner.invoke(args=["search", "reindex", "--kind", "event"])
    html = client.get("/search", query_string={"q": "漁業"}).get_data(as_text=True)
    assert html.count('class="snippet"') == 16 and 'rel="next"' not in html  # the public ones
    assert statements("漁業") == one


def test_demo_events_are_searchable(app, runner, visitor):
    result = runner.invoke(args=["seed-demo", "--scale", "1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        listed = db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(
            Event.deleted_at.is_(None), Event.status.in_(("published", "cancelled"))))
        documents = db.session.scalar(sa.select(sa.func.count()).select_from(search.SearchDocument).where(
            search.SearchDocument.kind == "event"))
        assert documents == listed
        synthetic = search.query("ベンチマーク", kinds=["event"], viewer=search.Viewer(is_admin=True))
        assert synthetic.total == 20
        public_synthetic = search.query("ベンチマーク", kinds=["event"])
        assert public_synthetic.total == 10  # every other one is for members only
    titles = [title for title, _url in found(visitor, "カンファレンス", kind="event")]
    assert titles and all("カンファレンス" in title for title in titles)
    assert found(visitor, "定例会", kind="event") == []  # the monthly meetings are for members


def test_an_upcoming_event_comes_before_equally_relevant_past_ones(app, create, visitor):
    upcoming = create(title="地域人事部カンファレンス2031")
    past = create(title="地域人事部カンファレンス2030")
    with app.app_context():
        event = db.session.get(Event, past)
        event.starts_at, event.ends_at = soon(-300), soon(-300, hours=4)
        db.session.commit()
    assert [url for _title, url in found(visitor, "カンファレンス")] == [f"/events/{upcoming}", f"/events/{past}"]
