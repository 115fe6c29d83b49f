"""Rate-limit counters that every worker process on one host shares, without Redis.

Flask-Limiter's `memory://` storage lives in one process: with N gunicorn workers a
limit announced as 10 per minute let N × 10 through. Without `REDIS_URL` the counters
live in a small SQLite file in instance/ instead (not the site's database: a counter
must be kept even when the request's own transaction is rolled back, and on SQLite
it must not wait for the request's write lock). Each hit is one statement; SQLite
serialises the writers, so the limit is exact across processes. Several hosts need
a shared server: set REDIS_URL.
"""

import os
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

from core.files import private_file

SCHEME = "ranhub-file"
FILE_NAME = "ratelimits.sqlite3"
#: one hit in this many also removes the windows that have ended
PURGE_EVERY = 500

_SCHEMA = "CREATE TABLE IF NOT EXISTS hits (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL)"
_INCREMENT = """
    INSERT INTO hits (key, count, expires_at) VALUES (:key, :amount, :expires_at)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN hits.expires_at <= :now THEN excluded.count ELSE hits.count + excluded.count END,
        expires_at = CASE WHEN hits.expires_at <= :now THEN excluded.expires_at ELSE hits.expires_at END
    RETURNING count
"""


def file_storage_uri(instance_path: str) -> str:
    return f"{SCHEME}://{Path(instance_path) / FILE_NAME}"


class FileStorage(Storage):
    """The `limits` storage behind `ranhub-file:///path/ratelimits.sqlite3` (fixed windows)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = uri.removeprefix(f"{SCHEME}://")
        self._local = threading.local()
        self._hits = 0

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and per process: none may cross a fork or a thread.
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            private_file(self.path)
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # a counter lost in a power cut is harmless
            connection.execute(_SCHEMA)
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        connection = self._connection()
        count = connection.execute(
            _INCREMENT, {"key": key, "amount": amount, "expires_at": now + expiry, "now": now}
        ).fetchone()[0]
        self._hits += 1
        if self._hits % PURGE_EVERY == 0:
            connection.execute("DELETE FROM hits WHERE expires_at <= ?", (now,))
        return count

    def get(self, key: str) -> int:
        row = self._connection().execute(
            "SELECT count FROM hits WHERE key = ? AND expires_at > ?", (key, time.time())
        ).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute("SELECT expires_at FROM hits WHERE key = ?", (key,)).fetchone()
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM hits").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM hits WHERE key = ?", (key,))
