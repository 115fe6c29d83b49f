"""Japanese full-text search over one generic index, `search_documents`.

Text is normalised (NFKC, lower case, dash-like marks after katakana read as ー)
and split into words in Python by MeCab (fugashi + unidic-lite). Each word is
indexed by its dictionary lemma, so 子ども/こども/子供, 取組/取り組み or
コンピュータ/コンピューター meet; proper nouns keep their written form.
Particles, auxiliaries and symbols are left out. The words, joined by spaces,
feed the database's own index — an FTS5 table (`unicode61`) on SQLite, a
`tsvector` ('simple' configuration) with a GIN index on PostgreSQL — so both
engines see the same words and answer alike, with no extension.

Beside the words, every run of Japanese characters is also indexed as
overlapping character bigrams: the recall backstop for a word the dictionary
splits differently in the query and in the text (外国人 in 外国人材).

Filters (kind, visibility, owner, organisation and the caller's facets such as
theme or prefecture) are indexed as words of a fourth column too, so the
database intersects them with the text match inside its own index.

The candidate set is bounded: a query takes the newest `candidates` matching
documents (the index walks them in id order and stops), ranks those by
relevance (bm25 / ts_rank) and pages through them. Ranking every match of a
word that occurs in most documents would cost time proportional to the whole
index; the bound keeps a page fast at any size, and a query with fewer matches
than the bound is ranked exactly.

Usage (each blueprint, in its services):
    search.index("article", article.id, title=…, body=…, visibility="members",
                 published=True, owner_id=…, organization_id=…,
                 facets={"theme": ["seniors"], "prefecture": "13"}, meta={"slug": …})
    search.remove("article", article.id)
    results = search.query("外国人材", kinds=["article"], viewer=Viewer(...), limit=20, offset=0)
"""

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import click
import fugashi
import sqlalchemy as sa
import unidic_lite
from flask import Flask, current_app
from flask.cli import AppGroup
from markupsafe import Markup, escape
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, db, utcnow

#: newest matching documents ranked per query (see the module docstring)
DEFAULT_CANDIDATES = 400
MAX_QUERY_CHARS = 200
MAX_GROUPS = 12
#: bm25 weights of the FTS5 columns: title, body, bigrams, facets
SQLITE_WEIGHTS = {"w_title": 8.0, "w_body": 1.0, "w_bigrams": 0.2, "w_facets": 0.0}
#: ts_rank weights {D, C, B, A}: bigrams, facets, body, title
POSTGRES_WEIGHTS = [0.05, 0.0, 0.4, 1.0]
VISIBILITIES = ("public", "members", "alliance")
BIGRAM_MODES = ("always", "fallback", "never")
DEFAULT_BIGRAM_MODE = "always"
#: shortest query word (in characters) that may also match by bigrams
MIN_BIGRAM_GROUP = 3

