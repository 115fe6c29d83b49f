"""Helpers for the alliance tests: a valid application, bulk organisations, audit rows."""

import pytest
import sqlalchemy as sa

from alliance.models import Organization, OrganizationPrefecture, OrganizationTheme
from core import refdata
from core.audit import AuditEntry
from core.db import db, utcnow


def application_form(**overrides) -> dict:
    """A valid organisation application, as the form posts it (DESIGN.md field names)."""
    data = {
        "name": "テスト地域人事部ネット",
        "slug": "test-jinjibu",
        "kind": "npo",
        "prefecture": "06",
        "served_prefectures": ["06", "04"],
        "themes": ["career-education", "youth-retention"],
        "summary": "山形で若手の地域同期をつくっています。",
        "website": "https://jinjibu.example.jp",
        "contact_email": "hello@jinjibu.example.jp",
        "motivation": "他地域の地域人事部と学び合いたいからです。",
    }
    data.update(overrides)
    return data


def edit_form(organization: Organization, **overrides) -> dict:
    """A valid edit form for an organisation (every theme row present, as the page posts it)."""
    data = {
        "name": organization.name,
        "kind": organization.kind,
        "prefecture": organization.prefecture,
        "served_prefectures": [organization.prefecture],
        "summary": organization.summary or "概要です。",
        "description": "",
        "website": "",
        "contact_email": organization.contact_email or "contact@example.jp",
        "founded_year": "",
    }
    for index, theme in enumerate(refdata.THEMES):
        data[f"expertise-{index}-depth"] = "expert" if theme.slug == "youth-retention" else ""
        data[f"expertise-{index}-note"] = ""
    data.update(overrides)
    return data


@pytest.fixture
def audit_actions(app):
    """A callable returning the audit log's actions, oldest first."""

    def read(prefix: str = "") -> list[str]:
        with app.app_context():
            query = sa.select(AuditEntry.action).order_by(AuditEntry.id)
            if prefix:
                query = query.where(AuditEntry.action.startswith(prefix))
            return list(db.session.scalars(query))

    return read


@pytest.fixture
def bulk_organizations(app):
    """Insert many organisations quickly (for query-count tests): returns nothing."""

    def insert(count: int, *, start: int = 0, prefecture: str = "13", theme: str = "women") -> None:
        now = utcnow()
        with app.app_context():
            rows = [
                {"slug": f"bulk-{start + i:05d}", "name": f"一括団体{start + i:05d}", "kind": "npo",
                 "prefecture": prefecture, "summary": "一括で作った団体です。", "website": "",
                 "contact_email": f"bulk{start + i}@example.jp", "status": "active", "description": "",
                 "accepts_remote": False, "created_at": now, "updated_at": now}
                for i in range(count)
            ]
            db.session.execute(sa.insert(Organization), rows)
            ids = db.session.scalars(sa.select(Organization.id).where(Organization.slug.like("bulk-%"))
                                     .order_by(Organization.id)).all()[start:start + count]
            db.session.execute(sa.insert(OrganizationTheme),
                               [{"organization_id": i, "theme": theme, "depth": "strong", "note": ""} for i in ids])
            db.session.execute(sa.insert(OrganizationPrefecture),
                               [{"organization_id": i, "prefecture": prefecture} for i in ids])
            db.session.commit()

    return insert
