"""受付: the 受付票, the organiser's check-in desk and self check-in with the 出席コード."""

from datetime import timedelta

import sqlalchemy as sa

from core.audit import AuditEntry
from core.db import db, utcnow
from events import checkin
from events.models import Event, Registration
from tests.conftest import AuthActions
from tests.events.conftest import set_event


def _row(app, registration_id) -> Registration:
    with app.app_context():
        registration = db.session.get(Registration, registration_id)
        db.session.expunge(registration)
        return registration


def test_a_confirmed_member_has_a_ticket_with_a_qr_code_and_the_mail_says_so(client, auth, make_member, make_event,
                                                                           register, outbox):
    event = make_event(capacity=1)
    holder, waiting, stranger = make_member(), make_member(), make_member()
    registration = register(event, holder)
    register(event, waiting)
    assert len(registration.ticket_code) == 6 and set(registration.ticket_code) <= set(checkin.TICKET_ALPHABET)
    mail = outbox(holder.email, kind="event.confirmed")[-1].body
    assert registration.ticket_code in mail and f"/events/{event.id}/ticket" in mail
    auth.login(holder)
    page = client.get(f"/events/{event.id}/ticket").get_data(as_text=True)
    assert registration.ticket_code in page and '<svg' in page and 'class="qr"' in page
    assert f'href="/events/{event.id}/ticket"' in client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}/ticket"' in client.get("/members/me").get_data(as_text=True)
    for member in (waiting, stranger):  # a waitlisted place is no ticket; nobody sees another's
        auth.logout()
        auth.login(member)
        assert client.get(f"/events/{event.id}/ticket").status_code == 404


def test_the_organiser_checks_people_in_by_code_and_undoes_it(app, client, auth, make_member, make_organiser,
                                                              make_event, register):
    staff, organization = make_organiser()
    event = make_event(organization=organization)
    guest = make_member(display_name="佐藤 美咲")
    registration = register(event, guest)
    auth.login(staff)
    desk = client.get(f"/events/{event.id}/checkin")
    assert desk.status_code == 200 and "佐藤 美咲" in desk.get_data(as_text=True)
    assert desk.headers["Permissions-Policy"].startswith("camera=(self)")
    assert "camera=()" in client.get(f"/events/{event.id}").headers["Permissions-Policy"]

    # typed in lower case with a hyphen and full-width letters, or scanned as the ticket's address
    code = registration.ticket_code
    typed = code[:3].lower() + "-" + "".join(chr(ord(c) + 0xFEE0) for c in code[3:])
    response = client.post(f"/events/{event.id}/checkin", data={"code": typed})
    assert response.status_code == 302
    checked = _row(app, registration.id)
    assert checked.attendance == "attended" and checked.checked_in_at is not None
    assert client.get(f"/events/{event.id}/checkin/count").get_json() == {"confirmed": 1, "present": 1}
    follow = client.post(f"/events/{event.id}/checkin", data={"code": f"http://x/events/{event.id}/checkin/{code}"},
                         follow_redirects=True)
    assert "佐藤 美咲さんは受付済みです" in follow.get_data(as_text=True)

    client.post(f"/events/{event.id}/checkin/people/{registration.id}", data={"undo": "1"})
    assert _row(app, registration.id).attendance is None
    client.post(f"/events/{event.id}/checkin/people/{registration.id}")
    assert _row(app, registration.id).attendance == "attended"
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("event.check_in") == 2 and "event.check_in_undone" in actions


def test_a_forged_or_foreign_code_checks_nobody_in(app, client, auth, make_member, make_organiser, make_event,
                                                   register):
    staff, organization = make_organiser()
    event, other = make_event(organization=organization), make_event(organization=organization)
    mine = register(event, make_member())
    elsewhere = register(other, make_member())
    auth.login(staff)
    for code in ("ZZZZZZ", elsewhere.ticket_code, "' OR 1=1 --", "Ａ" * 300):
        response = client.post(f"/events/{event.id}/checkin", data={"code": code})
        assert response.status_code == 422, code
        html = response.get_data(as_text=True)
        assert "見つかりません" in html or "文字" in html
    assert _row(app, mine.id).attendance is None and _row(app, elsewhere.id).attendance is None
    assert client.get(f"/events/{event.id}/checkin/{elsewhere.ticket_code}").status_code == 404
    scanned = client.get(f"/events/{event.id}/checkin/{mine.ticket_code}")
    assert scanned.status_code == 200 and "受付する" in scanned.get_data(as_text=True)
    assert _row(app, mine.id).attendance is None  # opening the scanned address changes nothing


