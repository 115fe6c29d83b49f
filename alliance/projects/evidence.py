"""A completed programme as a document of the search index: evidence of the person's work.

What someone did in a project — its description, skills and their final report — is
what people matching (alliance.projects.suggest) reads beside their expertise profile.
Indexed when the programme completes or its report is submitted; the report's words are
read by matching but shown only to admins, as the report stays with the host.
"""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from alliance.projects.models import Programme, Project
from core import hooks, search
from core.auth import is_admin
from core.db import db

SEARCH_KIND = "programme"


def search_entry(programme: Programme) -> search.Entry:
    project = programme.project
    body = "\n".join(part for part in (programme.report, project.description,
                                       "、".join(row.label for row in project.skill_rows)) if part)
    finished = programme.completed_at or programme.report_submitted_at
    return search.Entry(
        kind=SEARCH_KIND, object_id=programme.id, title=project.title, body=body, visibility="alliance",
        published=programme.status == "completed" and programme.member_id is not None,
        owner_id=programme.member_id, organization_id=project.organization_id,
        facets={"theme": project.theme, "prefecture": project.prefecture},
        meta={"project_id": project.id, "year": finished.year if finished else None},
    )


def index_programme(programme: Programme) -> None:
    search.index_many([search_entry(programme)])


def remove_programmes(programme_ids: list[int]) -> None:
    for programme_id in programme_ids:
        search.remove(SEARCH_KIND, programme_id)


def _loaded():
    return [selectinload(Programme.project).selectinload(Project.skill_rows)]


def reindex_programmes() -> int:
    """Index every completed programme again (`flask search reindex --kind programme`)."""
    return search.reindex_all(Programme, search_entry, Programme.status == "completed",
                              Programme.member_id.is_not(None), options=_loaded())


def index_all_programmes() -> int:
    """Index the completed programmes inside the caller's transaction (the demo seeder)."""
    programmes = db.session.scalars(sa.select(Programme).where(
        Programme.status == "completed", Programme.member_id.is_not(None)).options(*_loaded()))
    return search.index_many([search_entry(programme) for programme in programmes])


EVIDENCE_KIND = hooks.EvidenceKind(
    SEARCH_KIND, label=lambda document: _("Completed project"),
    url=lambda document: url_for("projects.detail", project_id=document.meta["project_id"]),
    readable=lambda document: is_admin(),
    withheld=lambda document: _("Completed “%(title)s” (%(year)s); the report stays with the host",
                                title=document.title, year=document.meta.get("year") or ""),
)
