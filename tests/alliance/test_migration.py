"""Migration 0003 upgrades and downgrades on SQLite and PostgreSQL (in a database of its own)."""

import os

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import MIGRATIONS_DIR, create_app
from core.db import db
from tests.conftest import _nullcontext, _throwaway_postgres, app_config

ALLIANCE_TABLES = {"organizations", "organization_themes", "organization_prefectures", "organization_staff",
                   "organization_services", "organization_records", "organization_applications",
                   "organization_invitations"}


def test_upgrade_downgrade_upgrade(engine_name, tmp_path):
    if engine_name == "postgresql" and os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs a throw-away PostgreSQL database; TEST_DATABASE_URL is the suite's own")
    context = _nullcontext(f"sqlite:///{tmp_path / 'mig.sqlite3'}") if engine_name == "sqlite" else _throwaway_postgres()
    with context as url:
        application = create_app(app_config(url))
        with application.app_context():
            upgrade(directory=MIGRATIONS_DIR)
            assert ALLIANCE_TABLES <= set(sa.inspect(db.engine).get_table_names())
            columns = {c["name"] for c in sa.inspect(db.engine).get_columns("organizations")}
            assert {"accepts_remote", "description", "founded_year"} <= columns
            downgrade(directory=MIGRATIONS_DIR, revision="0001")
            assert not ALLIANCE_TABLES & set(sa.inspect(db.engine).get_table_names())
            upgrade(directory=MIGRATIONS_DIR)
            assert ALLIANCE_TABLES <= set(sa.inspect(db.engine).get_table_names())
            db.engine.dispose()
