"""Outgoing mail through an outbox table, delivered by `flask outbox send` so that nothing can jam it.

Every message is written to the outbox in the same transaction as the change
that caused it, so a rolled-back change sends nothing. Without `SMTP_URL` the
outbox (and the log) is where mail ends; with it, `flask outbox send` (cron, every
minute) delivers what is due over one SMTP connection per run.

Nothing a visitor types can stop the mail: header values (subject, address, extra
headers) are made single-line when a message is queued. A message that fails counts
an attempt, keeps its error and waits longer each time (`RETRY_AFTER`); a permanent
refusal (5xx) or its last attempt makes it dead, which the secretariat sees and can
send again. The others go on either way. Each message gets its Message-ID when
queued (the same one on every attempt) and a Date when sent.
"""

import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

import click
import sqlalchemy as sa
from flask import Flask, current_app, render_template
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy.orm import Mapped, mapped_column

from core.audit import audit
from core.db import Base, UTCDateTime, db, one_of, utcnow

log = logging.getLogger(__name__)

PENDING, SENT, DEAD = "pending", "sent", "dead"
STATUSES = (PENDING, SENT, DEAD)
#: how long a message waits after its 1st, 2nd, … failed attempt; after the last it is dead
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
SUBJECT_MAX = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


class OutboxMessage(Base):
    """A mail waiting to be delivered, delivered (kept for the record), or given up (dead)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        one_of("status", STATUSES),
        # `outbox send` reads the due messages in order.
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    to_address: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(SUBJECT_MAX))
    body: Mapped[str] = mapped_column(sa.Text)
    #: what the message is about, e.g. "event.promoted", for tests and idempotency
    kind: Mapped[str] = mapped_column(sa.String(60), default="", index=True)
    #: pending | sent | dead
    status: Mapped[str] = mapped_column(sa.String(10), default=PENDING)
    #: <…@…>, fixed when queued so that a retried message keeps its identity
    message_id: Mapped[str | None] = mapped_column(sa.String(200))
    #: extra single-line headers (List-Unsubscribe …)
    headers: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    #: a failed message is not tried again before this moment
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))


def single_line(value: str | None) -> str:
    """A header value as one line: line breaks, NUL and other control characters become a space."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def _sender_domain() -> str:
    return parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "ran-hub.jp"


def send_mail(to_address: str, subject: str, body: str, *, kind: str = "",
              headers: dict[str, str] | None = None) -> OutboxMessage:
    """Queue a plain-text mail in the current transaction."""
    message = OutboxMessage(
        to_address=single_line(to_address)[:254], subject=single_line(subject)[:SUBJECT_MAX],
        body=body.replace("\x00", ""),
        kind=kind, status=PENDING, message_id=make_msgid(domain=_sender_domain()),
        headers={single_line(name): single_line(value) for name, value in (headers or {}).items()},
    )
    db.session.add(message)
    log.info("mail queued to=%s kind=%s subject=%s", message.to_address, kind, message.subject)
    return message


def send_template(to_address: str, template: str, *, locale: str = "ja", kind: str = "",
                  headers: dict[str, str] | None = None, footer: str = "", **context):
    """Render the mail template (`<room>/mail/<name>.txt`) in the recipient's language; its first line is the subject.

    `footer` (already in the recipient's language) goes below the signature line "-- ".
    """
    with force_locale(locale or "ja"):
        text = render_template(template, **context)
    subject, _, body = text.lstrip().partition("\n")
    body = body.strip("\n") + "\n"
    if footer:
        body += "\n-- \n" + footer.strip("\n") + "\n"
    return send_mail(to_address, subject, body, kind=kind or template, headers=headers)


def compose(message: OutboxMessage) -> EmailMessage:
    """The message as it goes out: UTF-8 text with From, To, Subject, Date and Message-ID."""
    email = EmailMessage()
    email["From"] = single_line(current_app.config["MAIL_FROM"])
    email["To"] = single_line(message.to_address)
    email["Subject"] = single_line(message.subject)
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message.message_id or make_msgid(domain=_sender_domain())
    for name, value in (message.headers or {}).items():
        email[single_line(name)] = single_line(value)
    email.set_content(message.body, charset="utf-8")
    return email


