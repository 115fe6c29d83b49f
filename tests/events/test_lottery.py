"""Lottery (抽選): applications until the deadline, a recorded, re-checkable draw, per-company cap."""

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from core.audit import AuditEntry
from core.db import db
from events import refusals
from events.lottery import allocate, draw_lottery, draw_order, verify_draw
from events.models import Event, LotteryDraw, Registration
from events.registration import waitlist_position
from members.models import Member
from tests.events.conftest import set_event, soon
from tests.events.test_organiser import valid_form


@pytest.fixture
def lottery_event(make_member, make_organization, make_event):
    staff = make_member()
    organization = make_organization(staff=[staff])
    event = make_event(capacity=3, allocation="lottery", signup_deadline=soon(2), organization=organization)
    return event, staff


def _close_applications(app, event):
    set_event(app, event.id, signup_deadline=soon(-0.01))


def test_applications_wait_for_the_draw(client, auth, make_members, lottery_event, reload, outbox):
    event, _staff = lottery_event
    members = make_members(5)
    for member in members:
        auth.login(member)
        client.post(f"/events/{event.id}/signup")
        auth.logout()
    assert {reload.status_of(event.id, m) for m in members} == {"applied"}
    fresh = reload.event(event.id)
    assert (fresh.applied_count, fresh.confirmed_count, fresh.waitlist_count) == (5, 0, 0)
    assert len(outbox(members[0].email, kind="event.applied")) == 1
    assert "定員3名に5件の申込" in client.get("/events/").get_data(as_text=True)


def test_draw_before_deadline_is_refused(client, auth, make_members, lottery_event, reload):
    event, staff = lottery_event
    auth.login(staff)
    response = client.post(f"/events/{event.id}/draw", follow_redirects=True)
    assert "抽選は申込締切のあとに行えます" in response.get_data(as_text=True)
    assert reload.event(event.id).drawn_at is None


def test_draw_confirms_winners_and_waitlists_the_rest_in_drawn_order(
    app, client, auth, make_members, lottery_event, reload, outbox
):
    event, staff = lottery_event
    members = make_members(7)
    for member in members:
        auth.login(member)
        client.post(f"/events/{event.id}/signup")
        auth.logout()
    _close_applications(app, event)
    auth.login(staff)
    response = client.post(f"/events/{event.id}/draw", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "当選3名、補欠4名" in html and "検証済み" in html

    with app.app_context():
        record = db.session.scalar(sa.select(LotteryDraw).where(LotteryDraw.event_id == event.id))
        assert record.drawn_by_id == staff.id and len(record.seed) == 32 and record.drawn_at is not None
        assert record.drawn_order == draw_order(record.seed, record.applicant_ids)
        assert record.winner_ids == record.drawn_order[:3]
        registrations = {r.id: r for r in db.session.scalars(
            sa.select(Registration).where(Registration.event_id == event.id))}
        assert {registrations[i].status for i in record.winner_ids} == {"confirmed"}
        waitlisted = [registrations[i] for i in record.drawn_order[3:]]
        assert [r.status for r in waitlisted] == ["waitlisted"] * 4
        assert [waitlist_position(r) for r in waitlisted] == [1, 2, 3, 4]
        audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "event.lottery_draw"))
        assert audit.details["seed"] == record.seed
        emails = {r.id: db.session.get(Member, r.member_id).email for r in registrations.values()}
    fresh = reload.event(event.id)
    assert (fresh.confirmed_count, fresh.waitlist_count, fresh.applied_count) == (3, 4, 0)
    for rid in record.winner_ids:
        assert len(outbox(emails[rid], kind="event.lottery.won")) == 1
    first_loser = emails[record.drawn_order[3]]
    mails = outbox(first_loser, kind="event.lottery.waitlisted")
    assert len(mails) == 1 and "補欠1番目" in mails[0].body


def test_draw_is_recorded_once(app, client, auth, make_members, lottery_event):
    event, staff = lottery_event
    for member in make_members(2):
        auth.login(member)
        client.post(f"/events/{event.id}/signup")
        auth.logout()
    _close_applications(app, event)
    auth.login(staff)
    client.post(f"/events/{event.id}/draw")
    response = client.post(f"/events/{event.id}/draw", follow_redirects=True)
    assert "抽選はすでに行われています" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LotteryDraw)) == 1


