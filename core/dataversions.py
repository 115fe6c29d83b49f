"""A version per database table, moved on by every committed write to it, and the tables each cached part read.

The page cache (core.pagecache) and the fragments (core.fragments) keep rendered HTML and
serve it again only while the data it shows is unchanged. A single version for the whole
database retired every page at every write — the first visitor after a registration paid
for the directory's facets too. Here each table has a version instead:

- every statement sent to the database passes `_before_cursor_execute`, which reads the
  table names in its SQL (once per distinct SQL text). A write (INSERT, UPDATE, DELETE)
  notes its table; after the session's commit those tables' versions move on, in every
  worker (the counters live in a small file every process of the host maps, or in Redis);
- a read adds its tables to what the request has read and to what each part being
  rendered has read (`recording`), so a part is tagged with the tables it depends on and
  their versions before it read them, and served while all of them are unchanged (`tags`,
  `unchanged`). A part also depends on everything the request read before it started: it
  may be drawn from objects loaded earlier (the member's row, from the login), and the
  ORM answers a lazy load from the objects it already holds without asking the database.
  The login session, read on every member's request, is the exception: no cached part
  shows it (its writes say so, see `_before_cursor_execute`).

A table may have a part with a version of its own (`column_part`): an event's seat counters,
moved by every registration, are shown by few of the parts that read events. An UPDATE
that sets only the part's columns moves the part's version, not the table's; a read
depends on the part when its SQL names one of those columns, so a list that leaves them
out (and fills them in per request) outlives a registration.

Freshness is never traded for reuse: a write whose table is not known (DDL, a write inside
a WITH) moves EVERYTHING on, which every part depends on; the versions of a request are read
before its first query, so a part tagged with them is, if anything, older than the data it
holds; after a request commits, nothing it renders is kept. Each table has one of SLOTS
counters by hash; a test sees that no two tables share one (a shared counter would retire
more than needed, never less).
"""

import fcntl
import mmap
import os
import re
import struct
import threading
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from threading import Lock

import redis
import sqlalchemy as sa
from flask import Flask, current_app, g, has_app_context
from sqlalchemy.orm import Session

SLOTS = 1024
#: changes which counter each table gets: another value when a new table would share one (tests say so)
SLOT_SALT = "0"
#: the slot every cached part depends on: a write whose table is unknown moves it on
EVERYTHING = 0
#: the versions shared by the worker processes of one host when there is no Redis
VERSION_FILE = "dataversions"
EXTENSION_KEY = "ranhub.data_versions"
#: tables the ORM does not model but pages read (SQLite's full-text index)
UNMODELLED_TABLES = frozenset({"search_fts", "search_fts_vocab"})
#: read to know who is asking and shown by no cached part: not passed on to the parts rendered after
VIEWER_TABLES = frozenset({"login_sessions"})

Tags = tuple[tuple[int, int], ...]


def slot_of(table: str) -> int:
    return 1 + zlib.crc32(f"{SLOT_SALT}:{table}".encode()) % (SLOTS - 1)


# --- what a statement reads and writes -------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FIRST_WORD = re.compile(r"\s*\(?\s*([A-Za-z]+)")
_WRITE_TARGET = re.compile(
    r'\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)', re.I)
_DML = re.compile(r"\b(?:INSERT|UPDATE|DELETE)\b", re.I)
_READS = frozenset({"SELECT", "WITH", "VALUES", "EXPLAIN", "SHOW", "PRAGMA"})
_NEITHER = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET", "ANALYZE", "END"})
_MEMO_LIMIT = 4096
_memo: dict[str, tuple[frozenset[int], frozenset[int]]] = {}
#: table → (its part's name, the part's columns), see `column_part`
_parts: dict[str, tuple[str, frozenset[str]]] = {}
_SET_CLAUSE = re.compile(r'\s*UPDATE\s+"?\w+"?\s+SET\s', re.I)
_SET_TOKENS = re.compile(r"[(),]|\b(?:WHERE|RETURNING|FROM)\b", re.I)
_ASSIGNED = re.compile(r'\s*"?(\w+)"?\s*=')
#: `SELECT *`, `SELECT events.*`: every column, named or not
_ALL_COLUMNS = re.compile(r'(?:\bSELECT\s+(?:DISTINCT\s+)?|,\s*)(?:"?\w+"?\.)?\*', re.I)


def column_part(table: str, part: str, columns: Iterable[str]) -> None:
    """Give `columns` of `table` a version of their own, named `part`: an UPDATE setting only them moves `part`
    alone; every other write to `table` moves both; a read of `table` naming one of them depends on both."""
    _parts[table] = (part, frozenset(columns))
    _memo.clear()


def parts() -> tuple[str, ...]:
    return tuple(part for part, _columns in _parts.values())


def statement_slots(sql: str) -> tuple[frozenset[int], frozenset[int]]:
    """(slots read, slots written) by one SQL statement."""
    found = _memo.get(sql)
    if found is None:
        found = _parse(sql)
        if len(_memo) >= _MEMO_LIMIT:  # IN lists of every length make new texts: start again rather than grow
            _memo.clear()
        _memo[sql] = found
    return found


