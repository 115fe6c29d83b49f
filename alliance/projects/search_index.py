"""Projects (募集) in the site's full-text index (core.search), kind "project": what /search finds beside
organisations, events and knowhow.

Every project is indexed, open or closed (the search labels the closed ones, as the list's
「過去の募集」 does). Whether its organisation is live is checked when hits are shown: a
suspended organisation's projects are not found, as they are not listed. alliance.projects.services
indexes a project whenever it is posted, edited, closed or reopened; `flask search reindex --kind
project` rebuilds the kind and the demo seeder indexes its projects.
"""

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from alliance.projects.models import PROJECT_STATUSES, Project, kind_name
from core import search
from core.db import db
from core.hooks import SearchHit, SearchProvider
from core.markdown import markdown_to_text

SEARCH_KIND = "project"
#: open projects first among equally good matches: the list a visitor can still act on
OPEN_BOOST = 1.5


def search_entry(project: Project) -> search.Entry:
    body = "\n".join(part for part in (
        project.host_name, project.location, project.programme_name, markdown_to_text(project.description),
        "、".join(project.skills),
    ) if part)
    return search.Entry(
        kind=SEARCH_KIND, object_id=project.id, title=project.title, body=body, visibility="public", published=True,
        organization_id=project.organization_id,
        facets={"theme": project.theme, "prefecture": project.prefecture, "type": project.kind},
        meta={"prefecture": project.prefecture, "themes": [project.theme], "status": project.status},
    )


def index_project(project: Project) -> None:
    search.index_many([search_entry(project)])


def reindex_projects() -> int:
    """Index every project again (`flask search reindex --kind project`)."""
    return search.reindex_all(Project, search_entry, options=(selectinload(Project.skill_rows),))


def index_all_projects() -> int:
    """Index the projects inside the caller's transaction (the demo seeder)."""
    projects = db.session.scalars(sa.select(Project).options(selectinload(Project.skill_rows)))
    return search.index_many([search_entry(project) for project in projects])


def search_provider(query, viewer, limit: int) -> list[SearchHit]:
    """Projects for /search (honours the kind, theme and prefecture filters), open ones first."""
    filters = getattr(query, "filters", {}) or {}
    if filters.get("kind") and filters["kind"] != SEARCH_KIND:
        return []
    results = search.query(str(query), kinds=[SEARCH_KIND], facets={"theme": filters.get("theme"),
                                                                     "prefecture": filters.get("prefecture")},
                           limit=min(limit, search.DEFAULT_CANDIDATES))
    ids = [hit.object_id for hit in results.hits]
    if not ids:
        return []
    projects = {project.id: project for project in db.session.scalars(
        sa.select(Project).where(Project.id.in_(ids)).options(joinedload(Project.organization)))
        if project.organization.is_live}
    found = []
    for hit in results.hits:
        project = projects.get(hit.object_id)
        if project is None:
            continue
        is_open = project.status == "open"
        found.append(SearchHit(
            kind=SEARCH_KIND, title=hit.highlighted_title(),
            url=url_for("projects.detail", project_id=project.id), snippet=search.LazySnippet(hit),
            score=hit.score * (OPEN_BOOST if is_open else 1.0),
            meta={"type": project.kind, "type_label": kind_name(project.kind), "themes": [project.theme],
                  "prefecture": project.prefecture, "status": project.status,
                  "status_label": "" if is_open else str(PROJECT_STATUSES["closed"])},
        ))
    return found


SEARCH_PROVIDER = SearchProvider(SEARCH_KIND, _l("Projects"), search_provider, order=40)
