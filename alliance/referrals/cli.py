"""`flask --app app consultations anonymise`: erase old consultations' contact data."""

import click
from flask.cli import AppGroup

from alliance.referrals import services
from core.db import db

consultations_cli = AppGroup("consultations", help="Consultations sent through /consult.")


@consultations_cli.command("anonymise")
def anonymise_command() -> None:
    """Erase contact data of consultations older than the retention period set on the triage page."""
    days = services.settings().retention_days
    count = services.anonymise_consultations()
    db.session.commit()
    click.echo(f"Anonymised {count} consultation(s) older than {days} days.")