def _parse(sql: str) -> tuple[frozenset[int], frozenset[int]]:
    from core.db import db

    first = _FIRST_WORD.match(sql)
    keyword = first.group(1).upper() if first else ""
    if keyword in _NEITHER:
        return frozenset(), frozenset()
    if keyword in _READS and not (keyword == "WITH" and _DML.search(sql)):
        known = db.metadata.tables
        words = set(_WORD.findall(sql))
        tables = {word for word in words if word in known or word in UNMODELLED_TABLES}
        every_column = _ALL_COLUMNS.search(sql) is not None
        tables.update(part for table, (part, columns) in _parts.items()
                      if table in tables and (every_column or columns & words))
        return frozenset(slot_of(table) for table in tables), frozenset()
    target = _WRITE_TARGET.match(sql)
    if target is None:
        return frozenset(), frozenset({EVERYTHING})
    table = target.group(1)
    if table not in _parts:
        return frozenset(), frozenset({slot_of(table)})
    part, columns = _parts[table]
    assigned = _assigned_columns(sql)
    if assigned and assigned <= columns:
        return frozenset(), frozenset({slot_of(part)})
    return frozenset(), frozenset({slot_of(table), slot_of(part)})


def _assigned_columns(sql: str) -> frozenset[str] | None:
    """The columns an UPDATE's SET clause assigns, or None when the clause is not plainly `a=…, b=…`."""
    start = _SET_CLAUSE.match(sql)
    if start is None or "'" in sql:  # not an UPDATE, or a literal that could hold anything
        return None
    columns, depth, begin = set(), 0, start.end()
    for token in [*_SET_TOKENS.finditer(sql, begin), None]:
        text = token.group() if token is not None else ""
        if text in ("(", ")"):
            depth += 1 if text == "(" else -1
            continue
        if depth:
            continue
        assignment = _ASSIGNED.match(sql, begin, token.start() if token is not None else len(sql))
        if assignment is None:
            return None
        columns.add(assignment.group(1))
        if text != ",":  # the clause ends (WHERE, RETURNING, FROM, or the statement)
            return frozenset(columns)
        begin = token.end()
    return None


# --- the versions -----------------------------------------------------------------------------------------------

class SharedVersions:
    """SLOTS counters in a file that every process on the host maps into memory.

    Each process maps the file itself (after a fork too), reads are plain memory reads,
    and a bump takes a POSIX record lock (between processes) and a thread lock (within one).
    """

    SIZE = 8 * SLOTS
    _FORMAT = struct.Struct(f"<{SLOTS}Q")

    def __init__(self, path: str):
        self.path = path
        self._pid: int | None = None
        self._descriptor = -1
        self._map: mmap.mmap | None = None
        self._lock = Lock()

    def _mapped(self) -> mmap.mmap:
        if self._pid != os.getpid():
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            if os.fstat(descriptor).st_size < self.SIZE:
                os.ftruncate(descriptor, self.SIZE)
            self._descriptor, self._map, self._pid = descriptor, mmap.mmap(descriptor, self.SIZE), os.getpid()
        return self._map

    def current(self) -> tuple[int, ...]:
        return self._FORMAT.unpack_from(self._mapped())

    def bump(self, slots: Iterable[int]) -> None:
        mapped = self._mapped()
        with self._lock:
            fcntl.lockf(self._descriptor, fcntl.LOCK_EX)
            try:
                for slot in slots:
                    struct.pack_into("<Q", mapped, 8 * slot, struct.unpack_from("<Q", mapped, 8 * slot)[0] + 1)
            finally:
                fcntl.lockf(self._descriptor, fcntl.LOCK_UN)


class RedisVersions:
    """The counters as one Redis hash, shared by every worker and host.

    Every request reads them (a member's, a rendered page's, a cached page's), so the reads go
    over a connection of this process's own, straight to it: through the client each read also
    passed a connection pool with its health check and a retry wrapper — 28 µs of CPU of a
    cached page's 150 (measured side by side). Writes go through the client."""

    def __init__(self, client: redis.Redis, key: str):
        self.client = client
        self.key = key
        self._connection: redis.Connection | None = None
        self._pid: int | None = None
        self._lock = Lock()

    @staticmethod
    def decode(raw: dict | list) -> tuple[int, ...]:
        """The versions from HGETALL's answer (a dict through the client, pairs in a list straight from RESP2)."""
        pairs = raw.items() if isinstance(raw, dict) else zip(raw[::2], raw[1::2], strict=True)
        versions = [0] * SLOTS
        for slot, value in pairs:
            versions[int(slot)] = int(value)
        return tuple(versions)

    def _ask(self, *command) -> list | dict:
        with self._lock:
            if self._pid != os.getpid():  # never a connection made before a fork: both processes would read it
                self._connection, self._pid = self.client.connection_pool.make_connection(), os.getpid()
            try:
                self._connection.send_command(*command)
                return self._connection.read_response()
            except BaseException:
                self._connection.disconnect()  # an answer may be left half read: the next asks afresh
                raise

    def current(self) -> tuple[int, ...]:
        return self.decode(self._ask("HGETALL", self.key))

    def of(self, slots: Iterable[int]) -> list[int]:
        """The versions of these slots only (a cached page's tags)."""
        return [int(value or 0) for value in self._ask("HMGET", self.key, *slots)]

    def bump(self, slots: Iterable[int]) -> None:
        pipeline = self.client.pipeline(transaction=False)
        for slot in slots:
            pipeline.hincrby(self.key, str(slot), 1)
        pipeline.execute()


