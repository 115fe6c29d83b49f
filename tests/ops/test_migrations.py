"""Every migration in migrations/versions goes down and up again on a seeded database without losing a row.

The chain is read from the scripts themselves, so a new migration is covered
the moment it is added. The database is migrated to the head and loaded with
every blueprint's demo data; then it is taken down one revision at a time to
the foundation and back up one at a time. At each step every table that exists
must still hold exactly the rows (primary keys) it held at the head — a table
a downgrade removes comes back empty, which is the one loss a downgrade is
allowed. Runs on SQLite (batch migrations that copy tables) and PostgreSQL.
"""

from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app import MIGRATIONS_DIR
from core.db import db
from tests.ops.conftest import table_rows


def revision_chain() -> list[str]:
    """Revision ids from the first to the head (fails on a branched tree: merge it first)."""
    script = ScriptDirectory(MIGRATIONS_DIR)
    heads = script.get_heads()
    assert len(heads) == 1, f"the migrations have several heads {heads}: re-chain down_revision"
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def test_migrations_form_one_chain():
    chain = revision_chain()
    assert chain[0] == "0001"
    assert len(chain) == len(set(chain))


def test_the_files_sort_in_chain_order():
    """Reading migrations/versions top to bottom is reading the schema's history in order."""
    script = ScriptDirectory(MIGRATIONS_DIR)
    by_file = [revision.revision for revision in sorted(script.walk_revisions(), key=lambda r: Path(r.path).name)]
    assert by_file == revision_chain()


def _current(application) -> str | None:
    with application.app_context():
        return db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _rows(application) -> dict[str, list[tuple]]:
    with application.app_context():
        rows = table_rows(db.engine)
        db.session.remove()
        return rows


def _assert_kept(rows_now, rows_at_head, where: str, removed=frozenset()) -> None:
    for table, rows in rows_now.items():
        if table in rows_at_head and rows_at_head[table] and table not in removed:
            assert rows == rows_at_head[table], f"{where}: rows of {table} changed"


def test_every_migration_goes_down_and_up_without_losing_rows(seeded_app):
    chain = revision_chain()
    at_head = _rows(seeded_app)
    assert sum(len(rows) for rows in at_head.values()) > 0, "the demo data left every table empty"
    assert at_head["members"], "the demo data has no members"

    # Down, one revision at a time, to the foundation.
    removed: set[str] = set()
    for revision in reversed(chain[1:]):
        position = chain.index(revision)
        with seeded_app.app_context():
            downgrade(directory=MIGRATIONS_DIR, revision=chain[position - 1])
        assert _current(seeded_app) == chain[position - 1]
        rows_now = _rows(seeded_app)
        _assert_kept(rows_now, at_head, f"after downgrading {revision}")
        removed |= set(at_head) - set(rows_now)

    # And up again, one at a time, to the head.
    for revision in chain[1:]:
        with seeded_app.app_context():
            upgrade(directory=MIGRATIONS_DIR, revision=revision)
        assert _current(seeded_app) == revision
        # Tables a downgrade dropped come back empty; every other table keeps its rows.
        _assert_kept(_rows(seeded_app), at_head, f"after upgrading {revision} again", removed)

    assert _rows(seeded_app).keys() == at_head.keys()


def test_the_whole_chain_goes_down_to_nothing_and_up_again(own_app):
    application = own_app()
    with application.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        tables_at_head = set(sa.inspect(db.engine).get_table_names())
        downgrade(directory=MIGRATIONS_DIR, revision="base")
        db.engine.dispose()
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=MIGRATIONS_DIR)
        db.engine.dispose()
        assert set(sa.inspect(db.engine).get_table_names()) == tables_at_head
