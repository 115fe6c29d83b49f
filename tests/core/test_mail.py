"""`flask outbox send` against a real SMTP server: headers, encoding, one connection, and faults that lose nothing."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.audit import AuditEntry
from core.db import db, utcnow
from core.mail import (
    DEAD,
    MAX_ATTEMPTS,
    PENDING,
    RETRY_AFTER,
    SENT,
    OutboxMessage,
    deliver_pending,
    send_mail,
)
from tests.smtp import Recorder, SmtpServer, free_port


@pytest.fixture
def smtp():
    with SmtpServer() as recorder:
        yield recorder


@pytest.fixture
def mailer(make_app, smtp):
    """The app with SMTP_URL pointing at the test server."""
    return make_app(SMTP_URL=smtp.url, MAIL_FROM="RAN hub <no-reply@ran-hub.jp>")


def queue(application, *messages: tuple[str, str]) -> None:
    with application.app_context():
        for to, subject in messages:
            send_mail(to, subject, f"{subject}の本文です。\n二行目。", kind="test")
            db.session.flush()  # queued in this order
        db.session.commit()


def rows(application) -> dict[str, OutboxMessage]:
    with application.app_context():
        found = {row.to_address: row for row in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))}
        db.session.expunge_all()
        return found


def deliver(application, now=None):
    with application.app_context():
        return deliver_pending(now=now)


def test_mail_goes_out_in_utf8_with_date_and_message_id_over_one_connection(mailer, smtp):
    queue(mailer, ("a@example.jp", "受付のお知らせ"), ("b@example.jp", "補欠から繰り上がりました"),
          ("c@example.jp", "明日は相談会です"))
    delivery = deliver(mailer)
    assert (delivery.sent, delivery.failed, delivery.dead) == (3, 0, 0)
    assert smtp.connections == 1
    stored = rows(mailer)
    [received] = smtp.to("b@example.jp")
    assert received["Subject"] == "補欠から繰り上がりました"
    assert received["Message-ID"] == stored["b@example.jp"].message_id
    assert received["Date"] and received["From"] == "RAN hub <no-reply@ran-hub.jp>"
    assert received.get_content_charset() == "utf-8"
    assert received.get_content().replace("\r\n", "\n") == "補欠から繰り上がりましたの本文です。\n二行目。\n"
    assert {row.status for row in stored.values()} == {SENT}
    assert deliver(mailer).sent == 0  # nothing is sent twice


def test_line_breaks_in_a_header_value_cannot_add_headers(mailer, smtp):
    queue(mailer, ("a@example.jp", "お問い合わせ: 山田\r\nBcc: victim@example.com\x00"))
    assert rows(mailer)["a@example.jp"].subject == "お問い合わせ: 山田 Bcc: victim@example.com"
    deliver(mailer)
    [received] = smtp.messages
    assert received["Bcc"] is None and "victim@example.com" in received["Subject"]


def test_a_message_stored_with_a_bare_cr_does_not_stop_the_others(mailer, smtp):
    """A row queued by older code (before values were cleaned) is cleaned when sent."""
    with mailer.app_context():
        db.session.add(OutboxMessage(to_address="old@example.jp", subject="山田\r様より", body="本文", kind="legacy"))
        db.session.commit()
    queue(mailer, ("after@example.jp", "後から送るメール"))
    assert deliver(mailer).sent == 2
    assert [m["Subject"] for m in smtp.messages] == ["山田 様より", "後から送るメール"]


def test_a_refused_recipient_is_dead_at_once_and_everyone_else_gets_their_mail(make_app):
    with SmtpServer(Recorder(refuse={"gone@example.jp": "550 5.1.1 No such user"})) as smtp:
        mailer = make_app(SMTP_URL=smtp.url)
        queue(mailer, ("first@example.jp", "一通目"), ("gone@example.jp", "届かない"), ("last@example.jp", "三通目"))
        delivery = deliver(mailer)
    assert (delivery.sent, delivery.dead) == (2, 1)
    assert [m["To"] for m in smtp.messages] == ["first@example.jp", "last@example.jp"]
    gone = rows(mailer)["gone@example.jp"]
    assert gone.status == DEAD and gone.attempts == 1 and "No such user" in gone.last_error


def test_a_temporary_refusal_waits_longer_each_time_then_is_dead(make_app):
    with SmtpServer(Recorder(refuse={"busy@example.jp": "450 4.2.1 Mailbox busy"})) as smtp:
        mailer = make_app(SMTP_URL=smtp.url)
        queue(mailer, ("busy@example.jp", "混雑中"))
        now = utcnow()
        for attempt, wait in enumerate(RETRY_AFTER, start=1):
            assert deliver(mailer, now).failed == 1
            row = rows(mailer)["busy@example.jp"]
            assert (row.status, row.attempts, row.next_attempt_at) == (PENDING, attempt, now + wait)
            assert deliver(mailer, now + wait - timedelta(seconds=1)).failed == 0  # not due yet
            now += wait
        assert deliver(mailer, now).dead == 1
    row = rows(mailer)["busy@example.jp"]
    assert (row.status, row.attempts) == (DEAD, MAX_ATTEMPTS)


def test_a_connection_dropped_mid_batch_is_opened_again_for_the_rest(make_app):
    with SmtpServer(Recorder(drop_on={2})) as smtp:
        mailer = make_app(SMTP_URL=smtp.url)
        queue(mailer, *[(f"m{n}@example.jp", f"お知らせ{n}") for n in range(1, 5)])
        delivery = deliver(mailer)
        assert (delivery.sent, delivery.failed) == (3, 1)
        assert smtp.connections == 2
        dropped = rows(mailer)["m2@example.jp"]
        assert dropped.status == PENDING and dropped.attempts == 1 and dropped.next_attempt_at is not None
        assert deliver(mailer, dropped.next_attempt_at).sent == 1  # its retry goes out
    assert sorted(m["To"] for m in smtp.messages) == [f"m{n}@example.jp" for n in range(1, 5)]


def test_an_unreachable_server_stops_the_run_and_loses_nothing(make_app):
    mailer = make_app(SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    queue(mailer, ("a@example.jp", "一通目"), ("b@example.jp", "二通目"))
    assert deliver(mailer).failed == 1
    stored = rows(mailer)
    assert stored["a@example.jp"].attempts == 1 and "cannot reach" in stored["a@example.jp"].last_error
    assert (stored["b@example.jp"].status, stored["b@example.jp"].attempts) == (PENDING, 0)


def test_the_command_says_what_happened(make_app):
    with SmtpServer(Recorder(refuse={"gone@example.jp": "550 No such user"})) as smtp:
        mailer = make_app(SMTP_URL=smtp.url)
        queue(mailer, ("a@example.jp", "一通目"), ("gone@example.jp", "届かない"))
        result = mailer.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "sent 1, failed 0 (will retry), dead 1" in result.output


def test_without_smtp_mail_stays_in_the_outbox(make_app):
    result = make_app(SMTP_URL="").test_cli_runner().invoke(args=["outbox", "send"])
    assert "SMTP_URL is not set" in result.output


def test_the_secretariat_sees_undelivered_mail_and_sends_it_again(make_app, auth, client, make_admin, make_member):
    with SmtpServer(Recorder(refuse={"typo@example.jp": "550 5.1.1 No such user"})) as smtp:
        mailer = make_app(SMTP_URL=smtp.url)
        queue(mailer, ("typo@example.jp", "届かなかったお知らせ"), ("ok@example.jp", "届いたお知らせ"))
        deliver(mailer)
    auth.login(make_admin())
    assert "1件のメールを配信できませんでした" in client.get("/alliance/secretariat/").get_data(as_text=True)
    page = client.get("/alliance/secretariat/mail").get_data(as_text=True)
    assert "typo@example.jp" in page and "No such user" in page and "ok@example.jp" not in page
    dead = rows(mailer)["typo@example.jp"]
    response = client.post(f"/alliance/secretariat/mail/{dead.id}/send-again", data={"view": "dead"})
    assert response.status_code == 302
    again = rows(mailer)["typo@example.jp"]
    assert (again.status, again.attempts, again.last_error) == (PENDING, 0, None)
    with mailer.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "mail.send_again"))
        assert entry.target_id == dead.id and "No such user" in entry.details["error"]
    sent = rows(mailer)["ok@example.jp"]
    assert client.post(f"/alliance/secretariat/mail/{sent.id}/send-again").status_code == 404  # delivered already


def test_only_the_secretariat_sees_the_undelivered_mail(client, auth, make_member):
    assert client.get("/alliance/secretariat/mail").status_code in (302, 404)
    auth.login(make_member())
    assert client.get("/alliance/secretariat/mail").status_code == 404
    assert client.post("/alliance/secretariat/mail/1/send-again").status_code == 404
