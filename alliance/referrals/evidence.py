"""A completed referral's outcome report, as a document of the search index: evidence of its partner's work.

What a member learnt in one region becomes what matching reads for the next request
(alliance.referrals.ranking). Visible to alliance staff only, as the reports are.
"""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from alliance.referrals.models import Referral, ReferralOutcome
from core import search
from core.auth import is_admin
from core.db import db

SEARCH_KIND = "referral-outcome"
#: knowhow's article kinds as a coordinator reads them beside a candidate
ARTICLE_KINDS = {"case-study": _l("Case study"), "playbook": _l("Programme"), "report": _l("Report"),
                 "column": _l("Column")}


def search_entry(referral: Referral) -> search.Entry:
    outcome = referral.outcome
    body = "\n".join(part for part in (outcome.summary if outcome else "", referral.description) if part)
    return search.Entry(
        kind=SEARCH_KIND, object_id=referral.id, title=referral.title, body=body, visibility="alliance",
        organization_id=referral.partner_organization_id,
        facets={"theme": referral.theme, "prefecture": referral.prefecture},
        meta={"referral_id": referral.id, "year": referral.completed_at.year if referral.completed_at else None},
    )


def index_outcome(referral: Referral) -> None:
    search.index_many([search_entry(referral)])


def _completed():
    return (Referral.status == "completed", Referral.partner_organization_id.is_not(None),
            sa.exists().where(ReferralOutcome.referral_id == Referral.id))


def reindex_outcomes() -> int:
    """Index every completed referral's outcome again (`flask search reindex --kind referral-outcome`)."""
    return search.reindex_all(Referral, search_entry, *_completed(), options=[selectinload(Referral.outcome)])


def index_all_outcomes() -> int:
    """Index the completed referrals' outcomes inside the caller's transaction (the demo seeder)."""
    referrals = db.session.scalars(sa.select(Referral).where(*_completed()).options(selectinload(Referral.outcome)))
    return search.index_many([search_entry(referral) for referral in referrals])


def kind_label(document) -> str:
    """What a matched document is, for the candidate list."""
    if document.kind == "organization":
        return _("Profile")
    if document.kind == SEARCH_KIND:
        return _("Referral report")
    return str(ARTICLE_KINDS.get(document.meta.get("type"), _("Knowhow")))


def url(document) -> str | None:
    """Where a matched document can be read (a referral's report stays with its parties: no link)."""
    if document.kind == "organization" and document.meta.get("slug"):
        return url_for("alliance.detail", slug=document.meta["slug"])
    if document.kind == "article" and document.meta.get("slug"):
        return url_for("knowhow.detail", slug=document.meta["slug"])
    return None


def readable(document) -> bool:
    """Whether the viewer may read the document's words: a referral's report only its parties' (here: admins)."""
    return document.kind != SEARCH_KIND or is_admin()
