"""Knowhow: articles, programmes (playbooks) and their adoption, and the site search."""

from flask import Flask

from core import hooks, search
from core.api import add_openapi
from core.security import csrf
from knowhow import case_studies, demo, sections, services, site_search
from knowhow.api import OPENAPI_PATHS, OPENAPI_SCHEMAS
from knowhow.api import bp as api_bp
from knowhow.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(site_search.bp)
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    add_openapi(app, OPENAPI_PATHS, OPENAPI_SCHEMAS)
    search.register_reindexer(app, services.SEARCH_KIND, services.reindex_articles)
    hooks.register(app, "home_sections", sections.home_section)
    hooks.register(app, "organization_sections", sections.organization_section)
    hooks.register(app, "member_sections", sections.member_section)
    hooks.register(app, "impact_figures", sections.impact_figures)
    hooks.register(app, "impact_sections", sections.impact_section)
    hooks.register(app, "search_providers", sections.search_provider)
    hooks.register(app, "member_erasers", services.erase_member)
    hooks.register(app, "demo_seeders", demo.seed)
    hooks.register(app, "case_study_drafters", case_studies.draft_case_study)
