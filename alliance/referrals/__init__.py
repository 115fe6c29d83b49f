"""Cross-region referrals between member organisations, and consultations from the public (/consult)."""

from flask import Flask

from alliance.referrals import api, cli, demo, evidence, sections
from alliance.referrals.forms import DECLINE_REASON_LABELS, consultation_theme_name
from alliance.referrals.views import bp, consult_bp
from core import hooks
from core.api import add_openapi
from core.security import csrf


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(consultation_theme_name=consultation_theme_name,
                                 decline_reason_label=lambda kind: DECLINE_REASON_LABELS.get(kind, ""))
    app.register_blueprint(bp)
    app.register_blueprint(consult_bp)
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    add_openapi(app, api.PATHS, api.SCHEMAS)
    app.cli.add_command(cli.consultations_cli)
    hooks.SEARCH_REINDEXERS.register(app, hooks.Reindexer(evidence.SEARCH_KIND, evidence.reindex_outcomes))
    hooks.EVIDENCE_KINDS.register(app, evidence.EVIDENCE_KIND)
    hooks.SECRETARIAT_SECTIONS.register(app, sections.secretariat_section)
    hooks.MEMBER_SECTIONS.register(app, sections.member_section)
    hooks.ORGANIZATION_SECTIONS.register(app, sections.organization_section)
    hooks.IMPACT_FIGURES.register(app, sections.impact_figures)
    hooks.IMPACT_SECTIONS.register(app, sections.impact_section)
    hooks.DEMO_SEEDERS.register(app, demo.seed)
    for link in sections.TOOL_LINKS:
        hooks.TOOL_LINKS.register(app, link)
    for entry in sections.MENU:
        hooks.MAIN_MENU.register(app, entry)
    hooks.HOME_ACTIONS.register(app, sections.HOME_ACTION)
