"""Commands shared by every blueprint: demo data."""

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from core import hooks
from core.db import db


def database_is_empty() -> bool:
    """True when no account exists yet (the demo has not been loaded)."""
    return db.session.execute(sa.text("SELECT COUNT(*) FROM members")).scalar_one() == 0


@click.command("seed-demo")
@click.option("--scale", default=0, show_default=True, type=int,
              help="Also add a large synthetic data set of this scale (for benchmarks).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
@with_appcontext
def seed_demo(scale: int, if_empty: bool) -> None:
    """Load the demo data (demo accounts print their passwords)."""
    if if_empty and not database_is_empty():
        click.echo("The database already has data; demo not loaded.")
        return
    for seeder in hooks.collect("demo_seeders"):
        seeder(scale)
        db.session.commit()
    click.echo("Demo data loaded.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo)
