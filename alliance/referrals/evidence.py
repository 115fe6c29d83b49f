"""A completed referral's outcome report, as a document of the search index: evidence of its partner's work.

What a member learnt in one region becomes what matching reads for the next request
(alliance.referrals.ranking). Visible to alliance staff only, as the reports are.
"""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from alliance.referrals.models import Referral, ReferralOutcome
from core import hooks, search
from core.auth import is_admin
from core.db import db

SEARCH_KIND = "referral-outcome"


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


EVIDENCE_KIND = hooks.EvidenceKind(
    SEARCH_KIND,
    label=lambda document: _("Referral report"),
    # A referral's report stays with its parties (here: admins); others learn that it exists.
    readable=lambda document: is_admin(),
    withheld=lambda document: _("A completed referral in %(year)s (its details stay with its parties)",
                                year=document.meta.get("year") or ""),
)
