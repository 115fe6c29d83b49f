"""Registration rules of DESIGN.md, through the pages and the service, on both engines."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from core.db import db
from events import services
from events.models import Event, Registration
from events.registration import normalise_affiliation, refusal_for
from members.models import Member
from tests.conftest import csrf_token_from
from tests.events.conftest import set_event, soon


def test_signup_confirms_and_mails(client, auth, make_member, make_event, reload, outbox):
    member = make_member()
    event = make_event(capacity=2)
    auth.login(member)
    response = client.post(f"/events/{event.id}/signup")
    assert response.status_code == 302
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "参加が確定しています" in page
    assert reload.status_of(event.id, member) == "confirmed"
    assert reload.event(event.id).confirmed_count == 1
    mails = outbox(member.email, kind="event.confirmed")
    assert len(mails) == 1 and event.title in mails[0].subject


def test_never_over_capacity_then_waitlist_in_order(client, auth, make_members, make_event, reload):
    event = make_event(capacity=2)
    members = make_members(5)
    for member in members:
        auth.login(member)
        client.post(f"/events/{event.id}/signup")
        auth.logout()
    statuses = [reload.status_of(event.id, m) for m in members]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    fresh = reload.event(event.id)
    assert (fresh.confirmed_count, fresh.waitlist_count) == (2, 3)
    auth.login(members[4])
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "補欠の3番目" in page


def test_full_event_without_waitlist_refuses(client, auth, make_members, make_event, reload):
    event = make_event(capacity=1, waitlist_enabled=False)
    first, second = make_members(2)
    auth.login(first)
    client.post(f"/events/{event.id}/signup")
    auth.logout()
    auth.login(second)
    response = client.post(f"/events/{event.id}/signup", follow_redirects=True)
    assert "満席のため" in response.get_data(as_text=True)
    assert reload.status_of(event.id, second) is None
    assert reload.event(event.id).confirmed_count == 1


def test_one_registration_per_member(client, auth, make_member, make_event, reload):
    member = make_member()
    event = make_event(capacity=5)
    auth.login(member)
    client.post(f"/events/{event.id}/signup")
    response = client.post(f"/events/{event.id}/signup", follow_redirects=True)
    assert "すでにこのイベントに申し込んでいます" in response.get_data(as_text=True)
    assert len(reload.registrations(event.id)) == 1
    assert reload.event(event.id).confirmed_count == 1


def test_database_refuses_a_second_row_for_the_same_member(app, make_member, make_event):
    member = make_member()
    event = make_event()
    with app.app_context():
        db.session.add_all([
            Registration(event_id=event.id, member_id=member.id, status="confirmed"),
            Registration(event_id=event.id, member_id=member.id, status="waitlisted"),
        ])
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()


def test_cancel_promotes_first_waitlisted_and_mails_them(client, auth, make_members, make_event, reload, outbox):
    event = make_event(capacity=1)
    holder, first_waiting, second_waiting = make_members(3)
    for member in (holder, first_waiting, second_waiting):
        auth.login(member)
        client.post(f"/events/{event.id}/signup")
        auth.logout()
    auth.login(holder)
    response = client.post(f"/events/{event.id}/cancel", follow_redirects=True)
    assert "申し込みを取り消しました" in response.get_data(as_text=True)
    assert reload.status_of(event.id, holder) == "cancelled"
    assert reload.status_of(event.id, first_waiting) == "confirmed"
    assert reload.status_of(event.id, second_waiting) == "waitlisted"
    fresh = reload.event(event.id)
    assert (fresh.confirmed_count, fresh.waitlist_count) == (1, 1)
    promoted = outbox(first_waiting.email, kind="event.promoted")
    assert len(promoted) == 1 and "確定" in promoted[0].subject
    assert outbox(second_waiting.email, kind="event.promoted") == []


def test_cancelling_a_waitlisted_place_moves_the_others_up(client, auth, make_members, make_event, reload):
    event = make_event(capacity=1)
    members = make_members(4)
    for member in members:
        auth.login(member)
        client.post(f"/events/{event.id}/signup")
        auth.logout()
    auth.login(members[1])
    client.post(f"/events/{event.id}/cancel")
    auth.logout()
    auth.login(members[3])
    assert "補欠の2番目" in client.get(f"/events/{event.id}").get_data(as_text=True)
    assert reload.event(event.id).waitlist_count == 2


def test_register_again_after_cancelling_goes_to_the_end(client, auth, make_members, make_event, reload):
    event = make_event(capacity=1)
    first, second = make_members(2)
    for member in (first, second):
        auth.login(member)
        client.post(f"/events/{event.id}/signup")
        auth.logout()
    auth.login(first)
    client.post(f"/events/{event.id}/cancel")
    client.post(f"/events/{event.id}/signup")
    assert reload.status_of(event.id, second) == "confirmed"
    assert reload.status_of(event.id, first) == "waitlisted"
    assert len(reload.registrations(event.id)) == 2


def test_signup_after_deadline_is_refused(client, auth, make_member, make_event, reload):
    event = make_event(signup_deadline=soon(-1))
    member = make_member()
    auth.login(member)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "受付は終了しました" in page and "申し込む</button>" not in page
    response = client.post(f"/events/{event.id}/signup", follow_redirects=True)
    assert "申し込み受付は終了しました" in response.get_data(as_text=True)
    assert reload.registrations(event.id) == []


def test_signup_after_start_is_refused(client, auth, make_member, make_event, reload):
    event = make_event(starts_at=soon(-0.1))
    auth.login(make_member())
    client.post(f"/events/{event.id}/signup")
    assert reload.registrations(event.id) == []


def test_cancelled_event_refuses_signups(client, auth, make_member, make_event, reload):
    event = make_event(status="cancelled")
    auth.login(make_member())
    response = client.post(f"/events/{event.id}/signup", follow_redirects=True)
    assert "このイベントは中止になりました" in response.get_data(as_text=True)
    assert reload.registrations(event.id) == []


def test_draft_event_is_404_for_members(client, auth, make_member, make_event, reload):
    event = make_event(status="draft")
    auth.login(make_member())
    assert client.get(f"/events/{event.id}").status_code == 404
    assert client.post(f"/events/{event.id}/signup").status_code == 404
    assert reload.registrations(event.id) == []


def test_deleted_event_is_404(client, auth, make_member, make_event):
    event = make_event(deleted_at=soon(-1))
    auth.login(make_member())
    assert client.get(f"/events/{event.id}").status_code == 404
    assert client.post(f"/events/{event.id}/signup").status_code == 404


def test_members_only_event_refuses_visitors(client, make_event, reload):
    event = make_event(audience="members", body="会員向けの詳しい案内です。", venue="秘密の会場")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "RAN会員限定" in page
    assert "会員向けの詳しい案内です。" not in page and "秘密の会場" not in page
    response = client.post(f"/events/{event.id}/signup")
    assert response.status_code == 302 and "/members/login" in response.headers["Location"]
    assert reload.registrations(event.id) == []


def test_members_only_event_accepts_members(client, auth, make_member, make_event, reload):
    event = make_event(audience="members", body="会員向けの詳しい案内です。")
    member = make_member()
    auth.login(member)
    assert "会員向けの詳しい案内です。" in client.get(f"/events/{event.id}").get_data(as_text=True)
    client.post(f"/events/{event.id}/signup")
    assert reload.status_of(event.id, member) == "confirmed"


def test_service_refuses_visitors_for_members_only_events(app, make_event):
    event = make_event(audience="members")
    with app.test_request_context():
        assert refusal_for(db.session.get(Event, event.id), AnonymousUserMixin()) == "members_only"


@pytest.mark.parametrize("viewer", ["visitor", "other member", "waitlisted"])
def test_online_url_hidden_from_those_without_a_confirmed_place(client, auth, make_members, make_event, viewer):
    event = make_event(format="online", prefecture=None, venue="", online_url="https://meet.example.jp/secret-room",
                       capacity=1)
    holder, other = make_members(2)
    auth.login(holder)
    client.post(f"/events/{event.id}/signup")
    auth.logout()
    if viewer != "visitor":
        auth.login(other)
        if viewer == "waitlisted":
            client.post(f"/events/{event.id}/signup")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "secret-room" not in page
    assert "secret-room" not in client.get(f"/events/{event.id}.ics").get_data(as_text=True)
    assert "secret-room" not in client.get("/events/calendar.ics").get_data(as_text=True)
    assert "secret-room" not in client.get(f"/api/v1/events/{event.id}").get_data(as_text=True)
    assert "secret-room" not in client.get("/api/v1/events").get_data(as_text=True)


def test_online_url_shown_to_confirmed_attendee_organiser_and_admin(
    client, auth, make_member, make_admin, make_organization, make_event, outbox
):
    staff = make_member()
    organization = make_organization(staff=[staff])
    event = make_event(format="online", prefecture=None, venue="", online_url="https://meet.example.jp/secret-room",
                       organization=organization)
    attendee = make_member()
    for viewer in (attendee, staff, make_admin()):
        auth.login(viewer)
        if viewer is attendee:
            client.post(f"/events/{event.id}/signup")
        assert "https://meet.example.jp/secret-room" in client.get(f"/events/{event.id}").get_data(as_text=True)
        auth.logout()
    assert "secret-room" in outbox(attendee.email, kind="event.confirmed")[0].body


def test_waitlist_mail_carries_no_online_url(client, auth, make_members, make_event, outbox):
    event = make_event(format="online", prefecture=None, venue="", online_url="https://meet.example.jp/secret-room",
                       capacity=1)
    first, second = make_members(2)
    for member in (first, second):
        auth.login(member)
        client.post(f"/events/{event.id}/signup")
        auth.logout()
    waitlisted = outbox(second.email, kind="event.waitlisted")
    assert len(waitlisted) == 1 and "secret-room" not in waitlisted[0].body


def test_cancel_after_start_is_refused(app, client, auth, make_member, make_event, reload):
    event = make_event()
    member = make_member()
    auth.login(member)
    client.post(f"/events/{event.id}/signup")
    set_event(app, event.id, starts_at=soon(-0.01), ends_at=soon(0.1))
    client.post(f"/events/{event.id}/cancel")
    assert reload.status_of(event.id, member) == "confirmed"


def test_cancel_without_registration_says_so(client, auth, make_member, make_event):
    event = make_event()
    auth.login(make_member())
    response = client.post(f"/events/{event.id}/cancel", follow_redirects=True)
    assert "このイベントには申し込んでいません" in response.get_data(as_text=True)


def test_signup_needs_a_post_and_asking_for_the_step_changes_nothing(app, client, auth, make_member, make_event):
    event = make_event()
    auth.login(make_member())
    response = client.get(f"/events/{event.id}/signup")  # an event without questions has no step of its own
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{event.id}")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_forged_signup_without_csrf_token_is_refused(make_app, make_member, make_event, reload):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    member = make_member()
    event = make_event()
    browser = csrf_app.test_client()
    token = csrf_token_from(browser.get("/members/login").get_data(as_text=True))
    browser.post("/members/login", data={"email": member.email, "password": "correct-horse-battery-42",
                                         "csrf_token": token})
    assert browser.post(f"/events/{event.id}/signup").status_code == 400
    assert reload.registrations(event.id) == []
    page = browser.get(f"/events/{event.id}").get_data(as_text=True)
    browser.post(f"/events/{event.id}/signup", data={"csrf_token": csrf_token_from(page)})
    assert reload.status_of(event.id, member) == "confirmed"


def test_per_company_cap_waitlists_the_third_from_one_company(client, auth, make_members, make_event, reload):
    event = make_event(capacity=10, per_organization_cap=2)
    same_company = make_members(1, organization_name="株式会社 石巻みらい水産") + \
        make_members(1, organization_name="石巻みらい水産(株)") + \
        make_members(1, organization_name="ｲｼﾉﾏｷ 石巻みらい水産") + \
        make_members(1, organization_name="石巻ミライ水産 株式会社")
    other = make_members(1, organization_name="塩尻市役所")[0]
    third = make_members(1, organization_name="石巻みらい水産")[0]
    for member in [*same_company[:2], third, other]:
        auth.login(member)
        client.post(f"/events/{event.id}/signup")
        auth.logout()
    assert reload.status_of(event.id, same_company[0]) == "confirmed"
    assert reload.status_of(event.id, same_company[1]) == "confirmed"
    assert reload.status_of(event.id, third) == "waitlisted"
    assert reload.status_of(event.id, other) == "confirmed"
    # One of the company's two cancels: the third member of that company moves up.
    auth.login(same_company[0])
    client.post(f"/events/{event.id}/cancel")
    assert reload.status_of(event.id, third) == "confirmed"


def test_promotion_skips_a_company_at_its_cap(client, auth, make_members, make_event, reload):
    event = make_event(capacity=2, per_organization_cap=1)
    a1 = make_members(1, organization_name="A社")[0]
    b1 = make_members(1, organization_name="B社")[0]
    a2 = make_members(1, organization_name="A社")[0]
    c1 = make_members(1, organization_name="C社")[0]
    for member in (a1, b1, a2, c1):
        auth.login(member)
        client.post(f"/events/{event.id}/signup")
        auth.logout()
    assert [reload.status_of(event.id, m) for m in (a1, b1, a2, c1)] == [
        "confirmed", "confirmed", "waitlisted", "waitlisted"]
    auth.login(b1)
    client.post(f"/events/{event.id}/cancel")
    # a2 is first on the waitlist but A社 already holds its one seat: C社 moves up.
    assert reload.status_of(event.id, a2) == "waitlisted"
    assert reload.status_of(event.id, c1) == "confirmed"


@pytest.mark.parametrize("raw, expected", [
    ("株式会社 石巻みらい水産", "石巻みらい水産"),
    ("石巻みらい水産(株)", "石巻みらい水産"),
    ("石巻みらい水産（株）", "石巻みらい水産"),
    ("㈱石巻みらい水産", "石巻みらい水産"),
    ("ＡＢＣ　Ｈｏｌｄｉｎｇｓ", "abcholdings"),
    ("  ", ""),
])
def test_company_names_are_normalised(raw, expected):
    assert normalise_affiliation(raw) == expected


def test_raising_capacity_promotes_the_waitlist(app, client, auth, make_member, make_organization, make_members,
                                                make_event, reload, outbox):
    staff = make_member()
    organization = make_organization(staff=[staff])
    event = make_event(capacity=1, organization=organization)
    members = make_members(3)
    for member in members:
        auth.login(member)
        client.post(f"/events/{event.id}/signup")
        auth.logout()
    with app.app_context():
        services.update_event(db.session.get(Event, event.id), {"capacity": 2, "themes": ["seniors"],
                                                                 "organization_id": organization.id},
                              db.session.get(Member, staff.id))
        db.session.commit()
    assert [reload.status_of(event.id, m) for m in members] == ["confirmed", "confirmed", "waitlisted"]
    assert len(outbox(members[1].email, kind="event.promoted")) == 1


def test_member_eraser_frees_the_seat_and_keeps_the_figures(app, make_members, make_event, register, reload):
    event = make_event(capacity=1)
    leaving, waiting = make_members(2)
    register(event, leaving)
    register(event, waiting)
    with app.app_context():
        services.erase_member(db.session.get(Member, leaving.id))
        db.session.commit()
    rows = reload.registrations(event.id)
    assert [(r.member_id, r.status) for r in rows] == [(None, "cancelled"), (waiting.id, "confirmed")]


def test_past_registrations_survive_erasure_unlinked(app, make_members, make_event, register, reload):
    event = make_event(capacity=3)
    leaving = make_members(1)[0]
    register(event, leaving)
    set_event(app, event.id, starts_at=soon(-3), ends_at=soon(-3) + timedelta(hours=2))
    with app.app_context():
        services.erase_member(db.session.get(Member, leaving.id))
        db.session.commit()
    assert [(r.member_id, r.status) for r in reload.registrations(event.id)] == [(None, "confirmed")]
