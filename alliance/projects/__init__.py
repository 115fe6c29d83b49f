"""Projects (募集) for side-job professionals, secondees and facilitators; programmes; cohorts; people."""

from flask import Flask

from alliance.projects import api, demo, people, programme_views, sections, services  # noqa: F401 (routes)
from alliance.projects.views import bp
from core import hooks
from core.api import add_openapi
from core.security import csrf


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    add_openapi(app, api.PATHS, api.SCHEMAS)
    hooks.register(app, "member_sections", sections.member_section)
    hooks.register(app, "organization_sections", sections.organization_section)
    hooks.register(app, "impact_figures", sections.impact_figures)
    hooks.register(app, "impact_sections", sections.impact_section)
    hooks.register(app, "secretariat_sections", sections.secretariat_section)
    hooks.register(app, "member_erasers", services.erase_member)
    hooks.register(app, "demo_seeders", demo.seed)
