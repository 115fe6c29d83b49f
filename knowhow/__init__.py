"""Knowhow: articles, programmes (playbooks) and their adoption."""

from flask import Flask

from core import hooks
from core.api import add_openapi
from core.security import csrf
from knowhow import case_studies, demo, sections, services, sitemap
from knowhow.api import OPENAPI_PATHS, OPENAPI_SCHEMAS
from knowhow.api import bp as api_bp
from knowhow.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    add_openapi(app, OPENAPI_PATHS, OPENAPI_SCHEMAS)
    hooks.SEARCH_REINDEXERS.register(app, hooks.Reindexer(services.SEARCH_KIND, services.reindex_articles))
    hooks.HOME_SECTIONS.register(app, sections.home_section)
    hooks.ORGANIZATION_SECTIONS.register(app, sections.organization_section)
    hooks.MEMBER_SECTIONS.register(app, sections.member_section)
    hooks.IMPACT_FIGURES.register(app, sections.impact_figures)
    hooks.IMPACT_SECTIONS.register(app, sections.impact_section)
    hooks.SEARCH_PROVIDERS.register(app, sections.SEARCH_PROVIDER)
    hooks.SITEMAP_SOURCES.register(app, sitemap.entries)
    hooks.EVIDENCE_KINDS.register(app, sections.EVIDENCE_KIND)
    hooks.MEMBER_ERASERS.register(app, services.erase_member)
    hooks.MEMBER_DATA_EXPORTS.register(app, services.export_member)
    hooks.DIGEST_SECTIONS.register(app, sections.DIGEST_SECTION)
    hooks.DEMO_SEEDERS.register(app, demo.seed)
    hooks.MAIN_MENU.register(app, sections.MENU_ITEM)
    hooks.TOOL_LINKS.register(app, sections.TOOL_LINK)
    hooks.CASE_STUDY_DRAFTERS.register(app, case_studies.draft_case_study)
