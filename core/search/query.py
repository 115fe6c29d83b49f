"""Reading the search index: a bounded, ranked query that respects who is looking.

The candidate set is bounded: a query takes the newest `candidates` matching
documents (the index walks them in id order and stops), ranks those by
relevance (bm25 / ts_rank) and pages through them. Ranking every match of a
word that occurs in most documents would cost time proportional to the whole
index; the bound keeps a page fast at any size, and a query with fewer matches
than the bound is ranked exactly.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from core.db import db
from core.search.analysis import (
    Plan,
    facet_word,
    kind_word,
    organization_word,
    owner_word,
    parse,
    visibility_word,
)
from core.search.highlight import highlight, snippet
from core.search.index import dialect

#: newest matching documents ranked per query (see the module docstring)
DEFAULT_CANDIDATES = 400
#: bm25 weights of the FTS5 columns: title, body, bigrams, facets
SQLITE_WEIGHTS = {"w_title": 8.0, "w_body": 1.0, "w_bigrams": 0.2, "w_facets": 0.0}
#: ts_rank weights {D, C, B, A}: bigrams, facets, body, title
POSTGRES_WEIGHTS = [0.05, 0.0, 0.4, 1.0]
BIGRAM_MODES = ("always", "fallback", "never")
DEFAULT_BIGRAM_MODE = "always"


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


def visibility_words(viewer: Viewer) -> list[str] | None:
    """Index words of which a visible document has at least one; None: everything (admins)."""
    if viewer.is_admin:
        return None
    allowed = [visibility_word("public")]
    if viewer.member_id is not None:
        allowed.append(visibility_word("members"))
        allowed.append(owner_word(viewer.member_id))
    if viewer.is_alliance_staff:
        allowed.append(visibility_word("alliance"))
    allowed.extend(organization_word(org_id) for org_id in sorted(viewer.organization_ids))
    return allowed


def _filter_clauses(kinds, viewer: Viewer, facets: Mapping[str, Any] | None) -> list[list[str]]:
    """Filters as a list of OR-lists of index words, all of which must hold."""
    clauses = []
    if kinds:
        clauses.append([kind_word(kind) for kind in kinds])
    visible = visibility_words(viewer)
    if visible is not None:
        clauses.append(visible)
    for name, values in (facets or {}).items():
        if values is None or values == "" or values == []:
            continue
        if isinstance(values, str | int):
            values = [values]
        clauses.append([facet_word(name, value) for value in values])
    return clauses


def fts_phrase(tokens: list[str]) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def _sqlite_match(plan: Plan, clauses: list[list[str]], use_bigrams: bool, title_only: bool = False) -> str:
    parts = []
    columns = "{title}" if title_only else "{title body}"
    for group in plan.groups:
        alternatives = [f"{columns} : {fts_phrase(group.keys)}"]
        if use_bigrams and not title_only:
            alternatives += [f"bigrams : {fts_phrase(phrase)}" for phrase in group.bigram_phrases]
        parts.append("(" + " OR ".join(alternatives) + ")")
    for words_ in clauses:
        parts.append("facets : (" + " OR ".join(fts_phrase([w]) for w in words_) + ")")
    return " AND ".join(parts)


def pg_lexeme(word: str, weights: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "':" + weights


def _pg_tsquery(plan: Plan, clauses: list[list[str]], use_bigrams: bool) -> str:
    parts = []
    for group in plan.groups:
        alternatives = ["(" + " <-> ".join(pg_lexeme(key, "AB") for key in group.keys) + ")"]
        if use_bigrams:
            alternatives += [
                "(" + " <-> ".join(pg_lexeme(b, "D") for b in phrase) + ")" for phrase in group.bigram_phrases
            ]
        parts.append("(" + " | ".join(alternatives) + ")")
    for words_ in clauses:
        parts.append("(" + " | ".join(pg_lexeme(w, "C") for w in words_) + ")")
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
    if dialect() == "postgresql":
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