class SmtpUnavailable(OSError):
    """The SMTP server could not be reached (or refused the login): the run stops there."""


class SmtpBatch:
    """One SMTP connection for a run of `outbox send`, opened on the first message and again after a drop."""

    def __init__(self, smtp_url: str):
        self.url = urlsplit(smtp_url)
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        smtp_class = smtplib.SMTP_SSL if self.url.scheme == "smtps" else smtplib.SMTP
        connection = smtp_class(self.url.hostname or "localhost", self.url.port or 0, timeout=30)
        if self.url.scheme == "smtp+starttls":
            connection.starttls()
        if self.url.username:
            connection.login(unquote(self.url.username), unquote(self.url.password or ""))
        return connection

    def send(self, email: EmailMessage) -> None:
        if self.connection is None:
            try:
                self.connection = self._connect()
            except (smtplib.SMTPException, OSError) as error:
                raise SmtpUnavailable(f"cannot reach the SMTP server: {error}") from error
        try:
            self.connection.send_message(email)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.connection = None  # the next message opens a new one
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


def _permanent(error: Exception) -> bool:
    """A refusal that another attempt cannot change: a 5xx answer, or a message that cannot be written."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return isinstance(error, ValueError | UnicodeError)


def _failed(message: OutboxMessage, error: Exception, now: datetime) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    if _permanent(error) or message.attempts >= MAX_ATTEMPTS:
        message.status = DEAD
        message.next_attempt_at = None
    else:
        message.next_attempt_at = now + RETRY_AFTER[message.attempts - 1]
    log.warning("mail %s to %s failed (attempt %d, %s): %s", message.id, message.to_address, message.attempts,
                message.status, error)


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    dead: int = 0


def deliver_pending(limit: int = 100, now: datetime | None = None) -> Delivery:
    """Send the due messages, oldest first, over one connection; a failure never stops the others."""
    smtp_url = current_app.config.get("SMTP_URL")
    delivery = Delivery()
    if not smtp_url:
        return delivery
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == PENDING,
               sa.or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    batch = SmtpBatch(smtp_url)
    try:
        for message in due:
            try:
                batch.send(compose(message))
            except Exception as error:  # noqa: BLE001 - whatever one message does, the others go out
                _failed(message, error, now)
                if message.status == DEAD:
                    delivery.dead += 1
                else:
                    delivery.failed += 1
                stop = isinstance(error, SmtpUnavailable)
            else:
                message.status, message.sent_at, message.next_attempt_at = SENT, now, None
                message.attempts += 1
                delivery.sent += 1
                stop = False
            db.session.commit()
            if stop:
                break  # the server cannot be reached: the rest wait for the next run, their attempts untouched
    finally:
        batch.close()
    return delivery


def send_again(message: OutboxMessage) -> None:
    """The secretariat sends a dead (or waiting) message again: it gets a full set of attempts (audited)."""
    audit("mail.send_again", message, to=message.to_address, kind=message.kind, attempts=message.attempts,
          error=message.last_error)
    message.status, message.attempts, message.next_attempt_at, message.last_error = PENDING, 0, None, None


outbox_cli = AppGroup("outbox", help="Outgoing mail.")


@outbox_cli.command("send")
@click.option("--limit", default=100, show_default=True)
def send_command(limit: int) -> None:
    """Deliver the queued mail that is due over SMTP_URL (safe to run every minute)."""
    if not current_app.config.get("SMTP_URL"):
        click.echo("SMTP_URL is not set: mail stays in the outbox.")
        return
    delivery = deliver_pending(limit)
    click.echo(f"sent {delivery.sent}, failed {delivery.failed} (will retry), dead {delivery.dead}")


def init_app(app: Flask) -> None:
    app.cli.add_command(outbox_cli)
