"""/events/ and event pages: listing, filters, archive, seats, own status, constant queries, hooks."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from markupsafe import Markup

import core.paging
from core import hooks
from core.db import db
from events import sections
from events.models import Event, Registration
from members.models import Member
from tests.events.conftest import soon


def test_listing_shows_upcoming_with_japanese_dates_seats_and_format(client, make_event, make_members, register):
    event = make_event(starts_at=datetime(2031, 11, 21, 5, 0, tzinfo=UTC), capacity=12, format="hybrid",
                       online_url="https://meet.example.jp/x")
    past = make_event(starts_at=soon(-30), title="終わったセミナー")
    html = client.get("/events/").get_data(as_text=True)
    assert event.title in html and past.title not in html
    assert "2031年11月21日(金) 14:00" in html
    assert "残り12席" in html and "ハイブリッド" in html and "宮城県" in html and "セミナー" in html


def test_full_event_shows_full_and_waitlist_size(client, make_event, make_members, register):
    event = make_event(capacity=2)
    for member in make_members(5):
        register(event, member)
    html = client.get("/events/").get_data(as_text=True)
    assert "満席" in html and "補欠 3名" in html
    detail = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "満席" in detail and "補欠 3名" in detail


def test_past_archive(client, make_event):
    past = make_event(starts_at=soon(-30), title="昨年の定例会")
    upcoming = make_event(title="来月の定例会")
    html = client.get("/events/?when=past").get_data(as_text=True)
    assert past.title in html and upcoming.title not in html


@pytest.mark.parametrize("query, expected", [
    ("theme=seniors", {"シニアの会"}),
    ("prefecture=20", {"長野の会"}),
    ("format=online", {"オンラインの会"}),
    ("kind=consultation", {"相談の会"}),
    ("audience=members", {"会員の会"}),
    ("theme=bogus", {"シニアの会", "長野の会", "オンラインの会", "相談の会", "会員の会"}),
])
def test_filters(client, make_event, query, expected):
    make_event(title="シニアの会", themes=("seniors",))
    make_event(title="長野の会", prefecture="20")
    make_event(title="オンラインの会", format="online", prefecture=None, venue="", online_url="https://m.example.jp/a")
    make_event(title="相談の会", kind="consultation")
    make_event(title="会員の会", audience="members")
    html = client.get(f"/events/?{query}").get_data(as_text=True)
    shown = {title for title in ("シニアの会", "長野の会", "オンラインの会", "相談の会", "会員の会") if title in html}
    assert shown == expected


def test_no_match_offers_to_clear_the_filters(client, make_event):
    make_event(title="石巻の会", prefecture="04")
    html = client.get("/events/?prefecture=47&format=online").get_data(as_text=True)
    assert "条件に合うイベントはありません" in html or "No events match" in html
    assert '<a class="button button-secondary" href="/events/">条件をクリア</a>' in html
    assert "条件をクリア" not in client.get("/events/").get_data(as_text=True)


def test_drafts_and_deleted_events_are_not_listed(client, make_event):
    make_event(title="公開した会")
    make_event(title="下書きの会", status="draft")
    make_event(title="削除した会", deleted_at=soon(-1))
    html = client.get("/events/").get_data(as_text=True)
    assert "公開した会" in html
    assert "下書きの会" not in html and "削除した会" not in html


def test_pagination(client, make_event):
    for day in range(25):
        make_event(title=f"連番イベント{day:02d}", starts_at=soon(day + 1))
    first = client.get("/events/").get_data(as_text=True)
    second = client.get("/events/?page=2").get_data(as_text=True)
    assert "連番イベント00" in first and "連番イベント24" not in first
    assert "連番イベント24" in second and 'rel="prev"' in second
    assert client.get("/events/?page=99").status_code == 404  # past the end


def test_a_long_list_stops_counting_at_the_cap(client, make_event, monkeypatch):
    """The total of a huge calendar is "more than N": counting every row would grow with the table."""
    monkeypatch.setattr(core.paging, "COUNT_CAP", 10)
    for day in range(12):
        make_event(starts_at=soon(day + 1), kind="training" if day < 3 else "seminar")
    html = client.get("/events/").get_data(as_text=True)
    assert "10件を超えるイベントがあります。上の条件で絞り込んでください。" in html
    assert "12件" not in html
    # Under the cap a filtered list has its exact count.
    assert "3件のイベント" in client.get("/events/?kind=training").get_data(as_text=True)


def test_an_event_still_running_is_listed_as_upcoming(client, make_event):
    make_event(title="開催中の3日間研修", starts_at=soon(-2), ends_at=soon(1))
    make_event(title="終了した研修", starts_at=soon(-3), ends_at=soon(-1))
    upcoming = client.get("/events/").get_data(as_text=True)
    assert "開催中の3日間研修" in upcoming and "終了した研修" not in upcoming
    assert "終了した研修" in client.get("/events/?when=past").get_data(as_text=True)


def _count_requests(client, count_queries, url: str) -> int:
    client.get(url)  # warm caches (first request per app)
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_listing_makes_the_same_number_of_queries_for_few_and_many_events(client, make_event, make_organization,
                                                                          count_queries):
    organization = make_organization()
    for _ in range(5):
        make_event(organization=organization, themes=("seniors", "women"))
    few = _count_requests(client, count_queries, "/events/")
    for index in range(55):
        make_event(organization=make_organization() if index % 2 else None, themes=("seniors", "dialogue"))
    many = _count_requests(client, count_queries, "/events/")
    assert few == many, (few, many)
    assert many <= 5


def test_detail_makes_the_same_number_of_queries_for_few_and_many_registrations(
    client, auth, make_event, make_members, register, count_queries
):
    event = make_event(capacity=3)
    members = make_members(60)
    viewer = members[-1]
    for member in members[:5]:
        register(event, member)
    auth.login(viewer)
    few = _count_requests(client, count_queries, f"/events/{event.id}")
    for member in members[5:-1]:
        register(event, member)
    many = _count_requests(client, count_queries, f"/events/{event.id}")
    assert few == many, (few, many)
    assert "補欠 56名" in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_detail_queries_do_not_grow_for_a_waitlisted_viewer(client, auth, make_event, make_members, register,
                                                            count_queries):
    event = make_event(capacity=1)
    members = make_members(60)
    register(event, members[0])
    register(event, members[1])
    auth.login(members[1])
    few = _count_requests(client, count_queries, f"/events/{event.id}")
    for member in members[2:]:
        register(event, member)
    many = _count_requests(client, count_queries, f"/events/{event.id}")
    assert few == many
    assert "補欠の1番目" in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_attendee_page_queries_are_constant(client, auth, make_member, make_organization, make_event,
                                            make_members, register, count_queries):
    staff = make_member()
    event = make_event(capacity=5, organization=make_organization(staff=[staff]))
    members = make_members(60)
    for member in members[:5]:
        register(event, member)
    auth.login(staff)
    few = _count_requests(client, count_queries, f"/events/{event.id}/attendees")
    for member in members[5:]:
        register(event, member)
    many = _count_requests(client, count_queries, f"/events/{event.id}/attendees")
    assert few == many


def test_detail_shows_own_status_and_the_right_button(client, auth, make_event, make_members, register):
    event = make_event(capacity=1)
    holder, waiting, visitor_member = make_members(3)
    assert "ログインして申し込む" in client.get(f"/events/{event.id}").get_data(as_text=True)
    auth.login(visitor_member)
    assert ">申し込む</button>" in client.get(f"/events/{event.id}").get_data(as_text=True)
    auth.logout()
    register(event, holder)
    register(event, waiting)
    auth.login(holder)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "参加が確定しています" in html and "申し込みを取り消す" in html and "カレンダーに追加" in html
    auth.logout()
    auth.login(waiting)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "補欠の1番目です" in html and "申し込みを取り消す" in html
    auth.logout()
    auth.login(visitor_member)
    assert ">補欠として申し込む</button>" in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_detail_of_a_cancelled_event(client, make_event):
    event = make_event(status="cancelled")
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "このイベントは中止になりました" in html and ">申し込む</button>" not in html


def test_unknown_event_is_404(client):
    assert client.get("/events/999999").status_code == 404
    assert client.get("/events/999999.ics").status_code == 404


def test_english_listing(client, make_event):
    make_event(starts_at=datetime(2031, 11, 21, 5, 0, tzinfo=UTC))
    html = client.get("/events/?lang=en").get_data(as_text=True)
    assert "Fri, 21 Nov 2031 14:00" in html and "10 seats left" in html


def test_pages_have_no_inline_script_or_style(client, auth, make_event, make_members, register):
    event = make_event()
    html = client.get(f"/events/{event.id}").get_data(as_text=True) + client.get("/events/").get_data(as_text=True)
    assert "<script" not in html and "style=" not in html


# --- hooks: home, organisation page, /members/me, /impact ----------------------------------------


def test_home_page_lists_upcoming_events(client, make_event):
    event = make_event(title="ホームに出るセミナー")
    html = client.get("/").get_data(as_text=True)
    assert "開催予定のイベント" in html and event.title in html


def test_organization_section_lists_only_its_upcoming_events(app, make_organization, make_event):
    organization = make_organization()
    empty = make_organization()
    mine = make_event(organization=organization, title="この団体の会")
    make_event(title="ほかの会")
    make_event(organization=organization, title="この団体の昔の会", starts_at=soon(-40))
    with app.test_request_context("/"):
        html = sections.organization_section(db.session.get(type(organization), organization.id))
        assert isinstance(html, Markup)
        assert mine.title in html and "ほかの会" not in html and "昔の会" not in html
        assert sections.organization_section(db.session.get(type(empty), empty.id)) is None


def test_member_section_lists_my_registrations(app, make_event, make_members, register):
    mine_confirmed = make_event(title="確定した会", capacity=1)
    mine_waiting = make_event(title="補欠の会", capacity=1)
    past = make_event(title="行った会", starts_at=soon(-10))
    holder, me = make_members(2)
    register(mine_confirmed, me)
    register(mine_waiting, holder)
    register(mine_waiting, me)
    with app.app_context():
        db.session.add(Registration(event_id=past.id, member_id=me.id, status="confirmed", attendance="attended"))
        db.session.commit()
    with app.test_request_context("/members/me"):
        html = sections.member_section(db.session.get(Member, me.id))
    assert "申し込んだイベント" in html
    assert "確定した会" in html and "参加確定" in html
    assert "補欠の会" in html and "補欠1番" in html
    assert "行った会" in html and "出席" in html


def test_hooks_are_registered(app):
    with app.app_context():
        for hook, func in [(hooks.HOME_SECTIONS, sections.home_section),
                           (hooks.ORGANIZATION_SECTIONS, sections.organization_section),
                           (hooks.MEMBER_SECTIONS, sections.member_section),
                           (hooks.IMPACT_FIGURES, sections.impact_figures)]:
            assert func in hook.implementations()
        assert sections.SEARCH_PROVIDER in hooks.SEARCH_PROVIDERS.implementations()
        assert any(f.__module__ == "events.services" for f in hooks.MEMBER_ERASERS.implementations())
        assert any(f.__module__ == "events.demo" for f in hooks.DEMO_SEEDERS.implementations())


def test_impact_figures(app, make_event, make_members):
    held = make_event(starts_at=soon(-5))
    make_event(starts_at=soon(-5), status="cancelled")
    upcoming = make_event()
    members = make_members(3)
    with app.app_context():
        db.session.add_all([
            Registration(event_id=held.id, member_id=members[0].id, status="confirmed", attendance="attended"),
            Registration(event_id=held.id, member_id=members[1].id, status="confirmed", attendance="absent"),
            Registration(event_id=upcoming.id, member_id=members[2].id, status="waitlisted"),
            Registration(event_id=upcoming.id, member_id=members[0].id, status="cancelled"),
        ])
        db.session.commit()
    with app.test_request_context("/impact"):
        figures = {f.label: f.value for f in sections.impact_figures()}
    assert figures == {"開催したイベント": 1, "イベント申込数": 3, "参加実績": 1}


def test_time_zone_edge_in_listing(client, make_event):
    # 15:30 UTC is already the next day in Tokyo.
    make_event(starts_at=datetime(2031, 5, 31, 15, 30, tzinfo=UTC))
    assert "2031年6月1日(日) 0:30" in client.get("/events/").get_data(as_text=True)


def test_event_counts_match_rows_after_a_mixed_history(app, client, auth, make_event, make_members):
    event = make_event(capacity=3)
    members = make_members(8)
    for member in members:
        auth.login(member)
        client.post(f"/events/{event.id}/signup")
        auth.logout()
    for member in members[::3]:
        auth.login(member)
        client.post(f"/events/{event.id}/cancel")
        auth.logout()
    with app.app_context():
        fresh = db.session.get(Event, event.id)
        counts = dict(db.session.execute(
            sa.select(Registration.status, sa.func.count()).where(Registration.event_id == event.id)
            .group_by(Registration.status)).all())
        assert fresh.confirmed_count == counts.get("confirmed", 0) == 3
        assert fresh.waitlist_count == counts.get("waitlisted", 0)


