"""Organiser tools: create/edit, cancel, soft delete, attendees, CSV, 出欠, messages, reminders."""

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from core.audit import AuditEntry
from core.db import db
from events import refusals, reminders, services
from events.models import Event, Registration
from members.models import Member
from tests.conftest import csrf_token_from
from tests.events.conftest import event_form, set_event, soon

TOKYO = ZoneInfo("Asia/Tokyo")


def valid_form(organization_slug: str = "", **changes) -> dict:
    """The event form (DESIGN.md fields) for a training a month ahead, as a browser posts it."""
    start = (datetime.now(TOKYO) + timedelta(days=30)).replace(hour=14, minute=0, second=0, microsecond=0)
    return event_form(organization_slug, start, **changes)


@pytest.fixture
def organiser(make_member, make_organization):
    staff = make_member()
    organization = make_organization(staff=[staff], slug="ishinomaki-hr")
    return staff, organization


def test_staff_creates_an_event_with_tokyo_times_stored_in_utc(app, client, auth, organiser):
    staff, organization = organiser
    auth.login(staff)
    assert "イベントを作成" in client.get("/events/new").get_data(as_text=True)
    data = valid_form(organization.slug, starts_at="2031-11-21T14:00", ends_at="2031-11-21T16:30",
                      signup_deadline="2031-11-20T12:00")
    response = client.post("/events/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.title == "地域同期研修 説明会"))
        assert event.starts_at == datetime(2031, 11, 21, 5, 0, tzinfo=UTC)
        assert event.ends_at == datetime(2031, 11, 21, 7, 30, tzinfo=UTC)
        assert event.organization_id == organization.id and event.created_by_id == staff.id
        assert sorted(event.themes) == ["dialogue", "youth-retention"]
        assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.target_id == event.id)) == "event.create"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2031年11月21日(金) 14:00" in page and "16:30" in page


def test_edit_form_shows_tokyo_times(client, auth, organiser, make_event):
    staff, organization = organiser
    event = make_event(organization=organization, starts_at=datetime(2031, 11, 21, 5, 0, tzinfo=UTC))
    auth.login(staff)
    page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2031-11-21T14:00"' in page


def test_admin_creates_a_secretariat_event(app, client, auth, make_admin):
    auth.login(make_admin())
    response = client.post("/events/new", data=valid_form(""))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Event.organization_id)) is None


def test_staff_cannot_organise_for_another_organisation_or_the_secretariat(app, client, auth, organiser,
                                                                           make_organization):
    staff, _organization = organiser
    other = make_organization()
    auth.login(staff)
    for slug in (other.slug, ""):
        response = client.post("/events/new", data=valid_form(slug))
        assert response.status_code == 200
        assert "選択肢が正しくありません。" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_plain_members_cannot_create_events(client, auth, make_member):
    auth.login(make_member())
    assert client.get("/events/new").status_code == 404
    assert client.post("/events/new", data=valid_form("")).status_code == 404


