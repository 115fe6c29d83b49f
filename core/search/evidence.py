"""Evidence-based expert finding: how well each candidate's own documents answer a need.

A candidate — an organisation, a person — is as relevant as the documents that show
its work (Balog, Azzopardi and de Rijke, SIGIR 2006, "model 2"): the need's words, any
of them, are matched against the search index, restricted to the candidates'
documents of the given kinds, and each candidate gets the sum of its best documents'
scores (BM25 with field weights on SQLite, ts_rank on PostgreSQL). The documents
themselves come back too: they are the reasons a coordinator can check.

One query per need, whatever the number of candidates.
"""

import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from threading import Lock

import sqlalchemy as sa

from core import hooks
from core.db import db
from core.search.analysis import (
    Group,
    Plan,
    analyse,
    facet_word,
    kind_word,
    normalise,
    organization_word,
    owner_word,
    visibility_word,
)
from core.search.index import VISIBILITIES, dialect
from core.search.query import (
    POSTGRES_WEIGHTS,
    SQLITE_WEIGHTS,
    Hit,
    fts_phrase,
    pg_lexeme,
)

#: a candidate's relevance counts its best documents, this many
DOCUMENTS_COUNTED = 2
#: the need's distinct words used (a long description is cut here)
MAX_NEED_WORDS = 60
#: matching documents read per need, best first
MAX_DOCUMENTS = 600
#: the owner column that names a candidate: organisations or people
OWNERS = ("organization", "owner")
#: a need's word held by more than this share of all documents weighs almost nothing in BM25 and costs
#: the most to match (人材, 地域 on this site): it is left out …
COMMON_SHARE = 0.05
#: … once the index is large enough for shares to mean something
COMMON_MIN_DOCUMENTS = 2000
#: how long a process trusts the document counts it read (they move slowly; only word choice depends on them)
FREQUENCIES_SECONDS = 3600


#: one document that shows a candidate's work, with how well it matches the need (title and snippet marked as
#: the site search marks its hits)
Document = Hit


@dataclass
class Relevance:
    """A candidate's relevance to the need and its best documents (best first)."""

    score: float = 0.0
    documents: list[Document] = field(default_factory=list)
    #: the score as a share of the best candidate's (1: the best)
    share: float = 0.0


def need_plan(text: str) -> Plan:
    """The need's content words as one-word groups (any of them may match): for matching and highlighting.

    Words common to much of the index are left out (when some other word remains).
    """
    seen: dict[str, str] = {}
    normalised = normalise(text)
    for morpheme in analyse(normalised):
        if morpheme.key and morpheme.key not in seen:
            seen[morpheme.key] = normalised[morpheme.start:morpheme.end]
    common = _frequencies.common(list(seen))
    if len(common) < len(seen):
        seen = {key: surface for key, surface in seen.items() if key not in common}
    return Plan(normalised, [Group(surface, [key]) for key, surface in list(seen.items())[:MAX_NEED_WORDS]])


@dataclass
class _Counts:
    """One database's document counts as this process last read them."""

    expires: float
    total: int
    #: SQLite: documents per word, read as needs bring words
    words: dict[str, int] = field(default_factory=dict)
    #: PostgreSQL: the words ANALYZE found in more than COMMON_SHARE of the rows
    common: frozenset[str] = frozenset()


