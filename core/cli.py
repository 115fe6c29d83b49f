"""Commands shared by every blueprint: demo data, backup and restore."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from core import hooks, pictures
from core.backup import BackupError, backup_database, restore_database, row_counts
from core.db import db

#: the uploaded pictures are written beside a database backup, in a tar file of this name
PICTURES_SUFFIX = ".pictures.tar"


def database_is_empty() -> bool:
    """True when no account exists yet (the demo has not been loaded)."""
    return db.session.execute(sa.text("SELECT COUNT(*) FROM members")).scalar_one() == 0


@click.command("seed-demo")
@click.option("--scale", default=0, show_default=True, type=int,
              help="Also add a synthetic data set for benchmarks: N organisations, 20×N events, "
                   "200×N registrations, 100×N articles, 20×N referrals (1000: the full load test).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
@with_appcontext
def seed_demo(scale: int, if_empty: bool) -> None:
    """Load the demo data (demo accounts print their passwords)."""
    if if_empty and not database_is_empty():
        click.echo("The database already has data; demo not loaded.")
        return
    for seeder in hooks.DEMO_SEEDERS.implementations():
        seeder(scale)
        db.session.commit()
    if scale and db.session.get_bind().dialect.name == "postgresql":
        # Fresh statistics for the planner after a bulk load (autovacuum would get there later).
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    click.echo("Demo data loaded.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(path: str) -> None:
    """Write a consistent copy of the database to PATH (SQLite backup API / pg_dump -Fc)."""
    try:
        written = backup_database(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written: {written} ({written.stat().st_size} bytes)")
    archived = pictures.archive(written.with_name(written.name + PICTURES_SUFFIX))
    if archived is not None:
        click.echo(f"Pictures written: {archived} ({archived.stat().st_size} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: str, yes: bool) -> None:
    """Replace the database's content by the backup at PATH (stop the site first)."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not yes:
        click.confirm(f"Replace everything in {db.engine.url.render_as_string(hide_password=True)} "
                      f"by {path}?", abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        restore_database(path, url)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    for table, count in row_counts(db.engine).items():
        click.echo(f"{table}: {count}")
    beside = Path(path).with_name(Path(path).name + PICTURES_SUFFIX)
    if beside.is_file():
        click.echo(f"pictures restored: {pictures.unarchive(beside)} files")
    click.echo("Restore complete. Run `flask --app app db upgrade` if the backup is older than the code.")


pictures_cli = AppGroup("pictures", help="Uploaded pictures.")


@pictures_cli.command("purge")
def purge_pictures_command() -> None:
    """Delete pictures nothing refers to any more (replaced, removed), and stray files."""
    gone = pictures.purge_orphans()
    db.session.commit()
    click.echo(f"pictures deleted: {gone}")


def init_app(app: Flask) -> None:
    app.cli.add_command(pictures_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
