"""Journeys of an event: a member registers, sees it on my page, cancels; the waitlist."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from core.db import db
from core.mail import OutboxMessage
from events.models import Event, Registration
from members.models import Member
from tests.events.conftest import create_event


@pytest.fixture
def make_event(live_server):
    """A published public venue event next week at 14:00 Asia/Tokyo (see tests/events/conftest.py)."""

    def factory(**fields) -> Event:
        starts_at = (datetime.now(UTC) + timedelta(days=7)).replace(hour=5, minute=0, second=0, microsecond=0)
        values = {
            "title": "石巻 若手社員の地域同期研修 説明会",
            "starts_at": starts_at,
            "venue": "石巻市 かわまち交流センター",
            "summary": "地域の企業が合同で新入社員を育てる同期研修の説明会です。",
        }
        return create_event(live_server.app, **{**values, **fields})

    return factory


def registration_of(live_server, event: Event, email: str) -> tuple[str | None, int, int]:
    """(the member's registration status, confirmed seats, waitlist size) as the database holds them."""
    with live_server.app.app_context():
        status = db.session.scalar(
            sa.select(Registration.status).join(Member, Registration.member_id == Member.id)
            .where(Registration.event_id == event.id, Member.email == email)
        )
        fresh = db.session.get(Event, event.id)
        return status, fresh.confirmed_count, fresh.waitlist_count


def test_new_member_registers_sees_it_on_my_page_and_cancels(page, live_server, make_event, screenshot,
                                                             assert_accessible, login, make_member):
    """(Signing up and confirming the address: tests/browser/test_accounts.py.)"""
    event = make_event(capacity=3)
    login(page, make_member(email="ishinomaki.hanako@example.jp", display_name="石巻 花子", prefecture="04"))

    page.goto(f"/events/{event.id}")
    expect(page.get_by_role("heading", level=1, name=event.title)).to_be_visible()
    registration = page.locator("aside.event-side")
    expect(registration).to_contain_text("残り3席")
    registration.get_by_role("button", name="申し込む").click()

    expect(page.get_by_role("status")).to_contain_text("参加が確定しています。")
    expect(registration).to_contain_text("残り2席")
    expect(registration.get_by_role("link", name="申し込みを取り消す")).to_be_visible()
    assert registration_of(live_server, event, "ishinomaki.hanako@example.jp") == ("confirmed", 1, 0)
    screenshot(page, "registered")

    page.goto("/members/me")
    mine = page.locator("section.my-registrations")
    expect(mine.get_by_role("heading", name="申し込んだイベント")).to_be_visible()
    row = mine.get_by_role("listitem").filter(has_text=event.title)
    expect(row).to_contain_text("参加確定")

    row.get_by_role("link", name=event.title).click()
    page.wait_for_url(f"**/events/{event.id}")
    registration.get_by_role("link", name="申し込みを取り消す").click()

    page.wait_for_url(f"**/events/{event.id}/cancel")
    expect(page.get_by_role("heading", level=1, name="申し込みを取り消しますか？")).to_be_visible()
    confirmation = page.locator("main")
    expect(confirmation).to_contain_text(event.title)
    expect(confirmation).to_contain_text("参加確定")
    expect(confirmation).to_contain_text("お席が解放されます。")
    assert registration_of(live_server, event, "ishinomaki.hanako@example.jp") == ("confirmed", 1, 0)
    screenshot(page, "confirm-cancel")
    assert_accessible(page)
    confirmation.get_by_role("link", name="戻る").click()
    page.wait_for_url(f"**/events/{event.id}")
    expect(registration).to_contain_text("参加が確定しています。")
    assert registration_of(live_server, event, "ishinomaki.hanako@example.jp") == ("confirmed", 1, 0)

    registration.get_by_role("link", name="申し込みを取り消す").click()
    page.get_by_role("button", name="取り消しを確定する").click()

    page.wait_for_url(f"**/events/{event.id}")
    expect(page.get_by_role("status")).to_contain_text("申し込みを取り消しました。")
    expect(registration).to_contain_text("申し込みを取り消しています。")
    expect(registration).to_contain_text("残り3席")
    expect(registration.get_by_role("button", name="申し込む")).to_be_visible()
    assert registration_of(live_server, event, "ishinomaki.hanako@example.jp") == ("cancelled", 0, 0)

    page.goto("/members/me")
    expect(mine).to_contain_text("申し込み中のイベントはありません。")
    expect(mine).not_to_contain_text(event.title)


def test_full_event_waitlists_the_second_member_who_moves_up_when_the_first_cancels(
    new_page, make_member, live_server, make_event,
):
    event = make_event(title="地域人事部 定例会（少人数）", kind="meeting", capacity=1)
    first, second = make_member(display_name="先着 一郎"), make_member(display_name="補欠 次郎")
    first_page, second_page = new_page(first), new_page(second)

    first_page.goto(f"/events/{event.id}")
    first_page.get_by_role("button", name="申し込む").click()
    expect(first_page.get_by_role("status")).to_contain_text("参加が確定しています。")

    second_page.goto(f"/events/{event.id}")
    side = second_page.locator("aside.event-side")
    expect(side).to_contain_text("満席")
    side.get_by_role("button", name="補欠として申し込む").click()
    expect(second_page.get_by_role("status")).to_contain_text("満席のため、補欠の1番目で受け付けました。")
    assert registration_of(live_server, event, second.email) == ("waitlisted", 1, 1)
    second_page.goto("/members/me")
    expect(second_page.locator("section.my-registrations")).to_contain_text("補欠1番")

    first_page.get_by_role("link", name="申し込みを取り消す").click()
    expect(first_page.locator("main")).to_contain_text("補欠の方がいる場合は、補欠1番目の方の参加が確定し")
    assert registration_of(live_server, event, second.email) == ("waitlisted", 1, 1)
    first_page.get_by_role("button", name="取り消しを確定する").click()
    expect(first_page.get_by_role("status")).to_contain_text("申し込みを取り消しました。")

    assert registration_of(live_server, event, first.email) == ("cancelled", 1, 0)
    assert registration_of(live_server, event, second.email) == ("confirmed", 1, 0)
    with live_server.app.app_context():
        promoted = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.to_address == second.email,
                                           OutboxMessage.kind == "event.promoted")
        ).all()
        assert len(promoted) == 1 and event.title in promoted[0].subject

    second_page.reload()
    expect(second_page.locator("section.my-registrations")).to_contain_text("参加確定")
    second_page.goto(f"/events/{event.id}")
    expect(second_page.locator("aside.event-side")).to_contain_text("参加が確定しています。")
