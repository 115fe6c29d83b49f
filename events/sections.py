"""What events add to pages other blueprints own (registered on core.hooks)."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import joinedload, selectinload

from core import fragments, search
from core.auth import is_admin
from core.db import db, utcnow
from core.hooks import DigestSection, Figure, MenuItem, SearchHit, SearchProvider, ToolLink, render_section
from core.i18n import format_local_datetime
from core.routing import site_url
from events import permissions, search_index, services, surveys
from events.forms import AUDIENCE_LABELS, KIND_LABELS, TOKYO
from events.models import ACTIVE_STATES, CANCELLED, Event, EventQuestion, EventTheme, Registration
from events.registration import waitlist_position

HOME_LIMIT = 4
ORGANIZATION_LIMIT = 5
MEMBER_LIMIT = 20



def home_section() -> Markup:
    """The next events on the home page (the same for every viewer: kept until what it shows is written)."""
    return fragments.cached("events.home", (), lambda: render_section(
        "events/_home_section.html", events=services.upcoming_events(HOME_LIMIT)))


def organization_section(organization) -> Markup | None:
    """An organisation's upcoming events on its page (nothing when it has none)."""
    events = services.upcoming_events(ORGANIZATION_LIMIT, organization.id, only_org=True)
    average, ratings = surveys.average_rating(Event.organization_id == organization.id)
    if not events and average is None:
        return None
    return render_section("events/_organization_section.html", events=events, organization=organization,
                          average=average, ratings=ratings)


def member_section(member) -> Markup:
    """"My registrations" on /members/me: upcoming first, then the latest past ones."""
    now = utcnow()
    base = (
        sa.select(Registration)
        .join(Event)
        .where(Registration.member_id == member.id, Event.deleted_at.is_(None), Event.status != "draft")
        .options(joinedload(Registration.event))  # the section shows no themes
    )
    upcoming = db.session.scalars(
        base.where(Event.ends_at >= now, Registration.status != CANCELLED)
        .order_by(Event.starts_at).limit(MEMBER_LIMIT)
    ).unique().all()
    past = db.session.scalars(
        base.where(Event.ends_at < now, Registration.status.in_(ACTIVE_STATES))
        .order_by(Event.starts_at.desc()).limit(MEMBER_LIMIT)
    ).unique().all()
    positions = _waitlist_positions([r for r in upcoming if r.status == "waitlisted"])
    return render_section("events/_member_section.html", upcoming=upcoming, past=past, positions=positions,
                          survey_ids=_open_surveys(past))


def _open_surveys(past: list[Registration]) -> set[int]:
    """Those of the past registrations whose survey waits for an answer (one query)."""
    candidates = {r.event_id: r.id for r in past if r.attendance == "attended" and r.survey_answered_at is None
                  and r.status == "confirmed" and r.event.status == "published"}
    if not candidates:
        return set()
    with_survey = db.session.scalars(
        sa.select(EventQuestion.event_id).where(EventQuestion.event_id.in_(list(candidates)),
                                                EventQuestion.purpose == "survey").distinct()
    ).all()
    return {candidates[event_id] for event_id in with_survey}


def _waitlist_positions(registrations: list[Registration]) -> dict[int, int]:
    return {r.id: waitlist_position(r) for r in registrations[:MEMBER_LIMIT]}


def impact_figures() -> list[Figure]:
    """Events held, registrations and attendances on /impact."""
    now = utcnow()
    held = db.session.scalar(
        sa.select(sa.func.count()).select_from(Event)
        .where(Event.deleted_at.is_(None), Event.status == "published", Event.ends_at < now)
    )
    registrations = db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration).join(Event)
        .where(Event.deleted_at.is_(None), Event.status != "draft", Registration.status != CANCELLED)
    )
    attended = db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration).join(Event)
        .where(Event.deleted_at.is_(None), Registration.attendance == "attended")
    )
    figures = [
        Figure(_("Events held"), held, _("seminars, consultation sessions, meetings and trainings")),
        Figure(_("Event registrations"), registrations, _("confirmed, waitlisted and lottery entries")),
        Figure(_("Attendances"), attended, _("checked in at the reception or marked by the organisers")),
    ]
    average, ratings = surveys.average_rating()
    if average is not None:
        figures.append(Figure(_("Average satisfaction"), f"{average:.1f} / 5",
                              _("from %(count)d ratings in the surveys after events", count=ratings)))
    return figures


