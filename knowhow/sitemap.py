"""Knowhow's public pages for /sitemap.xml: the list and the newest public articles."""

import sqlalchemy as sa

from core.db import db
from core.routing import site_url
from knowhow.models import Article
from knowhow.services import PUBLISHED

MOST_ARTICLES = 20_000


def entries() -> list[tuple[str, object]]:
    rows = db.session.execute(
        sa.select(Article.slug, Article.updated_at)
        .where(PUBLISHED, Article.visibility == "public", Article.deleted_at.is_(None))
        .order_by(Article.published_at.desc(), Article.id.desc()).limit(MOST_ARTICLES)
    )
    return [(site_url("knowhow.index"), None),
            *((site_url("knowhow.detail", slug=slug), updated) for slug, updated in rows)]
