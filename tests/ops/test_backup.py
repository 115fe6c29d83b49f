"""`flask backup PATH` and `flask restore PATH`, on a live database that keeps being written to.

SQLite goes through the online backup API, PostgreSQL through pg_dump -Fc and
pg_restore (skipped, with the reason, where those client tools are missing).
The restore procedure tested here is the one README.md documents.
"""

import shutil
import threading
import time

import pytest
import sqlalchemy as sa

from alliance.models import Organization
from app import create_app
from core.backup import sqlite_integrity_problems
from core.db import db, utcnow
from events.models import Event
from tests.conftest import app_config, empty_database
from tests.ops.conftest import table_rows

#: how long the writer keeps writing at least, so the backup surely runs in the middle of it
WRITE_SECONDS = 1.0


class Writer(threading.Thread):
    """Keeps adding audit entries, one small transaction at a time, until stopped."""

    def __init__(self, engine: sa.Engine):
        super().__init__(daemon=True)
        self.engine = engine
        self.written = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            while not self.stop.is_set():
                with self.engine.begin() as connection:
                    connection.execute(
                        sa.text("INSERT INTO audit_entries (created_at, action, details) VALUES (:at, :action, '{}')"),
                        {"at": utcnow().replace(tzinfo=None), "action": f"test.write.{self.written}"},
                    )
                self.written += 1
                time.sleep(0.002)
        except BaseException as error:  # reported by the test
            self.error = error


def _audit_count(application) -> int:
    with application.app_context():
        count = db.session.scalar(sa.text("SELECT COUNT(*) FROM audit_entries"))
        db.session.remove()
        return count


@pytest.fixture
def client_tools(engine_name):
    if engine_name == "postgresql":
        missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
        if missing:
            pytest.skip(f"{' and '.join(missing)} not installed (Debian package postgresql-client)")


def test_backup_under_writes_then_restore_gives_back_a_sound_database(seeded_app, client_tools, engine_name, tmp_path):
    runner = seeded_app.test_cli_runner()
    backup_file = tmp_path / "ranhub.backup"
    with seeded_app.app_context():
        engine = db.engine
    before = table_rows(engine)

    writer = Writer(sa.create_engine(engine.url))
    writer.start()
    time.sleep(WRITE_SECONDS / 2)
    written_before_backup = writer.written
    result = runner.invoke(args=["backup", str(backup_file)])
    time.sleep(WRITE_SECONDS / 2)
    writer.stop.set()
    writer.join()
    writer.engine.dispose()
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output
    assert backup_file.stat().st_size > 0
    assert writer.written > written_before_backup, "the writer did not write during the backup"
    if engine_name == "sqlite":
        assert sqlite_integrity_problems(backup_file) == []
        assert not backup_file.with_name(backup_file.name + "-wal").exists()

    # An accident after the backup: members lost, more audit rows.
    with seeded_app.app_context():
        db.session.execute(sa.text("DELETE FROM member_themes"))
        db.session.commit()
        db.session.remove()
    result = runner.invoke(args=["restore", str(backup_file), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restore complete" in result.output

    restored = table_rows(engine)
    engine.dispose()
    # Everything that existed before the backup is back; the audit table holds the
    # rows of one consistent moment during the writes.
    for table, rows in before.items():
        if table != "audit_entries":
            assert restored[table] == rows, f"{table} differs after the restore"
    audit_rows = len(restored["audit_entries"])
    assert len(before["audit_entries"]) + written_before_backup <= audit_rows
    assert audit_rows <= len(before["audit_entries"]) + writer.written
    assert _audit_count(seeded_app) == audit_rows
    if engine_name == "sqlite":
        assert sqlite_integrity_problems(engine.url.database) == []


def test_backup_never_overwrites_an_existing_file(seeded_app, client_tools, tmp_path):
    existing = tmp_path / "kept.backup"
    existing.write_bytes(b"an older backup")
    result = seeded_app.test_cli_runner().invoke(args=["backup", str(existing)])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert existing.read_bytes() == b"an older backup"


def test_restore_refuses_a_damaged_backup_and_leaves_the_database_alone(seeded_app, client_tools, tmp_path):
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(b"this is not a backup at all" * 100)
    with seeded_app.app_context():
        before = table_rows(db.engine)
    result = seeded_app.test_cli_runner().invoke(args=["restore", str(damaged), "--yes"])
    assert result.exit_code != 0
    assert "Error" in result.output
    with seeded_app.app_context():
        assert table_rows(db.engine) == before


def test_a_backup_restored_into_a_new_database_runs_the_site_with_every_row(seeded_app, client_tools, database_url,
                                                                            tmp_path):
    """The drill of a lost server: README's restore into an empty database, then the site on it."""
    backup_file = tmp_path / "ranhub.backup"
    assert seeded_app.test_cli_runner().invoke(args=["backup", str(backup_file)]).exit_code == 0
    with seeded_app.app_context():
        before = table_rows(db.engine)
    with empty_database(database_url, tmp_path) as new_url:
        replacement = create_app(app_config(new_url, INSTANCE_PATH=str(tmp_path / "new-instance")))
        result = replacement.test_cli_runner().invoke(args=["restore", str(backup_file), "--yes"])
        assert result.exit_code == 0, result.output
        with replacement.app_context():
            assert table_rows(db.engine) == before
        client = replacement.test_client()
        health = client.get("/healthz").get_json()
        assert health["database"] == "ok" and health["migrations"] == "current"
        with replacement.app_context():
            organisation = db.session.scalars(sa.select(Organization).order_by(Organization.id)).first()
            event = db.session.scalars(sa.select(Event).where(Event.status == "published")).first()
        assert organisation.name in client.get(f"/alliance/{organisation.slug}").get_data(as_text=True)
        assert event.title in client.get(f"/events/{event.id}").get_data(as_text=True)
        with replacement.app_context():
            db.session.remove()
            db.engine.dispose()
