"""Site-wide pages that belong to no single blueprint: home and health check."""

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template

from core import hooks
from core.db import db

bp = Blueprint("core", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/core")


@bp.get("/")
def home():
    """What a 地域人事部 is, the alliance's activities, and what is happening now."""
    return render_template("core/home.html", sections=hooks.render_all("home_sections"))


@bp.get("/healthz")
def healthz():
    """Liveness and database check for the load balancer."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