# --- the site search ----------------------------------------------------------------------------


def viewer_for(member) -> search.Viewer:
    """Visibility in the index: visitors find public events, members also members-only ones."""
    if not getattr(member, "is_authenticated", False):
        return search.ANONYMOUS
    return search.Viewer(member_id=member.id, is_admin=is_admin(member))


def _may_find(event: Event, member) -> bool:
    """The index is checked, not trusted: listed, and members-only events for members only."""
    if not search_index.is_indexed(event):
        return False
    return event.audience != "members" or bool(getattr(member, "is_authenticated", False))


def _status_label(event: Event, now) -> str:
    if event.is_cancelled:
        return _("Cancelled")
    if event.ends_at < now:
        return _("Ended")
    return ""


#: relevance factor of an event still to come (not cancelled): of two equally relevant hits, the next
#: edition of a yearly conference comes before the past ones
UPCOMING_BOOST = 1.25


def search_provider(query, viewer, limit: int) -> list[SearchHit]:
    """Events for /search and the API (honours the kind, theme and prefecture filters), best first."""
    filters = getattr(query, "filters", {}) or {}
    if filters.get("kind") and filters["kind"] != search_index.SEARCH_KIND:
        return []
    results = search_index.search_events(
        str(query), viewer_for(viewer), theme=filters.get("theme"), prefecture=filters.get("prefecture"),
        limit=min(limit, search.DEFAULT_CANDIDATES),
    )
    ids = [hit.object_id for hit in results.hits]
    if not ids:
        return []
    events = {
        event.id: event
        for event in db.session.scalars(
            sa.select(Event).where(Event.id.in_(ids)).options(selectinload(Event.theme_rows))
        )
        if _may_find(event, viewer)
    }
    now = utcnow()
    found = []
    for hit in results.hits:
        event = events.get(hit.object_id)
        if event is None:
            continue
        found.append(SearchHit(
            kind=search_index.SEARCH_KIND,
            title=hit.highlighted_title(),
            url=url_for("events.detail", event_id=event.id),
            snippet=search.LazySnippet(hit),
            score=hit.score * (UPCOMING_BOOST if event.ends_at >= now and not event.is_cancelled else 1.0),
            meta={
                "id": event.id,
                "type": event.kind,
                "type_label": str(KIND_LABELS.get(event.kind, "")),
                "format": event.format,
                "audience": event.audience,
                "audience_label": str(AUDIENCE_LABELS["members"]) if event.audience == "members" else "",
                "themes": sorted(event.themes),
                "prefecture": event.prefecture,
                "starts_at": event.starts_at.astimezone(TOKYO).isoformat(),
                "ends_at": event.ends_at.astimezone(TOKYO).isoformat(),
                "date_label": format_local_datetime(event.starts_at),
                "status": event.status,
                "status_label": _status_label(event, now),
            },
        ))
    found.sort(key=lambda found_hit: found_hit.score, reverse=True)
    return found


SEARCH_PROVIDER = SearchProvider(search_index.SEARCH_KIND, _l("Events"), search_provider, order=20)


MENU_ITEM = MenuItem("events.index", _l("Events"), order=20)
TOOL_LINK = ToolLink("events.manage", _l("Manage events"), permissions.can_create_events, order=10)


DIGEST_LIMIT = 8


def digest_items(member, since) -> list[tuple[str, str]]:
    """Upcoming events published since `since` in the member's prefecture or themes (the weekly digest)."""
    interest = [Event.prefecture == member.prefecture]
    if member.themes:
        interest.append(Event.theme_rows.any(EventTheme.theme.in_(list(member.themes))))
    events = db.session.scalars(
        sa.select(Event).where(Event.status == "published", Event.deleted_at.is_(None), Event.created_at >= since,
                               Event.starts_at > utcnow(), sa.or_(*interest))
        .order_by(Event.starts_at, Event.id).limit(DIGEST_LIMIT)
    ).all()
    return [(f"{format_local_datetime(event.starts_at)} {event.title}", site_url("events.detail", event_id=event.id))
            for event in events]


DIGEST_SECTION = DigestSection(_l("New events"), digest_items)