#: parts of speech that carry no meaning of their own for search
_SKIPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", ""})
#: light verbs (する, いる, ある, なる) by their lemma
_SKIPPED_LEMMAS = frozenset({"為る", "居る", "有る", "成る"})
_JAPANESE_RUN = re.compile(r"[\u3005\u3006\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ONLY_JAPANESE = re.compile(r"^[\u3005\u3006\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
_NON_WORD = re.compile(r"[\W_]+")
_FACET_CHARS = re.compile(r"[^0-9a-z]")
_DASH_AFTER_KATAKANA = re.compile(r"(?<=[\u30a1-\u30fa])[\u2010-\u2015\u2212\u30fc\uff70-]")
_SPACES = re.compile(r"\s+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u3099\u309a\uff9e\uff9f]")


class SearchDocument(Base):
    """One searchable object (an article, an organisation, an event…) and what visibility needs."""

    __tablename__ = "search_documents"
    __table_args__ = (sa.UniqueConstraint("kind", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the object is: "article", "organization", "event"
    kind: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    #: plain text (no markup), shown in snippets
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: public | members | alliance
    visibility: Mapped[str] = mapped_column(sa.String(20), default="public")
    #: False for drafts: only the owner, the organisation's staff and admins find them
    published: Mapped[bool] = mapped_column(default=True)
    owner_id: Mapped[int | None] = mapped_column(index=True)
    organization_id: Mapped[int | None] = mapped_column(index=True)
    #: the filter words of the document, as indexed (for inspection and reindexing)
    facets: Mapped[str] = mapped_column(sa.String(1000), default="")
    #: whatever the owner of the kind needs to show a hit without another query (slug, …)
    meta: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- text analysis -------------------------------------------------------------------------------

_local = threading.local()


def _tagger() -> fugashi.GenericTagger:
    """One MeCab tagger per thread (a tagger is not thread-safe), on unidic-lite."""
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        tagger = _local.tagger = fugashi.GenericTagger(
            f'-d "{unidic_lite.DICDIR}" -r "{unidic_lite.DICDIR}/mecabrc"'
        )
    return tagger


def normalise(text: str | None) -> str:
    """NFKC (full-width/half-width), lower case, dash-like marks after katakana as ー."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _DASH_AFTER_KATAKANA.sub("ー", text)


@dataclass(frozen=True)
class Morpheme:
    """A word of normalised text: its index key ("" when skipped) and where it stands."""

    key: str
    start: int
    end: int


def _key(surface: str, feature: str) -> str:
    fields = feature.split(",")
    pos1 = fields[0] if fields else ""
    if pos1 in _SKIPPED_POS:
        return ""
    lemma = fields[7] if len(fields) > 7 else ""
    if len(fields) > 1 and fields[1] == "固有名詞":
        # A proper noun's lemma is its reading (東京 → トウキョウ): keep how it is written.
        lemma = ""
    if lemma and "-" in lemma:
        # Loanwords carry their source: キャリア-career.
        head, _sep, tail = lemma.partition("-")
        lemma = head if tail.isascii() else lemma
    if lemma in _SKIPPED_LEMMAS:
        return ""
    if not lemma or lemma == "*" or '"' in lemma:
        lemma = surface
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", lemma).lower()).strip()


def analyse(text: str) -> list[Morpheme]:
    """Words of already normalised text, with offsets into it; skipped words have an empty key."""
    result = []
    for line_start, line in _lines(text):
        if not line.strip():
            continue
        position = 0
        for node in _tagger()(line):
            surface = node.surface
            found = line.find(surface, position)
            if found < 0:
                continue
            position = found + len(surface)
            start = line_start + found
            for part in _key(surface, node.feature_raw).split(" "):
                result.append(Morpheme(part, start, start + len(surface)))
    return result


def _lines(text: str):
    """(offset, line) pairs; MeCab reads one line at a time."""
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def words(text: str | None) -> list[str]:
    """The index words of a text, in order."""
    return [m.key for m in analyse(normalise(text)) if m.key]


def bigrams(text: str | None) -> list[str]:
    """Overlapping character pairs of every run of Japanese characters."""
    result = []
    for run in _JAPANESE_RUN.findall(normalise(text)):
        result.extend(run[i:i + 2] for i in range(len(run) - 1))
    return result


def facet_word(name: str, value: Any) -> str:
    """A filter as one index word of letters and digits: ("theme", "side-job-talent") → fthemexsidejobtalent."""
    return "f" + _FACET_CHARS.sub("", str(name).lower()) + "x" + _FACET_CHARS.sub("", str(value).lower())


def _kind_word(kind: str) -> str:
    return facet_word("kind", kind)


def _visibility_word(visibility: str) -> str:
    return facet_word("vis", visibility)


def _owner_word(member_id: int) -> str:
    return facet_word("owner", member_id)


def _organization_word(organization_id: int) -> str:
    return facet_word("org", organization_id)


# --- writing the index ---------------------------------------------------------------------------


@dataclass
class Entry:
    """What `index` stores for one object."""

    kind: str
    object_id: int
    title: str
    body: str = ""
    visibility: str = "public"
    published: bool = True
    owner_id: int | None = None
    organization_id: int | None = None
    facets: Mapping[str, Any] | None = None
    meta: dict | None = None

    def facet_words(self) -> list[str]:
        found = [_kind_word(self.kind)]
        if self.published:
            found.append(_visibility_word(self.visibility))
        if self.owner_id is not None:
            found.append(_owner_word(self.owner_id))
        if self.organization_id is not None:
            found.append(_organization_word(self.organization_id))
        for name, values in (self.facets or {}).items():
            if values is None or values == "":
                continue
            if isinstance(values, str | int):
                values = [values]
            found.extend(facet_word(name, value) for value in values if value not in (None, ""))
        return found

    def row(self) -> dict:
        """Column values of search_documents plus the analysed text for the engine's index."""
        if self.visibility not in VISIBILITIES:
            raise ValueError(f"unknown visibility {self.visibility!r}")
        facets = " ".join(self.facet_words())
        return {
            "kind": self.kind,
            "object_id": self.object_id,
            "title": (self.title or "")[:300],
            "body": self.body or "",
            "visibility": self.visibility,
            "published": bool(self.published),
            "owner_id": self.owner_id,
            "organization_id": self.organization_id,
            "facets": facets,
            "meta": self.meta or {},
            "indexed_at": utcnow(),
            "title_words": " ".join(words(self.title)),
            "body_words": " ".join(words(self.body)),
            "bigram_words": " ".join(bigrams(f"{self.title}\n{self.body}")),
            "facet_words": facets,
        }


_DOCUMENT_COLUMNS = ("kind", "object_id", "title", "body", "visibility", "published", "owner_id",
                     "organization_id", "facets", "meta", "indexed_at")


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def index(kind: str, object_id: int, *, title: str, body: str = "", visibility: str = "public",
          published: bool = True, owner_id: int | None = None, organization_id: int | None = None,
          facets: Mapping[str, Any] | None = None, meta: dict | None = None) -> None:
    """Add or replace one object in the index (within the caller's transaction)."""
    index_many([Entry(kind, object_id, title, body, visibility, published, owner_id, organization_id,
                      facets, meta)])


def index_many(entries: Iterable[Entry], *, fresh: bool = False) -> int:
    """Add or replace many objects with batched statements; `fresh` skips the look-up of old rows."""
    rows = [entry.row() for entry in entries]
    if not rows:
        return 0
    table = SearchDocument.__table__
    if not fresh:
        for chunk in _chunks(rows, 500):
            keys = [(row["kind"], row["object_id"]) for row in chunk]
            existing = db.session.execute(
                sa.select(table.c.id).where(sa.tuple_(table.c.kind, table.c.object_id).in_(keys))
            ).scalars().all()
            _delete_ids(existing)
    for chunk in _chunks(rows, 1000):
        ids = db.session.execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [{name: row[name] for name in _DOCUMENT_COLUMNS} for row in chunk],
        ).scalars().all()
        for row, new_id in zip(chunk, ids, strict=True):
            row["id"] = new_id
        _write_engine_index(chunk)
    return len(rows)


def _write_engine_index(rows: list[dict]) -> None:
    if _dialect() == "postgresql":
        db.session.execute(
            sa.text(
                "UPDATE search_documents SET search_vector ="
                " setweight(to_tsvector('simple', :title_words), 'A')"
                " || setweight(to_tsvector('simple', :body_words), 'B')"
                " || setweight(to_tsvector('simple', :facet_words), 'C')"
                " || setweight(to_tsvector('simple', :bigram_words), 'D')"
                " WHERE id = :id"
            ),
            [_engine_values(row) for row in rows],
        )
    else:
        db.session.execute(
            sa.text(
                "INSERT INTO search_fts (rowid, title, body, bigrams, facets)"
                " VALUES (:id, :title_words, :body_words, :bigram_words, :facet_words)"
            ),
            [_engine_values(row) for row in rows],
        )


def _engine_values(row: dict) -> dict:
    return {key: row[key] for key in ("id", "title_words", "body_words", "bigram_words", "facet_words")}


def _delete_ids(ids: list[int]) -> None:
    if not ids:
        return
    if _dialect() != "postgresql":
        db.session.execute(sa.text("DELETE FROM search_fts WHERE rowid = :id"), [{"id": i} for i in ids])
    db.session.execute(sa.delete(SearchDocument.__table__).where(SearchDocument.__table__.c.id.in_(ids)))


def remove(kind: str, object_id: int) -> None:
    """Take one object out of the index (within the caller's transaction)."""
    table = SearchDocument.__table__
    ids = db.session.execute(
        sa.select(table.c.id).where(table.c.kind == kind, table.c.object_id == object_id)
    ).scalars().all()
    _delete_ids(list(ids))


def clear(kind: str | None = None) -> None:
    """Empty the index, or the part of one kind."""
    table = SearchDocument.__table__
    if kind is None:
        if _dialect() != "postgresql":
            db.session.execute(sa.text("DELETE FROM search_fts"))
        db.session.execute(sa.delete(table))
        return
    while ids := db.session.execute(sa.select(table.c.id).where(table.c.kind == kind).limit(5000)).scalars().all():
        _delete_ids(list(ids))


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- reading the index ---------------------------------------------------------------------------


class SearchQuery(str):
    """The text of a site search, carrying the page's filters for providers that honour them.

    A `search_providers` callable receives it as its `query`: it is a plain str to one
    that knows nothing more; `filters` holds "kind" (organization/event/article),
    "theme" and "prefecture" when the visitor chose them.
    """

    filters: dict

    def __new__(cls, text: str, filters: Mapping[str, str] | None = None):
        instance = super().__new__(cls, text)
        instance.filters = {key: value for key, value in (filters or {}).items() if value}
        return instance


@dataclass(frozen=True)
class Viewer:
    """Who is searching, as far as visibility is concerned."""

    member_id: int | None = None
    is_admin: bool = False
    #: staff of any live alliance organisation (sees `alliance` documents)
    is_alliance_staff: bool = False
    #: organisations the member acts for (sees their drafts)
    organization_ids: frozenset[int] = frozenset()


ANONYMOUS = Viewer()


@dataclass
class Group:
    """Words of the query that must stand together (a compound such as 外国人材)."""

    text: str
    keys: list[str] = field(default_factory=list)

    @property
    def bigram_phrases(self) -> list[list[str]]:
        """Bigrams of the group as written and, if it differs, as its dictionary form (取組 → 取り組み)."""
        phrases = []
        for text in dict.fromkeys((self.text, "".join(self.keys))):
            # A two-character word is left to the dictionary: as a lone bigram it would
            # also match across word boundaries (京都 in 東京都).
            if len(text) >= MIN_BIGRAM_GROUP and _ONLY_JAPANESE.match(text):
                phrases.append([text[i:i + 2] for i in range(len(text) - 1)])
        return phrases


@dataclass
class Plan:
    """A parsed query: its word groups and what to highlight."""

    text: str
    groups: list[Group]

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(key for group in self.groups for key in group.keys)

    @property
    def needles(self) -> list[str]:
        found = {group.text for group in self.groups if group.text}
        return sorted(found, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.groups)


def parse(query: str | None) -> Plan:
    """Split a query into groups: each space-separated part, cut at particles (外国人材の受け入れ → 外国人材 / 受け入れ)."""
    text = normalise(query)[:MAX_QUERY_CHARS]
    groups: list[Group] = []
    for part in _SPACES.split(text):
        current: Group | None = None
        group_start = 0
        previous: tuple[int, int] | None = None
        for morpheme in analyse(part):
            if not morpheme.key:
                current = None
                continue
            span = (morpheme.start, morpheme.end)
            # A key the cleaner split in two shares its span with the previous part.
            if current is not None and previous is not None and (morpheme.start == previous[1] or span == previous):
                current.keys.append(morpheme.key)
                current.text = part[group_start:morpheme.end]
            else:
                group_start = morpheme.start
                current = Group(part[morpheme.start:morpheme.end], [morpheme.key])
                groups.append(current)
            previous = span
    return Plan(text, groups[:MAX_GROUPS])


@dataclass
class Hit:
    """One document found: its identity, score and what it shows."""

    kind: str
    object_id: int
    title: str
    body: str
    meta: dict
    score: float
    plan: Plan

    def snippet(self, width: int = 120) -> Markup:
        return snippet(self.body, self.plan, width)

    def highlighted_title(self) -> Markup:
        return highlight(self.title, self.plan)


class LazySnippet:
    """A hit's snippet, analysed only when a page actually shows it (for core.hooks.SearchHit)."""

    def __init__(self, hit: Hit):
        self._hit = hit
        self._html: Markup | None = None

    def __html__(self) -> str:
        if self._html is None:
            self._html = self._hit.snippet()
        return str(self._html)

    def __str__(self) -> str:
        return self.__html__()


@dataclass
class Results:
    """A page of hits; `total` counts the ranked candidates, `more` says there are further matches."""

    hits: list[Hit]
    total: int
    more: bool
    plan: Plan


def _visibility_words(viewer: Viewer) -> list[str] | None:
    """Index words of which a visible document has at least one; None: everything (admins)."""
    if viewer.is_admin:
        return None
    allowed = [_visibility_word("public")]
    if viewer.member_id is not None:
        allowed.append(_visibility_word("members"))
        allowed.append(_owner_word(viewer.member_id))
    if viewer.is_alliance_staff:
        allowed.append(_visibility_word("alliance"))
    allowed.extend(_organization_word(org_id) for org_id in sorted(viewer.organization_ids))
    return allowed


def _filter_clauses(kinds, viewer: Viewer, facets: Mapping[str, Any] | None) -> list[list[str]]:
    """Filters as a list of OR-lists of index words, all of which must hold."""
    clauses = []
    if kinds:
        clauses.append([_kind_word(kind) for kind in kinds])
    visible = _visibility_words(viewer)
    if visible is not None:
        clauses.append(visible)
    for name, values in (facets or {}).items():
        if values is None or values == "" or values == []:
            continue
        if isinstance(values, str | int):
            values = [values]
        clauses.append([facet_word(name, value) for value in values])
    return clauses


def _fts_phrase(tokens: list[str]) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def _sqlite_match(plan: Plan, clauses: list[list[str]], use_bigrams: bool, title_only: bool = False) -> str:
    parts = []
    columns = "{title}" if title_only else "{title body}"
    for group in plan.groups:
        alternatives = [f"{columns} : {_fts_phrase(group.keys)}"]
        if use_bigrams and not title_only:
            alternatives += [f"bigrams : {_fts_phrase(phrase)}" for phrase in group.bigram_phrases]
        parts.append("(" + " OR ".join(alternatives) + ")")
    for words_ in clauses:
        parts.append("facets : (" + " OR ".join(_fts_phrase([w]) for w in words_) + ")")
    return " AND ".join(parts)


def _pg_lexeme(word: str, weights: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "':" + weights


def _pg_tsquery(plan: Plan, clauses: list[list[str]], use_bigrams: bool) -> str:
    parts = []
    for group in plan.groups:
        alternatives = ["(" + " <-> ".join(_pg_lexeme(key, "AB") for key in group.keys) + ")"]
        if use_bigrams:
            alternatives += [
                "(" + " <-> ".join(_pg_lexeme(b, "D") for b in phrase) + ")" for phrase in group.bigram_phrases
            ]
        parts.append("(" + " | ".join(alternatives) + ")")
    for words_ in clauses:
        parts.append("(" + " | ".join(_pg_lexeme(w, "C") for w in words_) + ")")
    return " & ".join(parts)


def query(q: str | None, *, kinds: Iterable[str] | None = None, viewer: Viewer = ANONYMOUS,
          facets: Mapping[str, Any] | None = None, limit: int = 20, offset: int = 0,
          candidates: int = DEFAULT_CANDIDATES, bigram_mode: str = DEFAULT_BIGRAM_MODE) -> Results:
    """Documents matching every word group of `q` that `viewer` may see, best first.

    `bigram_mode`: "always" lets each Japanese group also match by its character bigrams
    (ranked below word matches), "fallback" only when the words alone find nothing,
    "never" turns the backstop off.
    """
    if bigram_mode not in BIGRAM_MODES:
        raise ValueError(f"unknown bigram mode {bigram_mode!r}")
    plan = parse(q)
    if not plan:
        return Results([], 0, False, plan)
    clauses = _filter_clauses(list(kinds or []), viewer, facets)
    rows = _run(plan, clauses, bigram_mode == "always", limit, offset, candidates)
    if not rows and bigram_mode == "fallback" and offset == 0:
        rows = _run(plan, clauses, True, limit, offset, candidates)
    total = rows[0]["total"] if rows else _count_only(plan, clauses, bigram_mode, candidates, offset)
    hits = [
        Hit(row["kind"], row["object_id"], row["title"], row["body"], row["meta"] or {},
            float(row["score"]), plan)
        for row in rows
    ]
    return Results(hits, min(total, candidates), total >= candidates, plan)


def _count_only(plan, clauses, bigram_mode, candidates, offset) -> int:
    """The candidate count when a page past the end comes back empty."""
    if offset == 0:
        return 0
    rows = _run(plan, clauses, bigram_mode == "always", 1, 0, candidates)
    return rows[0]["total"] if rows else 0


def _run(plan: Plan, clauses, use_bigrams: bool, limit: int, offset: int, candidates: int) -> list:
    if _dialect() == "postgresql":
        return _run_postgres(plan, clauses, use_bigrams, limit, offset, candidates)
    return _run_sqlite(plan, clauses, use_bigrams, limit, offset, candidates)


_SQLITE_QUERY = sa.text(
    """
    WITH candidates AS (
        SELECT rowid AS id, bm25(search_fts, :w_title, :w_body, :w_bigrams, :w_facets) AS score
        FROM search_fts WHERE search_fts MATCH :match
        ORDER BY rowid DESC LIMIT :candidates
    ), page AS (
        SELECT id, score, count(*) OVER () AS total FROM candidates
        ORDER BY score, id DESC LIMIT :limit OFFSET :offset
    )
    SELECT d.kind, d.object_id, d.title, d.body, d.meta, -page.score AS score, page.total
    FROM page JOIN search_documents AS d ON d.id = page.id
    ORDER BY page.score, page.id DESC
    """
).columns(meta=sa.JSON)

_POSTGRES_QUERY = sa.text(
    """
    WITH candidates AS (
        SELECT id FROM search_documents
        WHERE search_vector @@ to_tsquery('simple', :tsquery)
        ORDER BY id DESC LIMIT :candidates
    ), ranked AS (
        SELECT d.id, ts_rank(CAST(:weights AS real[]), d.search_vector, to_tsquery('simple', :tsquery), 1) AS score
        FROM candidates JOIN search_documents AS d ON d.id = candidates.id
    ), page AS (
        SELECT id, score, count(*) OVER () AS total FROM ranked
        ORDER BY score DESC, id DESC LIMIT :limit OFFSET :offset
    )
    SELECT d.kind, d.object_id, d.title, d.body, d.meta, page.score, page.total
    FROM page JOIN search_documents AS d ON d.id = page.id
    ORDER BY page.score DESC, page.id DESC
    """
).columns(meta=sa.JSON)


def _run_sqlite(plan, clauses, use_bigrams, limit, offset, candidates) -> list:
    parameters = {"match": _sqlite_match(plan, clauses, use_bigrams), "candidates": candidates,
                  "limit": limit, "offset": offset, **SQLITE_WEIGHTS}
    return db.session.execute(_SQLITE_QUERY, parameters).mappings().all()


def _run_postgres(plan, clauses, use_bigrams, limit, offset, candidates) -> list:
    parameters = {"tsquery": _pg_tsquery(plan, clauses, use_bigrams), "candidates": candidates,
                  "limit": limit, "offset": offset, "weights": POSTGRES_WEIGHTS}
    return db.session.execute(_POSTGRES_QUERY, parameters).mappings().all()


def naive_statement(dialect: str) -> sa.TextClause:
    """The unbounded query (rank every match, keep 20): the benchmark's yardstick."""
    if dialect == "postgresql":
        return sa.text(
            "SELECT id FROM search_documents WHERE search_vector @@ to_tsquery('simple', :tsquery)"
            " ORDER BY ts_rank(CAST(:weights AS real[]), search_vector, to_tsquery('simple', :tsquery), 1) DESC"
            " LIMIT 20"
        )
    return sa.text(
        "SELECT rowid FROM search_fts WHERE search_fts MATCH :match"
        " ORDER BY bm25(search_fts, :w_title, :w_body, :w_bigrams, :w_facets) LIMIT 20"
    )


def naive_parameters(q: str, dialect: str, *, kinds=None, viewer: Viewer = ANONYMOUS, facets=None,
                     bigram_mode: str = DEFAULT_BIGRAM_MODE) -> dict:
    """Parameters of `naive_statement` for the same query and filters a page would use."""
    plan = parse(q)
    clauses = _filter_clauses(list(kinds or []), viewer, facets)
    use_bigrams = bigram_mode == "always"
    if dialect == "postgresql":
        return {"tsquery": _pg_tsquery(plan, clauses, use_bigrams), "weights": POSTGRES_WEIGHTS}
    return {"match": _sqlite_match(plan, clauses, use_bigrams), **SQLITE_WEIGHTS}


# --- snippets ------------------------------------------------------------------------------------


def _display(text: str) -> str:
    """Text as a snippet shows it: as written, on one line."""
    return _SPACES.sub(" ", text or "").strip()


def _normalised_with_offsets(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """`normalise(text)` and, for each of its characters, where it starts and ends in `text`
    (None for both when they map one to one, as they almost always do)."""
    quick = unicodedata.normalize("NFKC", text).lower()
    if len(quick) == len(text) and not _COMBINING.search(text):
        return _DASH_AFTER_KATAKANA.sub("ー", quick), None, None
    pieces, starts, ends = [], [], []
    position = 0
    while position < len(text):
        following = position + 1
        # A base character and its combining marks (ｶﾞ) normalise together.
        while following < len(text) and (unicodedata.combining(text[following]) or text[following] in "\uff9e\uff9f"):
            following += 1
        piece = unicodedata.normalize("NFKC", text[position:following]).lower()
        pieces.append(piece)
        starts.extend([position] * len(piece))
        ends.extend([following] * len(piece))
        position = following
    return _DASH_AFTER_KATAKANA.sub("ー", "".join(pieces)), starts, ends


def _spans(text: str, plan: Plan) -> list[tuple[int, int]]:
    """Where in `text` the query's words (by lemma) or its groups (as written) occur."""
    if not plan or not text:
        return []
    normalised, starts, ends = _normalised_with_offsets(text)
    found = []
    for needle in plan.needles:
        start = normalised.find(needle)
        while start >= 0:
            found.append((start, start + len(needle)))
            start = normalised.find(needle, start + len(needle))
    if any(group.text not in normalised for group in plan.groups):
        # Some group is not there as written: look for its words by lemma (子供 marks 子ども).
        keys = plan.keys
        found += [(m.start, m.end) for m in analyse(normalised) if m.key and m.key in keys]
    if starts is not None:
        found = [(starts[s], ends[e - 1]) for s, e in found if e > s]
    merged: list[list[int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _marked(text: str, spans: list[tuple[int, int]]) -> Markup:
    """Escaped text with <mark> around the spans (the only markup a snippet ever carries)."""
    out = []
    cursor = 0
    for start, end in spans:
        out.append(str(escape(text[cursor:start])))
        out.append("<mark>" + str(escape(text[start:end])) + "</mark>")
        cursor = end
    out.append(str(escape(text[cursor:])))
    return Markup("".join(out))  # noqa: S704 (every piece was escaped above)  # nosec B704


def highlight(text: str, plan: Plan) -> Markup:
    """A short text (a title) with the query's words marked."""
    shown = _display(text)
    return _marked(shown, _spans(shown, plan))


def _first_match(text: str, plan: Plan) -> int:
    """About where the query first matches (an offset into `text`), or -1."""
    lowered = normalise(text)
    positions = [p for p in (lowered.find(needle) for needle in plan.needles) if p >= 0]
    if positions:
        return min(positions)
    keys = plan.keys
    return next((m.start for m in analyse(lowered[:4000]) if m.key in keys), -1)


def snippet(text: str, plan: Plan, width: int = 120) -> Markup:
    """About `width` characters around the first place the query matches, words marked."""
    shown = _display(text)
    if not shown:
        return Markup("")
    position = _first_match(shown, plan) if plan else -1
    start = max(0, position - width // 3) if position > 0 else 0
    end = min(len(shown), start + width)
    window = shown[start:end]
    return Markup("{}{}{}").format(
        "…" if start > 0 else "", _marked(window, _spans(window, plan)), "…" if end < len(shown) else ""
    )


# --- reindexing ----------------------------------------------------------------------------------

_REINDEXERS = "ranhub.search_reindexers"


def register_reindexer(app: Flask, kind: str, rebuild: Callable[[], int]) -> None:
    """`rebuild()` indexes every object of `kind` (after the index of that kind was cleared)."""
    app.extensions.setdefault(_REINDEXERS, {})[kind] = rebuild


search_cli = AppGroup("search", help="The full-text search index.")


@search_cli.command("reindex")
@click.option("--kind", "kinds", multiple=True, help="Rebuild only this kind (repeatable).")
def reindex_command(kinds: tuple[str, ...]) -> None:
    """Rebuild the search index from the data."""
    rebuilders = current_app.extensions.get(_REINDEXERS, {})
    unknown = [kind for kind in kinds if kind not in rebuilders]
    if unknown:
        raise click.UsageError(f"unknown kind: {', '.join(unknown)} (known: {', '.join(sorted(rebuilders))})")
    for kind in kinds or sorted(rebuilders):
        clear(kind)
        count = rebuilders[kind]()
        db.session.commit()
        click.echo(f"{kind}: {count} indexed")
    if _dialect() == "postgresql":
        db.session.execute(sa.text("ANALYZE search_documents"))
        db.session.commit()
    else:
        db.session.execute(sa.text("INSERT INTO search_fts (search_fts) VALUES ('optimize')"))
        db.session.commit()


def init_app(app: Flask) -> None:
    app.cli.add_command(search_cli)
