"""Events: seminars, 相談会, meetings, conferences and trainings; registrations, waitlists, calendars."""

from flask import Flask

from core import hooks, search
from core.api import add_openapi
from core.security import csrf
from events import api, demo, search_index, sections, services
from events.cli import events_cli
from events.forms import ALLOCATION_LABELS, AUDIENCE_LABELS, FORMAT_LABELS, KIND_LABELS, STATUS_LABELS
from events.views import bp


def _label(labels: dict):
    def name(slug: str | None) -> str:
        return str(labels.get(slug or "", ""))

    return name


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    add_openapi(app, api.OPENAPI_PATHS, api.OPENAPI_SCHEMAS)
    app.cli.add_command(events_cli)
    app.jinja_env.globals.update(
        event_kind_name=_label(KIND_LABELS),
        event_format_name=_label(FORMAT_LABELS),
        event_audience_name=_label(AUDIENCE_LABELS),
        event_allocation_name=_label(ALLOCATION_LABELS),
        event_status_name=_label(STATUS_LABELS),
    )
    search.register_reindexer(app, search_index.SEARCH_KIND, search_index.reindex_events)
    hooks.register(app, "search_providers", sections.search_provider)
    hooks.register(app, "home_sections", sections.home_section)
    hooks.register(app, "organization_sections", sections.organization_section)
    hooks.register(app, "member_sections", sections.member_section)
    hooks.register(app, "impact_figures", sections.impact_figures)
    hooks.register(app, "member_erasers", services.erase_member)
    hooks.register(app, "demo_seeders", demo.seed)
