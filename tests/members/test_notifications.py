"""Mail people control: a switch per kind, one-click unsubscribe (RFC 8058), and the weekly digest."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from core.db import db, utcnow
from core.mail import deliver_pending
from events.reminders import send_reminders
from knowhow.models import Article
from members import notifications
from members.digest import send_digests
from members.models import DigestDelivery, Member
from tests.events.conftest import soon
from tests.smtp import SmtpServer


def _prefs(app, member) -> dict:
    with app.app_context():
        return notifications.preferences(db.session.get(Member, member.id))


def _reminder_for(app, make_event, register, member):
    event = make_event(starts_at=soon(0, hours=20))
    register(event, member)
    with app.app_context():
        send_reminders()
        db.session.commit()
    return event


def test_the_settings_page_switches_kinds_off_and_on(app, client, auth, make_member):
    member = make_member()
    auth.login(member)
    html = client.get("/members/me/notifications").get_data(as_text=True)
    assert "イベントのリマインド" in html and "週刊ダイジェスト" in html
    assert _prefs(app, member) == {"event_reminders": True, "organiser_messages": True, "event_surveys": True,
                                   "staff_updates": True, "digest": False}
    client.post("/members/me/notifications", data={"enabled": ["organiser_messages", "digest"]})
    assert _prefs(app, member) == {"event_reminders": False, "organiser_messages": True, "event_surveys": False,
                                   "staff_updates": False, "digest": True}


def test_a_switched_off_kind_is_not_sent(app, make_member, make_event, register, outbox):
    member = make_member()
    with app.app_context():
        notifications.set_preference(member.id, "event_reminders", False)
        db.session.commit()
    _reminder_for(app, make_event, register, member)
    assert outbox(member.email, kind="event.reminder") == []


def test_a_reminder_carries_list_unsubscribe_and_one_click_works_without_cookie_or_csrf(
        app, make_app, make_member, make_event, register, outbox):
    member = make_member()
    _reminder_for(app, make_event, register, member)
    [mail] = outbox(member.email, kind="event.reminder")
    url = mail.headers["List-Unsubscribe"].strip("<>")
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in mail.body and "配信を停止するには" in mail.body
    assert f"/members/{member.id}" not in url  # a signed token, not an id
    # A mail client: no cookie, no CSRF token, on an app that checks CSRF.
    mail_client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = mail_client.post(urlsplit(url).path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _prefs(app, member)["event_reminders"] is False
    assert _prefs(app, member)["organiser_messages"] is True


def test_a_person_opening_the_link_gets_one_button(app, client, make_member):
    member = make_member()
    with app.app_context():
        url = notifications.unsubscribe_url(db.session.get(Member, member.id), "digest")
    page = client.get(urlsplit(url).path).get_data(as_text=True)
    assert "週刊ダイジェスト" in page and 'name="List-Unsubscribe" value="One-Click"' in page
    assert _prefs(app, member)["digest"] is False  # opening changes nothing by itself


def test_a_forged_or_altered_token_finds_nothing(app, client, make_member):
    member = make_member()
    with app.app_context():
        url = notifications.unsubscribe_url(db.session.get(Member, member.id), "event_reminders")
    path = urlsplit(url).path
    tampered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    assert client.post(tampered, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert client.post("/members/unsubscribe/WzEsImRpZ2VzdCJd", data={}).status_code == 404
    assert _prefs(app, member)["event_reminders"] is True


def test_delivered_over_smtp_the_headers_and_the_footer_arrive(make_app, make_member, make_event, register):
    member = make_member(display_name="配信 太郎")
    with SmtpServer() as smtp:
        mailer = make_app(SMTP_URL=smtp.url)
        _reminder_for(mailer, make_event, register, member)
        with mailer.app_context():
            deliver_pending()
            db.session.commit()
        [message] = [mail for mail in smtp.to(member.email) if mail["List-Unsubscribe"]]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<http://localhost/members/unsubscribe/[\w.-]+>", message["List-Unsubscribe"])
    assert message["Date"] and message["Message-ID"] and "\n" not in message["Subject"]
    body = message.get_content()
    assert message.get_content_charset() == "utf-8" and "配信 太郎 様" in body
    assert "\n-- \n" in body and message["List-Unsubscribe"].strip("<>") in body


def _article(app, member, **fields):
    from knowhow.models import ArticleTheme

    with app.app_context():
        article = Article(slug=f"digest-{fields.get('title', 'x')}", kind="column", title=fields.pop("title"),
                          summary="要約", body="本文", visibility="public", status="published",
                          published_at=utcnow(), prefecture=fields.pop("prefecture", None), author_id=member.id)
        article.theme_rows = [ArticleTheme(theme=slug) for slug in fields.pop("themes", [])]
        db.session.add(article)
        db.session.commit()


def test_the_digest_goes_once_a_week_to_who_asked_with_what_is_new_for_them(app, make_member, make_event, outbox,
                                                                            runner):
    reader = make_member(prefecture="04", themes=["seniors"])
    no_thanks = make_member(prefecture="04")
    unconfirmed = make_member(prefecture="04", email_verified_at=None)
    with app.app_context():
        for member in (reader, unconfirmed):
            notifications.set_preference(member.id, "digest", True)
        db.session.commit()
    make_event(title="宮城のシニア活躍セミナー", prefecture="04", themes=("seniors",))
    make_event(title="沖縄の採用勉強会", prefecture="47", themes=("youth-retention",))
    _article(app, no_thanks, title="シニア人材の受け入れ事例", themes=["seniors"])

    first = runner.invoke(args=["digest", "send"])
    second = runner.invoke(args=["digest", "send"])

    assert "digests queued: 1" in first.output and "digests queued: 0" in second.output
    [mail] = outbox(reader.email, kind="member.digest")
    assert "宮城のシニア活躍セミナー" in mail.body and "シニア人材の受け入れ事例" in mail.body
    assert "沖縄の採用勉強会" not in mail.body
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert outbox(no_thanks.email, kind="member.digest") == [] and outbox(unconfirmed.email) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DigestDelivery)) == 1
        # Next week there is a new digest (when something is new by then).
        assert send_digests(now=utcnow() + timedelta(days=7)) == 0


def test_no_digest_when_nothing_is_new_for_the_member(app, make_member, make_event, outbox):
    reader = make_member(prefecture="13", themes=["women"])
    with app.app_context():
        notifications.set_preference(reader.id, "digest", True)
        db.session.commit()
    make_event(title="宮城のイベント", prefecture="04", themes=("seniors",))
    with app.app_context():
        assert send_digests() == 0
    assert outbox(reader.email) == []
