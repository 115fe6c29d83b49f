"""Events: seminars, 相談会, meetings, conferences and trainings; registrations, waitlists, calendars."""

from flask import Flask

from core import hooks
from core.api import add_openapi
from core.i18n import label_table
from core.security import csrf
from events import (
    api,
    calendar,
    calendar_feed,
    checkin_views,
    demo,
    followup_views,
    question_views,
    questions,
    search_index,
    seats,
    sections,
    services,
    sitemap,
    survey_views,
    surveys,
)
from events.cli import events_cli
from events.forms import ALLOCATION_LABELS, AUDIENCE_LABELS, FORMAT_LABELS, KIND_LABELS, STATUS_LABELS
from events.views import bp


def _label(labels: dict):
    return label_table(labels, default="")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    seats.init_app(app)
    for room in (question_views, checkin_views, survey_views, followup_views, calendar_feed):
        app.register_blueprint(room.bp)
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
        question_kind_name=_label(questions.KIND_LABELS),
        rating_label=_label(questions.RATING_LABELS),
        answer_text=questions.as_text,
        answer_chart=lambda summary: surveys.bar_chart(summary, title=summary.question.label),
        calendar_links=calendar.calendar_links,
        venue_map_url=calendar.map_url,
    )
    hooks.SEARCH_REINDEXERS.register(app, hooks.Reindexer(search_index.SEARCH_KIND, search_index.reindex_events))
    hooks.SITEMAP_SOURCES.register(app, sitemap.entries)
    hooks.SEARCH_PROVIDERS.register(app, sections.SEARCH_PROVIDER)
    hooks.HOME_SECTIONS.register(app, sections.home_section)
    hooks.ORGANIZATION_SECTIONS.register(app, sections.organization_section)
    hooks.MEMBER_SECTIONS.register(app, sections.member_section)
    hooks.IMPACT_FIGURES.register(app, sections.impact_figures)
    hooks.MEMBER_ERASERS.register(app, services.erase_member)
    hooks.MEMBER_DATA_EXPORTS.register(app, services.export_member)
    hooks.DIGEST_SECTIONS.register(app, sections.DIGEST_SECTION)
    hooks.DEMO_SEEDERS.register(app, demo.seed)
    hooks.MAIN_MENU.register(app, sections.MENU_ITEM)
    hooks.TOOL_LINKS.register(app, sections.TOOL_LINK)