def store() -> SharedVersions | RedisVersions | None:
    return current_app.extensions.get(EXTENSION_KEY) if has_app_context() else None


# --- this request: its versions and what it read ---------------------------------------------------------------

def current() -> tuple[int, ...] | None:
    """The versions as this request first read them (before its first query), or None when nothing may be kept:
    the cache is off, Redis does not answer, or the request has committed a write."""
    if "data_versions" not in g:
        versions = store()
        try:
            g.data_versions = versions.current() if versions is not None else None
        except redis.RedisError:
            current_app.logger.warning("data versions: Redis did not answer; nothing cached is used")
            g.data_versions = None
    return g.data_versions


def adopt(versions: tuple[int, ...]) -> None:
    """Take `versions`, read together with a cached page, as this request's (one round trip to Redis)."""
    g.data_versions = versions


def _frames() -> list[set[int]]:
    frames = g.get("data_read")
    if frames is None:
        frames = g.data_read = [{EVERYTHING}]
    return frames


@contextmanager
def recording(*, of_viewer: bool = False) -> Iterator[set[int]]:
    """Collect the slots read inside the block, with those the request read before it — the login sessions only
    for what is the viewer's own login (`of_viewer`: the member a session key stands for)."""
    frames = _frames()
    frame = set(frames[0]) if of_viewer else frames[0] - _viewer_slots()
    frames.append(frame)
    try:
        yield frame
    finally:
        del frames[next(i for i in range(len(frames) - 1, -1, -1) if frames[i] is frame)]  # by identity: sets equal
        if not of_viewer:
            frame.difference_update(_viewer_slots())  # the login, when the member was first asked for inside


@cache
def _viewer_slots() -> frozenset[int]:
    return frozenset(slot_of(table) for table in VIEWER_TABLES)


def read(slots: Iterable[int]) -> None:
    """Count `slots` as read by the request and every part being rendered (a cached part served)."""
    slots = tuple(slots)  # each frame takes them all
    for frame in _frames():
        frame.update(slots)


def read_so_far() -> set[int]:
    return _frames()[0]


def tags(slots: Iterable[int], versions: tuple[int, ...]) -> Tags:
    return tuple((slot, versions[slot]) for slot in slots)


def unchanged(tagged: Tags, versions: tuple[int, ...]) -> bool:
    return all(versions[slot] == version for slot, version in tagged)


# --- listeners ----------------------------------------------------------------------------------------------------

_written = threading.local()


def _pending() -> set[int]:
    pending = getattr(_written, "slots", None)
    if pending is None:
        pending = _written.slots = set()
    return pending


def _before_cursor_execute(_connection, _cursor, sql, _parameters, context, _executemany) -> None:
    reads, writes = statement_slots(sql)
    if writes:
        # A write no cached part shows (a login session's last visit) says so with
        # execution_options(affects_pages=False), and retires nothing.
        if context is None or context.execution_options.get("affects_pages", True):
            _pending().update(writes)
    elif reads and has_app_context() and current_app.extensions.get(EXTENSION_KEY) is not None:
        current()  # the versions are read before the data is
        read(reads)


def _after_rollback(_connection) -> None:
    _pending().clear()


def _after_commit(_session: Session) -> None:
    pending = _pending()
    if not pending:
        return
    slots = tuple(pending)
    pending.clear()
    versions = store()
    if versions is None:
        return
    try:
        versions.bump(slots)
    except redis.RedisError:
        current_app.logger.warning("data versions: Redis did not answer; versions not moved on")
    # What this request read before its write is not the data now: nothing it renders from here on is kept.
    g.data_versions = None


def _start_request() -> None:
    # A request inside a test's app context shares its g: each request reads the versions afresh.
    g.pop("data_versions", None)
    g.pop("data_read", None)


def init_app(app: Flask, redis_client: redis.Redis | None, redis_prefix: str) -> None:
    app.extensions[EXTENSION_KEY] = (
        RedisVersions(redis_client, redis_prefix + "versions") if redis_client is not None
        else SharedVersions(os.path.join(app.instance_path, VERSION_FILE))
    )
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    # Global events (every app in the process shares them); each finds the versions of the app that is current.
    for target, name, listener in ((sa.Engine, "before_cursor_execute", _before_cursor_execute),
                                   (sa.Engine, "rollback", _after_rollback),
                                   (Session, "after_commit", _after_commit)):
        if not sa.event.contains(target, name, listener):
            sa.event.listen(target, name, listener)