@pytest.mark.parametrize("changes, message", [
    ({"title": ""}, "タイトルを入力してください。"),
    ({"title": "あ" * 121}, None),
    ({"starts_at": "2031/11/21 14:00"}, "日時は 2026-11-21T14:00 の形で入力してください。"),
    ({"starts_at": "2031-11-21T14:00", "ends_at": "2031-11-21T13:00"}, "終了日時は開始日時より後にしてください。"),
    ({"starts_at": "2031-11-01T10:00", "ends_at": "2031-12-02T10:01"},
     "1つのイベントの期間は31日までです。それより長いプログラムはシリーズとして作成してください。"),
    ({"signup_deadline": "2099-01-01T00:00"}, "申込締切は開始日時より前にしてください。"),
    ({"capacity": "0"}, "1から10,000までの数を入力してください。"),
    ({"capacity": "abc"}, None),
    ({"capacity": "10001"}, "1から10,000までの数を入力してください。"),
    ({"per_organization_cap": "50"}, "1社あたりの上限は定員以下にしてください。"),
    ({"format": "venue", "venue": ""}, "会場を入力してください。"),
    ({"format": "venue", "prefecture": ""}, "会場の都道府県を選んでください。"),
    ({"format": "online", "online_url": ""}, "オンライン会議のURLを入力してください。"),
    ({"online_url": "javascript:alert(1)"}, "https:// で始まるURLを入力してください。"),
    ({"online_url": "http://meet.example.jp/room"}, "https:// で始まるURLを入力してください。"),
    ({"themes": []}, "テーマを1つ以上選んでください。"),
    ({"themes": ["no-such-theme"]}, None),
    ({"kind": "party"}, None),
    ({"prefecture": "99"}, None),
    ({"summary": ""}, "概要を入力してください。"),
    ({"summary": "あ" * 301}, None),
    ({"body": "あ" * 20_001}, None),
])
def test_bad_input_keeps_what_was_typed_and_changes_nothing(app, client, auth, organiser, changes, message):
    staff, organization = organiser
    auth.login(staff)
    data = valid_form(organization.slug, **{"title": "入力を保持するタイトル", **changes})
    response = client.post("/events/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "下記の項目を修正してください" in html
    if message:
        assert message in html
    if "title" not in changes:
        assert 'value="入力を保持するタイトル"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_markdown_body_is_sanitised(client, auth, organiser):
    staff, organization = organiser
    auth.login(staff)
    body = ('<script>alert("x")</script>\n\n[click](javascript:alert(1))\n\n'
            '<img src=x onerror=alert(1)>\n\n**太字**')
    response = client.post("/events/new", data=valid_form(organization.slug, body=body))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page
    assert "<img" not in page  # raw HTML is shown as text, never as an element
    assert "<strong>太字</strong>" in page


def test_other_staff_and_members_get_404_on_organiser_pages(client, auth, make_member, make_organization,
                                                            organiser, make_event):
    _staff, organization = organiser
    event = make_event(organization=organization)
    outsider_staff = make_member()
    make_organization(staff=[outsider_staff])
    for viewer in (make_member(), outsider_staff):
        auth.login(viewer)
        for method, url in [("get", "edit"), ("get", "attendees"), ("get", "attendees.csv"), ("post", "delete"),
                            ("post", "cancel-event"), ("post", "message"), ("post", "attendance"),
                            ("post", "draw"), ("get", "lottery")]:
            response = getattr(client, method)(f"/events/{event.id}/{url}")
            assert response.status_code == 404, (viewer, url)
        auth.logout()


def test_secretariat_events_are_managed_by_admins_only(client, auth, make_member, organiser, make_event):
    staff, _organization = organiser
    event = make_event()
    auth.login(staff)
    assert client.get(f"/events/{event.id}/edit").status_code == 404


def test_edit_cannot_lower_capacity_below_confirmed(client, auth, organiser, make_event, make_members, register,
                                                    reload):
    staff, organization = organiser
    event = make_event(organization=organization, capacity=3)
    for member in make_members(3):
        register(event, member)
    auth.login(staff)
    response = client.post(f"/events/{event.id}/edit", data=valid_form(organization.slug, capacity="2"))
    assert "すでに3名の参加が確定しているため" in response.get_data(as_text=True)
    assert reload.event(event.id).capacity == 3


@pytest.mark.parametrize(("changes", "reason"), [({"capacity": 2}, "capacity_below_confirmed"),
                                                 ({"allocation": "lottery"}, "allocation_locked")])
def test_the_service_refuses_an_edit_the_registrations_forbid(app, organiser, make_event, make_members, register,
                                                             reload, changes, reason):
    """The rule is in the service, so the API and the CLI cannot break it either."""
    staff, organization = organiser
    event = make_event(organization=organization, capacity=3)
    for member in make_members(3):
        register(event, member)
    with app.app_context():
        actor = db.session.get(Member, staff.id)
        unchanged = {"capacity": 3, "allocation": "first-come"}
        services.update_event(db.session.get(Event, event.id), {**unchanged, "capacity": 4}, actor)  # control
        db.session.rollback()
        data = {**unchanged, **changes}
        with pytest.raises(refusals.ActionRefused) as refused:
            services.update_event(db.session.get(Event, event.id), data, actor)
        assert refused.value.reason == reason
        assert refused.value.field in ("capacity", "allocation")
        db.session.rollback()
    assert (reload.event(event.id).capacity, reload.event(event.id).allocation) == (3, "first-come")


def test_edit_refuses_another_allocation_once_members_registered(client, auth, organiser, make_event, make_members,
                                                                 register, reload):
    staff, organization = organiser
    event = make_event(organization=organization, capacity=3)
    register(event, make_members(1)[0])
    auth.login(staff)
    response = client.post(f"/events/{event.id}/edit", data=valid_form(organization.slug, allocation="lottery"))
    assert response.status_code == 200
    assert "申込がある場合、参加者の決め方は変更できません" in response.get_data(as_text=True)
    assert reload.event(event.id).allocation == "first-come"


def test_organiser_cancels_event_mails_registrants_and_keeps_data(app, client, auth, organiser, make_event,
                                                                  make_members, register, reload, outbox):
    staff, organization = organiser
    event = make_event(organization=organization, capacity=1)
    members = make_members(2)
    for member in members:
        register(event, member)
    auth.login(staff)
    assert "申込者全員（2名）" in client.get(f"/events/{event.id}/cancel-event").get_data(as_text=True)
    response = client.post(f"/events/{event.id}/cancel-event", data={"reason": "講師の急病のため"},
                           follow_redirects=True)
    assert "申込者2名にメールでお知らせしました" in response.get_data(as_text=True)
    fresh = reload.event(event.id)
    assert fresh.status == "cancelled" and fresh.cancelled_at is not None
    assert [r.status for r in reload.registrations(event.id)] == ["confirmed", "waitlisted"]
    for member in members:
        mails = outbox(member.email, kind="event.cancelled")
        assert len(mails) == 1 and "中止" in mails[0].subject and "講師の急病のため" in mails[0].body
    listing = client.get("/events/").get_data(as_text=True)
    assert event.title in listing and "中止" in listing


def test_soft_delete_hides_the_event_and_admin_restores_it(app, client, auth, organiser, make_admin, make_event):
    staff, organization = organiser
    event = make_event(organization=organization)
    auth.login(staff)
    client.post(f"/events/{event.id}/delete")
    assert client.get(f"/events/{event.id}").status_code == 404
    assert event.title not in client.get("/events/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Event, event.id) is not None  # nothing is lost
    auth.logout()
    auth.login(make_admin())
    assert event.title in client.get("/events/trash").get_data(as_text=True)
    client.post(f"/events/{event.id}/restore")
    auth.logout()
    assert client.get(f"/events/{event.id}").status_code == 200


def test_trash_is_404_for_non_admins(client, auth, organiser):
    staff, _organization = organiser
    auth.login(staff)
    assert client.get("/events/trash").status_code == 404


def test_attendee_list_shows_status_and_waitlist_order(client, auth, organiser, make_event, make_members, register):
    staff, organization = organiser
    event = make_event(organization=organization, capacity=2)
    members = make_members(4)
    for member in members:
        register(event, member)
    auth.login(staff)
    html = client.get(f"/events/{event.id}/attendees").get_data(as_text=True)
    for member in members:
        assert member.display_name in html
    assert html.count("参加確定</td>") == 2 and html.count("補欠</td>") == 2
    assert html.index(members[2].display_name) < html.index(members[3].display_name)
    assert '<label for="body">本文</label>' in html  # the message to attendees, not the contact form's wording
    rows = [cell.split("</td>")[0] for cell in html.split('<tr class="status-')[1:]]
    assert [row.split('<td data-label="番号">')[1] for row in rows] == ["1", "2", "3", "4"]  # row numbers, not the database's ids


def test_csv_export_is_utf8_with_bom_and_neutralises_formulas(client, auth, organiser, make_event, make_members,
                                                               register):
    staff, organization = organiser
    event = make_event(organization=organization, capacity=1)
    sneaky = make_members(1, display_name="=HYPERLINK(\"http://evil.example\")", organization_name="@SUM(A1)")[0]
    waiting = make_members(1, display_name="佐藤 美咲")[0]
    register(event, sneaky)
    register(event, waiting)
    auth.login(staff)
    response = client.get(f"/events/{event.id}/attendees.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:5] == ["番号", "氏名", "メールアドレス", "所属", "状態"]
    assert rows[1][1].startswith("'=") and rows[1][3].startswith("'@") and rows[1][4] == "参加確定"
    assert rows[2][1] == "佐藤 美咲" and rows[2][4] == "補欠" and rows[2][5] == "1"


def test_attendance_is_marked_after_the_event(app, client, auth, organiser, make_event, make_members, register,
                                              reload):
    staff, organization = organiser
    event = make_event(organization=organization)
    came, missed = make_members(2)
    register(event, came)
    register(event, missed)
    auth.login(staff)
    assert "出欠はイベント開始後に記録できます" in client.get(f"/events/{event.id}/attendees").get_data(as_text=True)
    set_event(app, event.id, starts_at=soon(-1), ends_at=soon(-1) + timedelta(hours=2))
    page = client.get(f"/events/{event.id}/attendees").get_data(as_text=True)
    assert "出欠を保存する" in page
    rows = {r.member_id: r.id for r in reload.registrations(event.id)}
    data = {"marks-0-registration_id": rows[came.id], "marks-0-attendance": "attended",
            "marks-1-registration_id": rows[missed.id], "marks-1-attendance": "absent"}
    response = client.post(f"/events/{event.id}/attendance", data=data, follow_redirects=True)
    assert "出欠を保存しました（2件を変更）" in response.get_data(as_text=True)
    marks = {r.member_id: r.attendance for r in reload.registrations(event.id)}
    assert marks == {came.id: "attended", missed.id: "absent"}


def test_attendance_cannot_touch_another_events_registrations(app, client, auth, organiser, make_event,
                                                              make_members, register, reload):
    staff, organization = organiser
    mine = make_event(organization=organization, starts_at=soon(-1))
    foreign = make_event(starts_at=soon(-1))
    member = make_members(1)[0]
    with app.app_context():
        row = Registration(event_id=foreign.id, member_id=member.id, status="confirmed")
        db.session.add(row)
        db.session.commit()
        foreign_id = row.id
    auth.login(staff)
    client.post(f"/events/{mine.id}/attendance",
                data={"marks-0-registration_id": foreign_id, "marks-0-attendance": "attended"})
    assert reload.registrations(foreign.id)[0].attendance is None


def test_attendance_rejects_unknown_values(app, client, auth, organiser, make_event, make_members, register,
                                           reload):
    staff, organization = organiser
    event = make_event(organization=organization)
    member = make_members(1)[0]
    register(event, member)
    set_event(app, event.id, starts_at=soon(-1))
    auth.login(staff)
    rid = reload.registrations(event.id)[0].id
    response = client.post(f"/events/{event.id}/attendance",
                           data={"marks-0-registration_id": rid, "marks-0-attendance": "<script>"},
                           follow_redirects=True)
    assert "出欠を保存できませんでした" in response.get_data(as_text=True)
    assert reload.registrations(event.id)[0].attendance is None


def test_message_goes_to_confirmed_attendees_only(client, auth, organiser, make_event, make_members, register,
                                                  outbox):
    staff, organization = organiser
    event = make_event(organization=organization, capacity=1)
    confirmed, waiting = make_members(2)
    register(event, confirmed)
    register(event, waiting)
    auth.login(staff)
    response = client.post(f"/events/{event.id}/message",
                           data={"subject": "持ち物のご案内", "body": "筆記用具をお持ちください。"},
                           follow_redirects=True)
    assert "参加確定者1名にお知らせを送りました" in response.get_data(as_text=True)
    mails = outbox(kind="event.message")
    assert [m.to_address for m in mails] == [confirmed.email]
    assert "持ち物のご案内" in mails[0].subject and "筆記用具をお持ちください。" in mails[0].body


def test_empty_message_is_refused(client, auth, organiser, make_event, outbox):
    staff, organization = organiser
    event = make_event(organization=organization)
    auth.login(staff)
    response = client.post(f"/events/{event.id}/message", data={"subject": "", "body": ""})
    assert response.status_code == 200 and "件名を入力してください。" in response.get_data(as_text=True)
    assert outbox(kind="event.message") == []


def test_forged_organiser_actions_without_csrf_are_refused(make_app, organiser, make_event, reload):
    staff, organization = organiser
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    event = make_event(organization=organization)
    browser = csrf_app.test_client()
    token = csrf_token_from(browser.get("/members/login").get_data(as_text=True))
    browser.post("/members/login", data={"email": staff.email, "password": "correct-horse-battery-42",
                                         "csrf_token": token})
    assert browser.post(f"/events/{event.id}/delete").status_code == 400
    assert browser.post(f"/events/{event.id}/cancel-event", data={"reason": "x"}).status_code in (200, 400)
    assert reload.event(event.id).status == "published" and reload.event(event.id).deleted_at is None


def test_reminders_are_sent_once_to_confirmed_attendees_within_24_hours(app, runner, make_event, make_members,
                                                                       register, outbox):
    tomorrow = make_event(starts_at=soon(0, hours=20), capacity=1, format="online", prefecture=None, venue="",
                          online_url="https://meet.example.jp/reminder-room")
    next_week = make_event(starts_at=soon(7))
    cancelled = make_event(starts_at=soon(0, hours=10))
    confirmed, waiting = make_members(2)
    register(tomorrow, confirmed)
    register(tomorrow, waiting)
    register(next_week, confirmed)
    register(cancelled, confirmed)
    set_event(app, cancelled.id, status="cancelled")
    first = runner.invoke(args=["events", "send-reminders"])
    assert first.exit_code == 0 and "reminders queued: 1" in first.output
    second = runner.invoke(args=["events", "send-reminders"])
    assert "reminders queued: 0" in second.output
    mails = outbox(kind="event.reminder")
    assert [m.to_address for m in mails] == [confirmed.email]
    assert "まもなく開催" in mails[0].subject and "reminder-room" in mails[0].body


def test_reminder_service_is_idempotent_across_sessions(app, make_event, make_members, register):
    event = make_event(starts_at=soon(0, hours=5))
    for member in make_members(3):
        register(event, member)
    with app.app_context():
        assert reminders.send_reminders() == 3
        db.session.commit()
    with app.app_context():
        assert reminders.send_reminders() == 0
        db.session.commit()


def test_manage_page_lists_drafts_of_my_organisation_only(client, auth, organiser, make_event, make_organization):
    staff, organization = organiser
    mine = make_event(organization=organization, status="draft", title="わたしたちの下書き")
    theirs = make_event(organization=make_organization(), status="draft", title="よその下書き")
    auth.login(staff)
    html = client.get("/events/manage").get_data(as_text=True)
    assert mine.title in html and theirs.title not in html
    assert client.get(f"/events/{mine.id}").status_code == 200
    assert client.get(f"/events/{theirs.id}").status_code == 404


def test_published_event_cannot_go_back_to_draft(app, organiser, make_event):
    staff, organization = organiser
    event = make_event(organization=organization)
    with app.app_context():
        services.update_event(db.session.get(Event, event.id),
                              {"status": "draft", "organization_id": organization.id, "themes": ["seniors"]},
                              db.session.get(Member, staff.id))
        db.session.commit()
        assert db.session.get(Event, event.id).status == "published"


def test_the_event_form_keeps_address_fee_consent_and_retention(app, client, auth, organiser):
    staff, organization = organiser
    auth.login(staff)
    data = valid_form(organization.slug, address="宮城県石巻市中央2-1-1", fee="無料", answer_retention_days="400",
                      consent_note="回答は当日の準備にだけ使います。")
    bad = client.post("/events/new", data={**data, "answer_retention_days": "0"})
    assert "1〜3,650の日数" in bad.get_data(as_text=True)
    assert "回答は当日の準備にだけ使います。" in bad.get_data(as_text=True)
    client.post("/events/new", data=data)
    with app.app_context():
        event = db.session.scalars(sa.select(Event)).one()
        assert (event.address, event.fee, event.consent_note, event.answer_retention_days) == (
            "宮城県石巻市中央2-1-1", "無料", "回答は当日の準備にだけ使います。", 400)
    edit = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="宮城県石巻市中央2-1-1"' in edit and f'/events/{event.id}/questions/signup' in edit
