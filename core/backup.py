"""Consistent backups and restores of the database, for `flask backup` and `flask restore`.

Backups hold password hashes and personal data: they are written 0600 from the start.

SQLite: the online backup API copies a consistent snapshot while the site keeps
writing (WAL mode lets writers go on), and the copy is turned into a single
self-contained file (rollback journal, no -wal beside it). Restoring goes the
other way through the same API, so the live database's WAL stays coherent.

PostgreSQL: `pg_dump --format=custom` (one compressed file, restorable with
`pg_restore`, table by table if need be). The client tools must be of the
server's major version or newer.
"""

import os
import shutil
import sqlite3
import subprocess  # nosec B404 # runs pg_dump/pg_restore with an argument list, never a shell
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from core.files import private_directory, private_file


class BackupError(Exception):
    """A backup or restore could not be made; the message says why."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _partial(destination: Path) -> Path:
    return destination.with_name(destination.name + ".partial")


def sqlite_integrity_problems(path: Path) -> list[str]:
    """What `PRAGMA integrity_check` finds wrong with a SQLite file (empty when sound)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [f"foreign key broken in {row[0]} row {row[1]}"
                 for row in connection.execute("PRAGMA foreign_key_check")]
    except sqlite3.DatabaseError as error:
        return [f"not a readable SQLite database ({error})"]
    finally:
        connection.close()
    return problems


def _backup_sqlite(url: URL, destination: Path) -> None:
    source_path = _sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}")
    partial = _partial(destination)
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(private_file(partial))
    try:
        # One step (pages=-1): the copy is a single snapshot, whatever writers do meanwhile.
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    problems = sqlite_integrity_problems(partial)
    if problems:
        partial.unlink(missing_ok=True)
        raise BackupError("the copy failed its integrity check: " + "; ".join(problems[:5]))
    os.replace(partial, destination)


def _restore_sqlite(source: Path, url: URL) -> None:
    problems = sqlite_integrity_problems(source)
    if problems:
        raise BackupError("the backup failed its integrity check: " + "; ".join(problems[:5]))
    target_path = _sqlite_path(url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(private_file(target_path), timeout=30)
    try:
        backup.backup(target)
    finally:
        target.close()
        backup.close()
    problems = sqlite_integrity_problems(target_path)
    if problems:
        raise BackupError("the restored database failed its integrity check: " + "; ".join(problems[:5]))


def _libpq(url: URL) -> tuple[str, dict]:
    """A libpq connection URI without the password, and the environment carrying it."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, environment


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _run(arguments: list[str], environment: dict) -> None:
    # An argument list (no shell) of pg_dump/pg_restore found on PATH; the only outside input is
    # the operator's own file path and database URL.
    result = subprocess.run(arguments, env=environment, capture_output=True, text=True, check=False)  # noqa: S603 # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{Path(arguments[0]).name} failed: {result.stderr.strip()}")


def _backup_postgresql(url: URL, destination: Path) -> None:
    uri, environment = _libpq(url)
    partial = _partial(destination)
    partial.unlink(missing_ok=True)
    private_file(partial)
    try:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={uri}"],
             environment)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, destination)


def _restore_postgresql(source: Path, url: URL) -> None:
    uri, environment = _libpq(url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={uri}", str(source)], environment)


def backup_database(database_url: str, destination: str | Path) -> Path:
    """Write a consistent copy of the database to `destination` (never over an existing file)."""
    url = make_url(database_url)
    destination = Path(destination)
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose a new file name")
    private_directory(destination.parent, ours=False)
    if url.get_backend_name() == "sqlite":
        _backup_sqlite(url, destination)
    elif url.get_backend_name() == "postgresql":
        _backup_postgresql(url, destination)
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()}")
    return destination


def restore_database(source: str | Path, database_url: str) -> None:
    """Replace the database's content by a backup made with `backup_database`."""
    url = make_url(database_url)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    if url.get_backend_name() == "sqlite":
        _restore_sqlite(source, url)
    elif url.get_backend_name() == "postgresql":
        _restore_postgresql(source, url)
    else:
        raise BackupError(f"no restore method for {url.get_backend_name()}")


def row_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows per table: what an operator compares after a restore."""
    inspector = sa.inspect(engine)
    counts = {}
    with engine.connect() as connection:
        for table in sorted(inspector.get_table_names()):
            quoted = engine.dialect.identifier_preparer.quote(table)
            counts[table] = connection.execute(sa.text(f"SELECT COUNT(*) FROM {quoted}")).scalar_one()  # noqa: S608 # nosec B608 # names from the database's catalogue, quoted
    return counts