class _Frequencies:
    """Which words most documents hold, as each engine counts them; read once per word, database and process
    for an hour."""

    def __init__(self):
        self._lock = Lock()
        self._databases: dict[str, _Counts] = {}

    def common(self, keys: list[str]) -> set[str]:
        database = db.engine.url.render_as_string()
        with self._lock:
            counts = self._databases.get(database)
            if counts is None or time.monotonic() > counts.expires:
                counts = self._databases[database] = self._read()
            if counts.total < COMMON_MIN_DOCUMENTS:
                return set()
            if dialect() == "postgresql":
                return {key for key in keys if key in counts.common}
            missing = [key for key in keys if key not in counts.words]
            if missing:
                counts.words.update({key: 0 for key in missing})
                counts.words.update(db.session.execute(
                    sa.text("SELECT term, doc FROM search_fts_vocab WHERE term IN :terms")
                    .bindparams(sa.bindparam("terms", expanding=True)), {"terms": missing}).all())
            return {key for key in keys if counts.words[key] > COMMON_SHARE * counts.total}

    @staticmethod
    def _read() -> _Counts:
        expires = time.monotonic() + FREQUENCIES_SECONDS
        if dialect() != "postgresql":
            return _Counts(expires, db.session.scalar(sa.text("SELECT count(*) FROM search_documents")) or 0)
        # ANALYZE's most common lexemes of the search vectors, with the share of rows holding each.
        row = db.session.execute(sa.text(
            "SELECT c.reltuples::bigint, s.most_common_elems::text::text[], s.most_common_elem_freqs"
            " FROM pg_class AS c LEFT JOIN pg_stats AS s"
            "   ON s.tablename = c.relname AND s.attname = 'search_vector' AND s.schemaname = current_schema()"
            " WHERE c.relname = 'search_documents' AND c.relnamespace = current_schema()::regnamespace")).first()
        if row is None:
            return _Counts(expires, 0)
        shares = zip(row[1] or [], row[2] or [], strict=False)
        return _Counts(expires, max(int(row[0] or 0), 0),
                       common=frozenset(word for word, share in shares if share > COMMON_SHARE))

    def forget(self) -> None:
        """Read the counts again at the next need (tests)."""
        with self._lock:
            self._databases.clear()


_frequencies = _Frequencies()


def marking_plan(plan: Plan) -> Plan:
    """What the page marks in a matched document: the need's words of two characters or more
    (a one-character word — 社, 会, 8 — counts for matching but would mark half a page)."""
    return Plan(plan.text, [group for group in plan.groups if len(group.text) > 1])


def relevance(need: str, candidates: Collection[int] | None, *, kinds: Iterable[str], owner: str = "organization",
              visibilities: Collection[str] = VISIBILITIES, facet: tuple[str, str] | None = None,
              documents: int = MAX_DOCUMENTS) -> dict[int, Relevance]:
    """Each candidate's relevance to `need` from its published documents of `kinds` and `visibilities`.

    `candidates` None reads every owner's documents (a pool too large to list, such as
    thousands of people), narrowed by one `facet` (name, value) such as the theme; only the
    best `documents` documents count. Candidates without a matching document are absent
    from the answer.
    """
    if owner not in OWNERS:
        raise ValueError(f"unknown owner column {owner!r}")
    plan = need_plan(need)
    if not plan or candidates is not None and not candidates:
        return {}
    anyone = candidates is None
    filter_words = [[kind_word(kind) for kind in kinds], [visibility_word(visibility) for visibility in visibilities]]
    if facet:
        filter_words.append([facet_word(*facet)])
    if dialect() == "postgresql":
        # A listed pool: its rows through the owner column's index, then the match on those rows only;
        # anyone: the match through the GIN index, the facet word checked on the rows found.
        keys = " | ".join(pg_lexeme(key, "AB") for group in plan.groups for key in group.keys)
        # The facet as a word of the index too, so that the GIN index finds only the rows that hold it.
        found_by = f"({keys}) & {pg_lexeme(facet_word(*facet), 'C')}" if facet else keys
        parameters = {"kinds": list(kinds), "visibilities": list(visibilities), "limit": documents,
                      "tsquery": keys, "found_by": found_by, "weights": POSTGRES_WEIGHTS,
                      "facet": f"% {facet_word(*facet)} %" if facet else "%"}
        if not anyone:
            parameters["owners"] = sorted(candidates)
        rows = db.session.execute(_statement(_POSTGRES_QUERY.replace("{candidates}", _ANYONE if anyone else _LISTED),
                                             owner), parameters).mappings().all()
    else:
        # FTS5 answers best from its own index: the owners, kinds, visibilities and facet as filter words.
        if not anyone:
            filter_words.append([(organization_word if owner == "organization" else owner_word)(c)
                                 for c in sorted(candidates)])
        match = "{title body} : (" + " OR ".join(fts_phrase(group.keys) for group in plan.groups) + ")"
        for words_ in filter_words:
            match += " AND facets : (" + " OR ".join(fts_phrase([word]) for word in words_) + ")"
        rows = db.session.execute(_statement(_SQLITE_QUERY, owner),
                                  {"match": match, "limit": documents, **SQLITE_WEIGHTS}).mappings().all()
    marked = marking_plan(plan)
    found: dict[int, Relevance] = {}
    for row in rows:
        if row["candidate"] is None:
            continue
        entry = found.setdefault(row["candidate"], Relevance())
        if len(entry.documents) < DOCUMENTS_COUNTED:
            document = Document(row["kind"], row["object_id"], row["title"], row["body"], row["meta"] or {},
                                float(row["score"]), marked)
            entry.documents.append(document)
            entry.score += document.score
    best = max((entry.score for entry in found.values()), default=0.0)
    for entry in found.values():
        entry.share = entry.score / best if best > 0 else 0.0
    return found


