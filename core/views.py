"""Site-wide pages that belong to no single blueprint: home, privacy, terms, about, health check."""

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify, render_template

from core import hooks
from core.db import db

bp = Blueprint("core", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/core")

_HEADS_KEY = "ranhub.migration_heads"


@bp.get("/")
def home():
    """What a 地域人事部 is, the alliance's activities, and what is happening now."""
    return render_template("core/home.html", sections=hooks.HOME_SECTIONS.render_all())


@bp.get("/privacy")
def privacy():
    """個人情報の取り扱い: what the site keeps, why, who sees it, how long, and how to ask about it."""
    return render_template("core/privacy.html")


@bp.get("/terms")
def terms():
    """利用規約."""
    return render_template("core/terms.html")


@bp.get("/about")
def about():
    """運営者情報: who runs the site and what the alliance is."""
    return render_template("core/about.html")


def migration_heads() -> list[str]:
    """The newest revision(s) of the migration scripts this code ships (read once per app)."""
    heads = current_app.extensions.get(_HEADS_KEY)
    if heads is None:
        migrate = current_app.extensions.get("migrate")
        heads = sorted(ScriptDirectory(migrate.directory).get_heads()) if migrate else []
        current_app.extensions[_HEADS_KEY] = heads
    return heads


def database_revision() -> str | None:
    """The migration revision the database is at (None before the first `db upgrade`)."""
    try:
        with db.session.begin_nested():
            return db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.ProgrammingError:
        return None
    except sa.exc.OperationalError as error:
        # SQLite says "no such table" as an OperationalError; anything else is a real outage.
        if "no such table" in str(error):
            return None
        raise


@bp.get("/healthz")
def healthz():
    """Liveness, database and schema check for the load balancer and deployments."""
    try:
        revision = database_revision()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    heads = migration_heads()
    response = jsonify(
        status="ok",
        database="ok",
        revision=revision,
        head=heads[0] if len(heads) == 1 else heads,
        migrations="current" if revision in heads else "pending",
    )
    response.headers["Cache-Control"] = "no-store"  # asked anew each time, never from the page cache
    return response
