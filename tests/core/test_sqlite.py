"""SQLite settings: WAL, busy timeout, foreign keys, and writers that queue."""

import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from core.db import db
from members.models import Member


@pytest.fixture
def sqlite_app(app, engine_name):
    if engine_name != "sqlite":
        pytest.skip("SQLite only")
    return app


def test_pragmas(sqlite_app):
    with sqlite_app.app_context():
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(sa.text("PRAGMA busy_timeout")).scalar() >= 5000


def test_foreign_keys_are_enforced(sqlite_app):
    from members.models import LoginSession

    with sqlite_app.app_context():
        db.session.add(LoginSession(member_id=999_999, key_hash="x" * 64))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()


@pytest.mark.commits
def test_concurrent_writers_queue_instead_of_failing(sqlite_app, make_member):
    """Read-then-write transactions in 8 threads: all succeed (BEGIN IMMEDIATE)."""
    member = make_member(bio="")
    errors = []

    def append_letter(letter: str):
        try:
            with sqlite_app.app_context():
                current = db.session.get(Member, member.id)
                current.bio = current.bio + letter
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=append_letter, args=(c,)) for c in "abcdefgh"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite_app.app_context():
        assert sorted(db.session.get(Member, member.id).bio) == list("abcdefgh")


@pytest.mark.commits
def test_read_requests_do_not_queue_behind_a_writer(sqlite_app, client, database_url):
    """A GET must not take the write lock: it answers while another writer holds it."""
    path = database_url.removeprefix("sqlite:///")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert response.status_code == 200
    assert elapsed < 2, "a read-only request waited for the write lock"
