"""Events' public pages for /sitemap.xml: the list and the upcoming public events, soonest first."""

import sqlalchemy as sa

from core.db import db, utcnow
from core.routing import site_url
from events.models import Event

MOST_EVENTS = 20_000


def entries() -> list[tuple[str, object]]:
    rows = db.session.execute(
        sa.select(Event.id, Event.updated_at)
        .where(Event.deleted_at.is_(None), Event.status == "published", Event.audience == "public",
               Event.ends_at >= utcnow())
        .order_by(Event.starts_at, Event.id).limit(MOST_EVENTS)
    )
    return [(site_url("events.index"), None),
            *((site_url("events.detail", event_id=event_id), updated) for event_id, updated in rows)]
