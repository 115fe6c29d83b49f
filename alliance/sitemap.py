"""The alliance's public pages for /sitemap.xml: the directory, the figures and every live organisation."""

import sqlalchemy as sa

from alliance.models import Organization
from core.db import db
from core.routing import site_url

MOST_ORGANIZATIONS = 5_000


def entries() -> list[tuple[str, object]]:
    rows = db.session.execute(
        sa.select(Organization.slug, Organization.updated_at)
        .where(Organization.status == "active", Organization.deleted_at.is_(None))
        .order_by(Organization.id).limit(MOST_ORGANIZATIONS)
    )
    return [(site_url("alliance.directory"), None), (site_url("alliance.impact"), None),
            *((site_url("alliance.detail", slug=slug), updated) for slug, updated in rows)]
