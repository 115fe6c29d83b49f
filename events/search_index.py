"""Events in the site's Japanese full-text index (core.search), kind "event".

Published and cancelled events that are not deleted are indexed — what the
/events/ pages list; drafts and deleted events are not. The index's visibility
follows the audience: `public` events for everyone, members-only events
(RAN会員限定) as `members`, found by logged-in members only. A cancelled event
stays in the index: the search shows it with its 中止 label, as the event list does.

events.services calls `index_event` after every change of an event (create,
edit and publish, cancel, delete, restore); `flask search reindex --kind event`
rebuilds the whole kind and the demo seeder indexes its bulk rows with `entry_for_row`.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from core import search
from core.db import db
from core.markdown import markdown_to_text
from events.models import Event, EventTheme

SEARCH_KIND = "event"
#: the statuses the index holds (and the /events/ list shows)
INDEXED_STATUSES = ("published", "cancelled")
REINDEX_BATCH = 1000


def is_indexed(event: Event) -> bool:
    return event.deleted_at is None and event.status in INDEXED_STATUSES


def _visibility(audience: str | None) -> str:
    return "members" if audience == "members" else "public"


def _entry(*, event_id: int, title: str, summary: str, body_text: str, venue: str, audience: str,
           organization_id: int | None, themes: Iterable[str], prefecture: str | None, kind: str,
           format: str, status: str) -> search.Entry:
    themes = sorted(themes)
    return search.Entry(
        kind=SEARCH_KIND,
        object_id=event_id,
        title=title,
        body="\n".join(part for part in (summary, body_text, venue) if part),
        visibility=_visibility(audience),
        published=True,
        organization_id=organization_id,
        # "type" rather than "kind": the document kind already has the index word fkindx….
        facets={"theme": themes, "prefecture": prefecture, "type": kind, "format": format},
        meta={"type": kind, "format": format, "prefecture": prefecture, "themes": themes, "status": status},
    )


def search_entry(event: Event) -> search.Entry:
    """How an event sits in the generic index."""
    return _entry(
        event_id=event.id, title=event.title, summary=event.summary, body_text=markdown_to_text(event.body),
        venue=event.venue if event.has_venue else "", audience=event.audience,
        organization_id=event.organization_id, themes=event.themes, prefecture=event.prefecture,
        kind=event.kind, format=event.format, status=event.status,
    )


def entry_for_row(event_id: int, row: dict, themes: Iterable[str]) -> search.Entry:
    """The entry of a bulk-inserted row of `events` (what `search_entry` gives for the loaded event)."""
    return _entry(
        event_id=event_id, title=row["title"], summary=row.get("summary", ""),
        body_text=markdown_to_text(row.get("body", "")),
        venue=row.get("venue", "") if row.get("format") in ("venue", "hybrid") else "",
        audience=row.get("audience", "public"), organization_id=row.get("organization_id"), themes=themes,
        prefecture=row.get("prefecture"), kind=row["kind"], format=row["format"], status=row.get("status", "draft"),
    )


def index_inserted(ids: list[int], rows: list[dict]) -> int:
    """Index bulk-inserted rows of `events` (their themes already inserted) with no look-up of old documents."""
    themes: dict[int, list[str]] = {event_id: [] for event_id in ids}
    for chunk_start in range(0, len(ids), REINDEX_BATCH):
        chunk = ids[chunk_start:chunk_start + REINDEX_BATCH]
        for event_id, theme in db.session.execute(
            sa.select(EventTheme.event_id, EventTheme.theme).where(EventTheme.event_id.in_(chunk))
        ):
            themes[event_id].append(theme)
    return search.index_many(
        [entry_for_row(event_id, row, themes[event_id])
         for event_id, row in zip(ids, rows, strict=True) if row.get("status") in INDEXED_STATUSES],
        fresh=True,
    )


def index_event(event: Event) -> None:
    """Bring the event's document up to date (within the caller's transaction)."""
    if is_indexed(event):
        search.index_many([search_entry(event)])
    else:
        search.remove(SEARCH_KIND, event.id)


def reindex_events() -> int:
    """Index every listed event again (`flask search reindex --kind event`)."""
    return search.reindex_all(Event, search_entry, Event.deleted_at.is_(None), Event.status.in_(INDEXED_STATUSES),
                              options=[selectinload(Event.theme_rows)], batch=REINDEX_BATCH)


def search_events(q: str, viewer: search.Viewer, *, theme: str | None = None, prefecture: str | None = None,
                  limit: int = 20, offset: int = 0) -> search.Results:
    """Full-text search over the listed events the viewer may find."""
    return search.query(q, kinds=[SEARCH_KIND], viewer=viewer, facets={"theme": theme, "prefecture": prefecture},
                        limit=limit, offset=offset)
