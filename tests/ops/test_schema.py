"""The models and the migrations describe the same schema, on both engines."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.db import db
from core.schema import include_object_for


def test_the_migrated_database_matches_the_models(app):
    with app.app_context():
        connection = db.session.connection()
        context = MigrationContext.configure(
            connection,
            opts={"include_object": include_object_for(connection.dialect.name), "compare_type": True, "compare_server_default": False},
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def _value_checks() -> dict[str, set[str]]:
    """table -> names of the `one_of` checks the models declare."""
    found: dict[str, set[str]] = {}
    for table in db.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint) and str(constraint.name).endswith("_valid"):
                found.setdefault(table.name, set()).add(str(constraint.name))
    return found


def test_every_status_and_kind_check_is_in_the_database(app):
    expected = _value_checks()
    assert {"events", "organizations", "referrals", "articles", "projects", "members"} <= set(expected)
    with app.app_context():
        inspector = sa.inspect(db.session.connection())
        missing = {table: names - {check["name"] for check in inspector.get_check_constraints(table)}
                   for table, names in expected.items()}
    assert {table: names for table, names in missing.items() if names} == {}


@pytest.mark.parametrize(("table", "column"), [("organizations", "status"), ("members", "affiliation")])
def test_the_database_refuses_a_value_outside_the_list(app, make_organization, make_member, table, column):
    make_organization()
    make_member()
    with app.app_context():
        db.session.execute(sa.text(f"UPDATE {table} SET {column} = :value"), {"value": "active" if column == "status"
                                                                               else "company"})  # control
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text(f"UPDATE {table} SET {column} = 'no-such-value'"))
        db.session.rollback()
