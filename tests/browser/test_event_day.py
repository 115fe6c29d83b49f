"""The event day in real Chromium: sign up with answers, the 受付票, check-in on a phone, the survey and its
results; and staff pages on a 390-px screen (stacked rows, no column narrower than a word, nothing sideways)."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from alliance.referrals.models import Consultation
from core.db import db
from core.mail import OutboxMessage
from events import surveys
from events.models import Event, EventQuestion, Registration
from events.registration import register
from members.models import Member
from tests.events.conftest import create_event, set_event

PHONE = {"width": 390, "height": 844}


def _question(app, event_id: int, purpose: str, kind: str, label: str, choices=(), required=True) -> None:
    with app.app_context():
        db.session.add(EventQuestion(event_id=event_id, purpose=purpose, kind=kind, label=label,
                                     choices=list(choices), required=required, position=1))
        db.session.commit()


def _fits_the_phone(page: Page) -> None:
    """Nothing scrolls sideways, and no table cell with text is narrower than four characters."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    # (a stacked table's header row is visually hidden: one pixel wide, read by screen readers only)
    narrow = page.evaluate("""() => [...document.querySelectorAll('td, th')]
        .filter(cell => cell.offsetParent !== null && cell.innerText.trim().length > 1)
        .filter(cell => !cell.closest('thead') || cell.closest('thead').getBoundingClientRect().width > 1)
        .filter(cell => cell.getBoundingClientRect().width < 4 * parseFloat(getComputedStyle(cell).fontSize))
        .map(cell => cell.innerText.trim().slice(0, 20))""")
    assert narrow == [], f"cells narrower than a word on {page.url}: {narrow}"


def test_signup_with_answers_ticket_check_in_on_a_phone_and_the_survey(new_page, live_server, make_member,
                                                                       make_organization, screenshot,
                                                                       assert_accessible):
    app = live_server.app
    staff = make_member(display_name="受付 担当")
    organization = make_organization(staff=[staff], slug="ishinomaki-jinji")
    guest = make_member(display_name="石巻 花子", email="hanako@example.jp", organization_name="石巻みらい水産株式会社")
    starts_at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    event = create_event(app, organization=organization, title="地域同期研修 説明会", starts_at=starts_at,
                         consent_note="回答は当日の準備にだけ使います。")
    _question(app, event.id, "signup", "text", "部署・役職")
    _question(app, event.id, "signup", "choice", "参加のきっかけ", choices=("社内の紹介", "RANのメール", "その他"))
    _question(app, event.id, "survey", "rating", "満足度")

    # the member answers the questions when registering
    member = new_page(guest)
    member.goto(f"/events/{event.id}")
    member.get_by_role("link", name="申し込む").click()
    member.get_by_role("button", name="申し込む").click()
    expect(member.locator(".form-errors")).to_be_visible()  # nothing answered: nothing registered
    member.get_by_label("部署・役職").fill("総務部 主任")
    member.get_by_label("RANのメール").check()
    member.get_by_label("上記の回答の利用目的に同意します。").check()
    member.get_by_role("button", name="申し込む").click()
    expect(member.get_by_role("status")).to_contain_text("参加が確定しています。")

    # …and finds the 受付票 (also in the confirmation mail)
    member.get_by_role("link", name="受付票を表示する").click()
    code = member.locator(".ticket-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    expect(member.locator(".ticket-qr svg")).to_be_visible()
    assert_accessible(member)
    with app.app_context():
        mail = db.session.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.to_address == guest.email,
                                                                     OutboxMessage.kind == "event.confirmed")).one()
    assert code in mail

    # the organiser checks them in at the desk with a phone, typing the code
    desk = new_page(staff)
    desk.set_viewport_size(PHONE)
    desk.goto(f"/events/{event.id}/checkin")
    expect(desk.locator(".checkin-count")).to_contain_text("0 / 1")
    desk.get_by_label("受付番号").fill(code.lower())
    desk.get_by_role("button", name="受付する").click()
    expect(desk.get_by_role("status")).to_contain_text("石巻 花子さんを出席にしました")
    expect(desk.locator(".checkin-count")).to_contain_text("1 / 1")
    expect(desk.locator(".checkin-person.is-present")).to_contain_text("石巻 花子")
    _fits_the_phone(desk)
    assert_accessible(desk)
    screenshot(desk, "checkin-phone")

    # after the event the survey is mailed; the member answers it from the mail's link
    now = datetime.now(UTC)
    set_event(app, event.id, starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
    with app.app_context():
        assert surveys.send_surveys() == 1
        db.session.commit()
        survey_mail = db.session.scalars(sa.select(OutboxMessage.body).where(
            OutboxMessage.to_address == guest.email, OutboxMessage.kind == "event.survey")).one()
    link = urlsplit(re.search(r"https?://\S+/survey\b", survey_mail).group(0)).path
    member.goto(link)
    assert_accessible(member)
    member.get_by_label("4", exact=True).check()
    member.get_by_role("button", name="回答を送信する").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("ありがとうございました")
    member.goto(link)
    expect(member.locator("main")).to_contain_text("回答済み")

    # the organiser reads the summary
    desk.set_viewport_size({"width": 1280, "height": 900})
    desk.goto(f"/events/{event.id}/survey/results")
    expect(desk.locator(".figures")).to_contain_text("4.0")
    expect(desk.locator("svg.bar-chart")).to_be_visible()
    screenshot(desk, "survey-summary")
    with app.app_context():
        registration = db.session.scalars(sa.select(Registration).where(Registration.event_id == event.id)).one()
        assert registration.attendance == "attended" and registration.survey_answered_at is not None


@pytest.mark.one_engine
def test_staff_lists_read_on_a_phone(new_page, live_server, make_member, make_admin, make_organization):
    app = live_server.app
    staff = make_member(display_name="長谷川 美智子")
    organization = make_organization(staff=[staff], slug="tokai-jinji")
    event = create_event(app, organization=organization, capacity=3)
    people = [make_member(display_name=name, organization_name="株式会社とうかい精機製作所")
              for name in ("佐々木 健太郎", "渡辺 さくら", "山本 一")]
    with app.app_context():
        for member in people:
            register(db.session.get(Event, event.id), db.session.get(Member, member.id))
        db.session.add(Consultation(reference="C261206-P001", organization_name="株式会社みなと製作所",
                                    contact_name="港 太郎", email="minato@example.jp", prefecture="23",
                                    message="外国人社員の定着について相談したいです。", themes=["foreign-workers"]))
        db.session.commit()

    organiser = new_page(staff)
    organiser.set_viewport_size(PHONE)
    for path in (f"/events/{event.id}/attendees", f"/events/{event.id}/checkin", "/events/manage"):
        organiser.goto(path)
        _fits_the_phone(organiser)
    admin = new_page(make_admin())
    admin.set_viewport_size(PHONE)
    for path in ("/alliance/secretariat/", "/alliance/secretariat/members", "/alliance/referrals/triage/",
                 "/alliance/referrals/"):
        admin.goto(path)
        _fits_the_phone(admin)
