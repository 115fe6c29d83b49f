"""`flask --app app events …` commands."""

import click
from flask.cli import AppGroup

from core.db import db
from events import questions, reminders, surveys

events_cli = AppGroup("events", help="Events: reminders, surveys, answer retention.")


@events_cli.command("send-reminders")
def send_reminders_command() -> None:
    """Mail confirmed attendees of events starting within 24 hours (safe to run repeatedly)."""
    sent = reminders.send_reminders()
    db.session.commit()
    click.echo(f"reminders queued: {sent}")


@events_cli.command("send-surveys")
def send_surveys_command() -> None:
    """Mail the survey to those present at events that ended in the last two weeks (each person once)."""
    sent = surveys.send_surveys()
    db.session.commit()
    click.echo(f"surveys queued: {sent}")


@events_cli.command("purge-answers")
def purge_answers_command() -> None:
    """Delete registration answers of events past the retention period their organiser set."""
    purged = questions.purge_expired_answers()
    db.session.commit()
    click.echo(f"events whose answers were deleted: {purged}")
