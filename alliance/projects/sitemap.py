"""Projects' public pages for /sitemap.xml: the list and every open project."""

import sqlalchemy as sa

from alliance.projects.models import Project
from core.db import db
from core.routing import site_url

MOST_PROJECTS = 5_000


def entries() -> list[tuple[str, object]]:
    rows = db.session.execute(
        sa.select(Project.id, Project.updated_at).where(Project.status == "open")
        .order_by(Project.id.desc()).limit(MOST_PROJECTS)
    )
    return [(site_url("projects.index"), None),
            *((site_url("projects.detail", project_id=project_id), updated) for project_id, updated in rows)]
