"""Fixtures for operations tests: an app on a database of its own, migrated and seeded."""

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import MIGRATIONS_DIR, create_app
from core.db import db, read_only
from tests.conftest import app_config, seed_demo


@pytest.fixture
def own_app(empty_database_url, tmp_path):
    """`own_app(**config)`: an app on an empty database of its own (demo files go to tmp_path)."""
    apps = []

    def build(**overrides):
        application = create_app(app_config(empty_database_url, **overrides))
        application.instance_path = str(tmp_path)
        apps.append(application)
        return application

    yield build
    for application in apps:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def seeded_app(own_app):
    """An app on its own database, migrated to the head and loaded with the demo data."""
    application = own_app()
    with application.app_context():
        upgrade(directory=MIGRATIONS_DIR)
    seed_demo(application)
    return application


def table_rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every table's primary keys, sorted (what "no row lost" is checked on)."""
    quote = engine.dialect.identifier_preparer.quote
    with read_only():
        inspector = sa.inspect(engine)
        keys = {
            table: inspector.get_pk_constraint(table)["constrained_columns"]
            or [column["name"] for column in inspector.get_columns(table)]
            for table in inspector.get_table_names() if table != "alembic_version"
        }
        rows = {}
        with engine.connect() as connection:
            for table, key in keys.items():
                columns = ", ".join(quote(name) for name in key)
                result = connection.execute(sa.text(f"SELECT {columns} FROM {quote(table)} ORDER BY {columns}"))
                rows[table] = [tuple(row) for row in result]
    return rows
