"""Cross-region referrals between member organisations, and consultations from the public (/consult)."""

from flask import Flask

from alliance.referrals import api, cli, demo, sections
from alliance.referrals.views import bp, consult_bp
from core import hooks
from core.api import add_openapi
from core.security import csrf


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(consult_bp)
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    add_openapi(app, api.PATHS, api.SCHEMAS)
    app.cli.add_command(cli.consultations_cli)
    hooks.register(app, "secretariat_sections", sections.secretariat_section)
    hooks.register(app, "member_sections", sections.member_section)
    hooks.register(app, "organization_sections", sections.organization_section)
    hooks.register(app, "impact_figures", sections.impact_figures)
    hooks.register(app, "impact_sections", sections.impact_section)
    hooks.register(app, "demo_seeders", demo.seed)