def test_only_organisers_reach_the_desk(client, auth, make_member, make_organiser, make_event, register):
    _staff, organization = make_organiser()
    outsider, _other = make_organiser(slug="kyushu-hr")
    event = make_event(organization=organization)
    guest = make_member()
    registration = register(event, guest)
    for member in (outsider, guest):
        auth.login(member)
        assert client.get(f"/events/{event.id}/checkin").status_code == 404
        assert client.post(f"/events/{event.id}/checkin", data={"code": registration.ticket_code}).status_code == 404
        assert client.post(f"/events/{event.id}/checkin/people/{registration.id}").status_code == 404
        assert client.get(f"/events/{event.id}/checkin/count").status_code == 404
        auth.logout()


def test_the_desk_is_found_by_name(client, auth, make_member, make_organiser, make_event, register):
    staff, organization = make_organiser()
    event = make_event(organization=organization)
    register(event, make_member(display_name="佐藤 美咲"))
    register(event, make_member(display_name="田中 健一", organization_name="塩尻市役所"))
    auth.login(staff)
    html = client.get(f"/events/{event.id}/checkin", query_string={"q": "塩尻"}).get_data(as_text=True)
    assert "田中 健一" in html and "佐藤 美咲" not in html
    html = client.get(f"/events/{event.id}/checkin", query_string={"q": "%"}).get_data(as_text=True)
    assert "該当する人はいません" in html


def test_self_check_in_with_the_attendance_code(app, client, auth, make_member, make_organiser, make_event,
                                                register):
    staff, organization = make_organiser()
    now = utcnow()
    event = make_event(organization=organization, capacity=1, starts_at=now + timedelta(minutes=30))
    attendee, waiting = make_member(), make_member()
    registration = register(event, attendee)
    register(event, waiting)
    auth.login(staff)
    client.post(f"/events/{event.id}/checkin/self")
    with app.app_context():
        code = db.session.get(Event, event.id).checkin_code
    assert code and code.isdigit() and len(code) == 4
    assert code in client.get(f"/events/{event.id}/checkin/screen").get_data(as_text=True)
    auth.logout()

    auth.login(waiting)
    page = client.post(f"/events/{event.id}/attend", data={"code": code}, follow_redirects=True)
    assert "参加が確定している方だけ" in page.get_data(as_text=True)
    auth.logout()
    auth.login(attendee)
    assert 'name="code"' in client.get(f"/events/{event.id}").get_data(as_text=True)
    wrong = str((int(code) + 1) % 10000).zfill(4)
    page = client.post(f"/events/{event.id}/attend", data={"code": wrong}, follow_redirects=True)
    assert "出席コードが正しくありません" in page.get_data(as_text=True)
    assert _row(app, registration.id).attendance is None
    page = client.post(f"/events/{event.id}/attend", data={"code": code}, follow_redirects=True)
    assert "受付が完了しました" in page.get_data(as_text=True)
    assert _row(app, registration.id).attendance == "attended"

    # not before the hour before the start, and not once the organiser closed it
    set_event(app, event.id, starts_at=now + timedelta(hours=3), ends_at=now + timedelta(hours=5))
    with app.app_context():
        assert checkin.self_check_in(db.session.get(Event, event.id), db.session.get(type(attendee), attendee.id),
                                     code) == "closed"


def test_guessing_the_attendance_code_is_rate_limited(make_app, make_member, make_event, register):
    limited = make_app(RATELIMIT_ENABLED=True)
    event = make_event(starts_at=utcnow() + timedelta(minutes=10))
    member = make_member()
    register(event, member)
    set_event(limited, event.id, checkin_code="1234")
    browser = limited.test_client()
    AuthActions(browser).login(member)
    statuses = [browser.post(f"/events/{event.id}/attend", data={"code": f"{n:04d}"}).status_code for n in range(12)]
    assert statuses[:10] == [302] * 10 and statuses[-1] == 429


def test_check_ins_count_on_impact(app, client, auth, make_member, make_organiser, make_event, register):
    staff, organization = make_organiser()
    event = make_event(organization=organization)
    registration = register(event, make_member())
    before = client.get("/impact").get_data(as_text=True)
    auth.login(staff)
    client.post(f"/events/{event.id}/checkin", data={"code": registration.ticket_code})
    auth.logout()
    after = client.get("/impact").get_data(as_text=True)
    assert before != after and "受付または主催者の出欠記録による" in after
