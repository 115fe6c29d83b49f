"""Outgoing mail through an outbox table.

Every message is written to the outbox in the same transaction as the change
that caused it, so a rolled-back change sends nothing. Without `SMTP_URL` the
outbox (and the log) is where mail ends; with it, `flask outbox send` delivers.
"""

import logging
import smtplib
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import click
import sqlalchemy as sa
from flask import Flask, current_app, render_template
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, db, utcnow

log = logging.getLogger(__name__)


class OutboxMessage(Base):
    """A mail waiting to be delivered, or delivered (kept for the record)."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    to_address: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    #: what the message is about, e.g. "event.promoted", for tests and idempotency
    kind: Mapped[str] = mapped_column(sa.String(60), default="", index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))


def send_mail(to_address: str, subject: str, body: str, *, kind: str = "") -> OutboxMessage:
    """Queue a plain-text mail in the current transaction."""
    message = OutboxMessage(
        to_address=to_address, subject=subject.strip()[:200], body=body, kind=kind
    )
    db.session.add(message)
    log.info("mail queued to=%s kind=%s subject=%s", to_address, kind, message.subject)
    return message


def send_template(to_address: str, template: str, *, locale: str = "ja", kind: str = "", **context):
    """Render the mail template (`<room>/mail/<name>.txt`) in the recipient's language; its first line is the subject."""
    with force_locale(locale or "ja"):
        text = render_template(template, **context)
    subject, _, body = text.lstrip().partition("\n")
    return send_mail(to_address, subject, body.lstrip("\n"), kind=kind or template)


def deliver_pending(limit: int = 100) -> int:
    """Send queued mail over SMTP; returns how many were sent."""
    smtp_url = current_app.config.get("SMTP_URL")
    if not smtp_url:
        return 0
    pending = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < 5)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = 0
    for message in pending:
        try:
            _smtp_send(smtp_url, message)
        except (OSError, smtplib.SMTPException) as error:
            message.attempts += 1
            message.last_error = str(error)[:500]
            log.warning("mail %s failed: %s", message.id, error)
        else:
            message.sent_at = utcnow()
            message.attempts += 1
            sent += 1
        db.session.commit()
    return sent


def _smtp_send(smtp_url: str, message: OutboxMessage) -> None:
    url = urlsplit(smtp_url)
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.body)
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_class(url.hostname or "localhost", url.port or 0, timeout=30) as smtp:
        if url.scheme == "smtp+starttls":
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(email)


outbox_cli = AppGroup("outbox", help="Outgoing mail.")


@outbox_cli.command("send")
@click.option("--limit", default=100, show_default=True)
def send_command(limit: int) -> None:
    """Deliver queued mail over SMTP_URL."""
    if not current_app.config.get("SMTP_URL"):
        click.echo("SMTP_URL is not set: mail stays in the outbox.")
        return
    click.echo(f"sent {deliver_pending(limit)}")


def init_app(app: Flask) -> None:
    app.cli.add_command(outbox_cli)
