"""The audit log: every admin action and every state change that matters."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, db, utcnow


class AuditEntry(Base):
    """One recorded action: who did what to which object."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: the acting member; None for the system (CLI, scheduled jobs) or a deleted account
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    #: dotted verb, e.g. "organization.approve", "referral.accept"
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    target_type: Mapped[str | None] = mapped_column(sa.String(40))
    target_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))

    __table_args__ = (sa.Index("ix_audit_entries_target", "target_type", "target_id"),)


def audit(action: str, target=None, *, actor=None, **details: Any) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        target_type=getattr(target, "__tablename__", None),
        target_id=getattr(target, "id", None),
        details=details,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
