"""Account commands."""

import sys

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from core.audit import audit
from core.db import db
from members import services


@click.command("create-admin")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input.")
@with_appcontext
def create_admin_command(email: str, password_stdin: bool) -> None:
    """Create a secretariat (admin) account, or promote an existing one."""
    password = sys.stdin.readline().rstrip("\n")
    problem = services.password_problem(password, email)
    if problem:
        with force_locale("en"):
            raise click.UsageError(f"Password refused: {problem}")
    member = services.create_admin(email, password)
    db.session.flush()
    audit("member.make_admin", member, actor=None, email=member.email)
    db.session.commit()
    click.echo(f"Admin ready: {member.email}")
