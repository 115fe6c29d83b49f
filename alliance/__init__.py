"""The alliance: member organisations, directory, joining, secretariat, impact (referrals in alliance/referrals/)."""

from flask import Flask

from alliance import api, badges, contact, contributions, demo, evidence, secretariat, services, sitemap
from alliance.forms import depth_label, kind_label
from alliance.views import bp
from core import hooks
from core.api import add_openapi
from core.security import csrf


def init_app(app: Flask) -> None:
    """Register the pages, the API, what the alliance adds to other pages, and its demo data."""
    app.register_blueprint(bp)
    app.register_blueprint(secretariat.bp)
    hooks.TOOL_LINKS.register(app, secretariat.TOOL_LINK)
    app.register_blueprint(contact.bp)
    hooks.FOOTER_LINKS.register(app, contact.FOOTER_LINK)
    hooks.SECRETARIAT_SECTIONS.register(app, contact.secretariat_section)
    hooks.MEMBER_ERASERS.register(app, contact.erase_member)
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    add_openapi(app, api.OPENAPI_PATHS, api.OPENAPI_SCHEMAS)
    app.jinja_env.globals.update(organization_kind_label=kind_label, theme_depth_label=depth_label,
                                 theme_depth_badge=badges.depth_badge, served_prefecture_names=badges.served_names)
    hooks.HOME_SECTIONS.register(app, contributions.home_section)
    hooks.MEMBER_SECTIONS.register(app, contributions.member_section)
    hooks.SEARCH_PROVIDERS.register(app, contributions.SEARCH_PROVIDER)
    hooks.SEARCH_VOCABULARY.register(app, contributions.search_vocabulary)
    for entry in contributions.MENU:
        hooks.MAIN_MENU.register(app, entry)
    hooks.HOME_ACTIONS.register(app, contributions.HOME_ACTION)
    hooks.JOIN_WAYS.register(app, contributions.JOIN_WAY)
    hooks.SEARCH_REINDEXERS.register(app, hooks.Reindexer(evidence.SEARCH_KIND, evidence.reindex_organizations))
    hooks.EVIDENCE_KINDS.register(app, evidence.EVIDENCE_KIND)
    hooks.SITEMAP_SOURCES.register(app, sitemap.entries)
    hooks.MEMBER_ERASERS.register(app, services.erase_member)
    hooks.MEMBER_DATA_EXPORTS.register(app, services.export_member)
    hooks.DEMO_SEEDERS.register(app, demo.seed)
