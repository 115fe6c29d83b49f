"""Opt-in expertise profiles of RAN members (what I can help with, availability, visibility)."""

from flask import Flask

from core import hooks
from members.expertise import demo, evidence, sections, services
from members.expertise.models import visibility_name
from members.expertise.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(expertise_visibility_name=visibility_name)
    hooks.MEMBER_SECTIONS.register(app, sections.member_section)
    hooks.MEMBER_ERASERS.register(app, services.erase_profile)
    hooks.DEMO_SEEDERS.register(app, demo.seed)
    hooks.SEARCH_REINDEXERS.register(app, hooks.Reindexer(evidence.SEARCH_KIND, evidence.reindex_profiles))
    hooks.EVIDENCE_KINDS.register(app, evidence.EVIDENCE_KIND)
