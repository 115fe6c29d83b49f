"""Projects (募集) for side-job professionals, secondees and facilitators; programmes; cohorts; people."""

from flask import Flask

from alliance.projects import (
    api,
    demo,
    evidence,
    people,
    programme_views,
    search_index,
    sections,
    services,
    sitemap,
)
from alliance.projects.views import bp
from core import hooks
from core.api import add_openapi
from core.security import csrf


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(programme_views.bp)
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    add_openapi(app, api.PATHS, api.SCHEMAS)
    hooks.MEMBER_SECTIONS.register(app, sections.member_section)
    hooks.ORGANIZATION_SECTIONS.register(app, sections.organization_section)
    hooks.IMPACT_FIGURES.register(app, sections.impact_figures)
    hooks.IMPACT_SECTIONS.register(app, sections.impact_section)
    hooks.SECRETARIAT_SECTIONS.register(app, sections.secretariat_section)
    hooks.MEMBER_ERASERS.register(app, services.erase_member)
    hooks.MEMBER_DATA_EXPORTS.register(app, services.export_member)
    hooks.DEMO_SEEDERS.register(app, demo.seed)
    hooks.SEARCH_REINDEXERS.register(app, hooks.Reindexer(evidence.SEARCH_KIND, evidence.reindex_programmes))
    hooks.SEARCH_REINDEXERS.register(app, hooks.Reindexer(search_index.SEARCH_KIND, search_index.reindex_projects))
    hooks.SEARCH_PROVIDERS.register(app, search_index.SEARCH_PROVIDER)
    hooks.EVIDENCE_KINDS.register(app, evidence.EVIDENCE_KIND)
    hooks.SITEMAP_SOURCES.register(app, sitemap.entries)
    hooks.MAIN_MENU.register(app, sections.MENU_ITEM)
    hooks.TOOL_LINKS.register(app, sections.TOOL_LINK)
    hooks.EXPERTISE_PROFILE_PAGES.register(app, sections.profile_page)