_SQLITE_QUERY = """
    SELECT d.kind, d.object_id, d.title, d.body, d.meta, d.{owner}_id AS candidate,
           -bm25(search_fts, :w_title, :w_body, :w_bigrams, :w_facets) AS score
    FROM search_fts JOIN search_documents AS d ON d.id = search_fts.rowid
    WHERE search_fts MATCH :match
    ORDER BY score DESC, d.id
    LIMIT :limit
"""
_POSTGRES_QUERY = """
    SELECT d.kind, d.object_id, d.title, d.body, d.meta, d.{owner}_id AS candidate,
           ts_rank(CAST(:weights AS real[]), d.search_vector, to_tsquery('simple', :tsquery), 1) AS score
    FROM search_documents AS d
    WHERE {candidates} AND d.kind IN :kinds AND d.published AND d.visibility IN :visibilities
      AND ' ' || d.facets || ' ' LIKE :facet
      AND d.search_vector @@ to_tsquery('simple', :found_by)
    ORDER BY score DESC, d.id
    LIMIT :limit
"""
#: the candidates' rows through the owner column's index; or anyone's, through the full-text index
_LISTED = "d.{owner}_id = ANY(CAST(:owners AS integer[]))"
_ANYONE = "d.{owner}_id IS NOT NULL"
_STATEMENTS: dict[tuple[str, str], sa.TextClause] = {}


def _statement(template: str, owner: str) -> sa.TextClause:
    """The query for one owner column, built once (its compiled form is cached by SQLAlchemy)."""
    key = (template, owner)
    if key not in _STATEMENTS:
        statement = sa.text(template.replace("{owner}", owner))
        expanding = [name for name in ("kinds", "visibilities") if f":{name}" in template]
        if expanding:
            statement = statement.bindparams(*(sa.bindparam(name, expanding=True) for name in expanding))
        _STATEMENTS[key] = statement.columns(meta=sa.JSON)
    return _STATEMENTS[key]


# -- showing evidence: each kind's room says what it is, where to read it and who may -----------


def _presentation(document: Document) -> hooks.EvidenceKind | None:
    return next((kind for kind in hooks.EVIDENCE_KINDS.implementations() if kind.kind == document.kind), None)


def kind_label(document: Document) -> str:
    presentation = _presentation(document)
    return presentation.label(document) if presentation else ""


def url(document: Document) -> str | None:
    presentation = _presentation(document)
    return presentation.url(document) if presentation else None


def readable(document: Document) -> bool:
    presentation = _presentation(document)
    return presentation.readable(document) if presentation else False


def withheld(document: Document) -> str:
    presentation = _presentation(document)
    return presentation.withheld(document) if presentation else ""


TEMPLATE_GLOBALS = {"evidence_kind_label": kind_label, "evidence_url": url, "evidence_readable": readable,
                    "evidence_withheld": withheld}
