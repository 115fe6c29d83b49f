"""What an organisation says it does, as a document of the search index: evidence for matching.

Referral and consultation matching (alliance.referrals.ranking) reads an organisation's
profile — summary, introduction, notes on its themes, services, track-record labels —
beside its knowhow articles and the outcome reports of referrals it completed.
"""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from alliance.models import Organization
from core import hooks, search
from core.markdown import markdown_to_text

SEARCH_KIND = "organization"


def search_entry(organization: Organization) -> search.Entry:
    notes = [row.note for row in organization.theme_rows if row.note]
    services = [f"{service.title} {service.description}".strip() for service in organization.services]
    records = [record.label for record in organization.records]
    body = "\n".join(part for part in (organization.summary, markdown_to_text(organization.description), *notes,
                                       *services, *records) if part)
    return search.Entry(
        kind=SEARCH_KIND, object_id=organization.id, title=organization.name, body=body,
        published=organization.status == "active" and organization.deleted_at is None,
        organization_id=organization.id,
        facets={"theme": [row.theme for row in organization.theme_rows], "prefecture": organization.prefecture},
        meta={"slug": organization.slug},
    )


def index_organization(organization: Organization) -> None:
    search.index_many([search_entry(organization)])


def reindex_organizations() -> int:
    """Index every organisation's profile again (`flask search reindex --kind organization`)."""
    return search.reindex_all(Organization, search_entry, Organization.deleted_at.is_(None), options=[
        selectinload(Organization.theme_rows), selectinload(Organization.services),
        selectinload(Organization.records)])


EVIDENCE_KIND = hooks.EvidenceKind(
    SEARCH_KIND, label=lambda document: _("Profile"),
    url=lambda document: url_for("alliance.detail", slug=document.meta["slug"]) if document.meta.get("slug") else None,
)
