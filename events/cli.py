"""`flask --app app events …` commands."""

import click
from flask.cli import AppGroup

from core.db import db
from events import reminders

events_cli = AppGroup("events", help="Events: reminders.")


@events_cli.command("send-reminders")
def send_reminders_command() -> None:
    """Mail confirmed attendees of events starting within 24 hours (safe to run repeatedly)."""
    sent = reminders.send_reminders()
    db.session.commit()
    click.echo(f"reminders queued: {sent}")
