"""The alliance: member organisations, directory, joining, secretariat, impact (referrals in alliance/referrals/)."""

from flask import Flask

from alliance import api, contributions, demo, secretariat, services
from alliance.forms import depth_label, kind_label
from alliance.views import bp
from core import hooks
from core.api import add_openapi
from core.security import csrf

__all__ = ["init_app", "secretariat"]


def init_app(app: Flask) -> None:
    """Register the pages, the API, what the alliance adds to other pages, and its demo data."""
    app.register_blueprint(bp)
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    add_openapi(app, api.OPENAPI_PATHS, api.OPENAPI_SCHEMAS)
    app.jinja_env.globals.update(organization_kind_label=kind_label, theme_depth_label=depth_label)
    hooks.register(app, "home_sections", contributions.home_section)
    hooks.register(app, "member_sections", contributions.member_section)
    hooks.register(app, "search_providers", contributions.search)
    hooks.register(app, "member_erasers", services.erase_member)
    hooks.register(app, "demo_seeders", demo.seed)