@pytest.mark.commits
def test_two_organisers_drawing_at_once_draw_once(app, engine_name, make_member, make_members, make_organization,
                                                  make_event, register):
    staff_a, staff_b = make_member(), make_member()
    organization = make_organization(staff=[staff_a, staff_b])
    event = make_event(capacity=4, allocation="lottery", signup_deadline=soon(1), organization=organization)
    for member in make_members(10):
        register(event, member)
    _close_applications(app, event)
    outcomes = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def draw(actor):
        with app.app_context():
            target = db.session.get(Event, event.id)
            db.session.commit()  # hold no SQLite write lock while waiting for the other thread
            barrier.wait(timeout=30)
            try:
                draw_lottery(target, db.session.get(Member, actor.id))
                db.session.commit()
                result = "drawn"
            except refusals.ActionRefused as refused:
                db.session.rollback()
                result = refused.reason
            except sa.exc.IntegrityError:
                db.session.rollback()
                result = "already_drawn"
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=draw, args=(a,)) for a in (staff_a, staff_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["already_drawn", "drawn"]
    with app.app_context():
        fresh = db.session.get(Event, event.id)
        assert (fresh.confirmed_count, fresh.waitlist_count) == (4, 6)


def test_draw_can_be_rechecked_and_tampering_is_detected(app, make_members, lottery_event, register):
    event, staff = lottery_event
    for member in make_members(6):
        register(event, member)
    _close_applications(app, event)
    with app.app_context():
        record = draw_lottery(db.session.get(Event, event.id), db.session.get(Member, staff.id),
                                       seed="0123456789abcdef0123456789abcdef")
        db.session.commit()
        assert verify_draw(record)
        again = draw_order(record.seed, list(reversed(record.applicant_ids)))
        assert again == record.drawn_order  # the order depends on the seed, not on how ids are listed
        record.winner_ids = list(reversed(record.drawn_order))[:3]
        assert not verify_draw(record)
        db.session.rollback()


def test_lottery_page_shows_the_record_only_to_organisers(app, client, auth, make_member, make_members,
                                                         lottery_event, register):
    event, staff = lottery_event
    for member in make_members(4):
        register(event, member)
    _close_applications(app, event)
    auth.login(staff)
    client.post(f"/events/{event.id}/draw")
    page = client.get(f"/events/{event.id}/lottery").get_data(as_text=True)
    assert "シード" in page and "検証済み" in page
    auth.logout()
    auth.login(make_member())
    assert client.get(f"/events/{event.id}/lottery").status_code == 404
    assert client.post(f"/events/{event.id}/draw").status_code == 404


def test_lottery_respects_the_per_company_cap(app, make_members, make_member, make_organization, make_event,
                                              register):
    staff = make_member()
    organization = make_organization(staff=[staff])
    event = make_event(capacity=4, allocation="lottery", per_organization_cap=1, signup_deadline=soon(1),
                       organization=organization)
    big_company = make_members(6, organization_name="株式会社 大手")
    others = make_members(1, organization_name="小さな会社A") + make_members(1, organization_name="小さな会社B")
    for member in big_company + others:
        register(event, member)
    _close_applications(app, event)
    with app.app_context():
        record = draw_lottery(db.session.get(Event, event.id), db.session.get(Member, staff.id))
        db.session.commit()
        winners = db.session.scalars(
            sa.select(Registration).where(Registration.id.in_(record.winner_ids))
        ).all()
        companies = Counter(r.affiliation_key for r in winners)
        assert companies == {"大手": 1, "小さな会社a": 1, "小さな会社b": 1}
        assert verify_draw(record)
        assert db.session.get(Event, event.id).confirmed_count == 3


def test_cancelling_after_the_draw_promotes_in_drawn_order(app, client, auth, make_members, lottery_event,
                                                          register, reload):
    event, staff = lottery_event
    members = make_members(5)
    for member in members:
        register(event, member)
    _close_applications(app, event)
    with app.app_context():
        record = draw_lottery(db.session.get(Event, event.id), db.session.get(Member, staff.id))
        db.session.commit()
        winner_ids, drawn_order = list(record.winner_ids), list(record.drawn_order)
        by_registration = {r.id: r.member_id for r in db.session.scalars(
            sa.select(Registration).where(Registration.event_id == event.id))}
    winner = next(m for m in members if m.id == by_registration[winner_ids[0]])
    first_waiting = by_registration[drawn_order[3]]
    auth.login(winner)
    client.post(f"/events/{event.id}/cancel")
    with app.app_context():
        promoted = db.session.scalar(sa.select(Registration.status).where(
            Registration.event_id == event.id, Registration.member_id == first_waiting))
    assert promoted == "confirmed"


def test_withdrawing_an_application_before_the_draw(client, auth, make_member, lottery_event, reload):
    event, _staff = lottery_event
    member = make_member()
    auth.login(member)
    client.post(f"/events/{event.id}/signup")
    client.post(f"/events/{event.id}/cancel")
    assert reload.status_of(event.id, member) == "cancelled"
    assert reload.event(event.id).applied_count == 0


def test_lottery_form_requires_a_deadline(client, auth, make_member, make_organization):
    staff = make_member()
    organization = make_organization(staff=[staff])
    auth.login(staff)
    data = valid_form(organization.slug, allocation="lottery", signup_deadline="")
    response = client.post("/events/new", data=data)
    assert "抽選の場合は申込締切を入力してください" in response.get_data(as_text=True)


def test_draw_order_is_stable_for_a_seed():
    assert draw_order("seed", [3, 1, 2]) == draw_order("seed", [1, 2, 3])
    assert allocate([5, 6, 7, 8], {5: "a", 6: "a", 7: "b", 8: ""}, seats=3, cap=1) == [5, 7, 8]
