"""instance/ holds password hashes, keys and personal data: folders 0700, files 0600, backups too."""

import stat
import subprocess
import sys

import pytest
from flask_migrate import upgrade

from app import MIGRATIONS_DIR, create_app
from core.db import db
from tests.conftest import app_config, seed_demo

pytestmark = pytest.mark.one_engine


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_everything_the_site_writes_under_instance_is_private(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = app_config(f"sqlite:///{instance / 'ranhub.sqlite3'}", INSTANCE_PATH=str(instance))
    del config["SECRET_KEY"]  # generated into instance/secret_key, as under `make run`
    application = create_app(config)
    with application.app_context():
        upgrade(directory=MIGRATIONS_DIR)
    seed_demo(application)
    result = application.test_cli_runner().invoke(args=["backup", str(instance / "backups" / "nightly.db")])
    assert result.exit_code == 0, result.output
    with application.app_context(), db.engine.connect():  # a live connection keeps -wal and -shm
        files = {path.relative_to(instance).as_posix(): _mode(path) for path in instance.rglob("*") if path.is_file()}
    with application.app_context():
        db.engine.dispose()
    folders = {path.relative_to(instance).as_posix(): _mode(path) for path in instance.rglob("*") if path.is_dir()}
    assert {"ranhub.sqlite3", "ranhub.sqlite3-wal", "ranhub.sqlite3-shm", "secret_key", "demo-accounts.txt",
            "backups/nightly.db"} <= set(files)
    assert {name: mode for name, mode in files.items() if mode != 0o600} == {}
    assert _mode(instance) == 0o700
    assert {name: mode for name, mode in folders.items() if mode & 0o077} == {}


def test_an_older_database_file_is_made_private_when_the_app_starts(tmp_path):
    database = tmp_path / "old.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    create_app(app_config(f"sqlite:///{database}", INSTANCE_PATH=str(tmp_path / "instance")))
    assert _mode(database) == 0o600


def test_starting_another_app_keeps_this_processs_locks_on_the_database(tmp_path):
    """Closing any descriptor of a SQLite file drops every POSIX lock the process holds on it.

    Without its locks, this process's open connections look gone to others: the next
    process to close the database deletes the -wal and -shm files they still use.
    """
    database = tmp_path / "shared.sqlite3"
    application = create_app(app_config(f"sqlite:///{database}", INSTANCE_PATH=str(tmp_path / "instance")))
    with application.app_context(), db.engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x)")
        connection.commit()
        create_app(app_config(f"sqlite:///{database}", INSTANCE_PATH=str(tmp_path / "instance")))
        another_process = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT * FROM t'); c.close()"
        subprocess.run([sys.executable, "-c", another_process, str(database)], check=True)
        assert database.with_name("shared.sqlite3-wal").exists()
        assert database.with_name("shared.sqlite3-shm").exists()
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        connection.commit()
    with application.app_context():
        db.engine.dispose()
