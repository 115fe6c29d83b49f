"""Evidence-based expert finding: how well each candidate's own documents answer a need.

A candidate — an organisation, a person — is as relevant as the documents that show
its work (Balog, Azzopardi and de Rijke, SIGIR 2006, "model 2"): the need's words, any
of them, are matched against the search index, restricted to the candidates'
documents of the given kinds, and each candidate gets the sum of its best documents'
scores (BM25 with field weights on SQLite, ts_rank on PostgreSQL). The documents
themselves come back too: they are the reasons a coordinator can check.

One query per need, whatever the number of candidates.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup

from core.db import db
from core.search.analysis import Group, Plan, analyse, kind_word, normalise, organization_word, owner_word
from core.search.highlight import highlight, snippet
from core.search.index import dialect
from core.search.query import (
    POSTGRES_WEIGHTS,
    SQLITE_WEIGHTS,
    Viewer,
    _fts_phrase,
    _pg_lexeme,
    visibility_words,
)

#: a candidate's relevance counts its best documents, this many
DOCUMENTS_COUNTED = 2
#: the need's distinct words used (a long description is cut here)
MAX_NEED_WORDS = 60
#: matching documents read per need, best first
MAX_DOCUMENTS = 600
#: the owner column that names a candidate: organisations or people
OWNERS = ("organization", "owner")


@dataclass(frozen=True)
class Document:
    """One document that shows a candidate's work, with how well it matches the need."""

    kind: str
    object_id: int
    title: str
    body: str
    meta: dict
    score: float
    plan: Plan

    def highlighted_title(self) -> Markup:
        return highlight(self.title, self.plan)

    def snippet(self, width: int = 90) -> Markup:
        return snippet(self.body, self.plan, width)


@dataclass
class Relevance:
    """A candidate's relevance to the need and its best documents (best first)."""

    score: float = 0.0
    documents: list[Document] = field(default_factory=list)


def need_plan(text: str) -> Plan:
    """The need's content words as one-word groups (any of them may match): for matching and highlighting."""
    seen: dict[str, str] = {}
    normalised = normalise(text)
    for morpheme in analyse(normalised):
        if morpheme.key and morpheme.key not in seen and len(seen) < MAX_NEED_WORDS:
            seen[morpheme.key] = normalised[morpheme.start:morpheme.end]
    return Plan(normalised, [Group(surface, [key]) for key, surface in seen.items()])


def relevance(need: str, candidates: Collection[int], *, kinds: Iterable[str], owner: str = "organization",
              viewer: Viewer) -> dict[int, Relevance]:
    """Each candidate's relevance to `need` from its documents of `kinds` that `viewer` may see.

    Candidates without a matching document are absent from the answer.
    """
    if owner not in OWNERS:
        raise ValueError(f"unknown owner column {owner!r}")
    plan = need_plan(need)
    if not plan or not candidates:
        return {}
    owner_words = [(organization_word if owner == "organization" else owner_word)(c) for c in sorted(candidates)]
    clauses = [[kind_word(kind) for kind in kinds], owner_words]
    visible = visibility_words(viewer)
    if visible is not None:
        clauses.append(visible)
    rows = _postgres(plan, clauses) if dialect() == "postgresql" else _sqlite(plan, clauses)
    found: dict[int, Relevance] = {}
    for row in rows:
        candidate = row["organization_id"] if owner == "organization" else row["owner_id"]
        if candidate not in candidates:
            continue
        entry = found.setdefault(candidate, Relevance())
        if len(entry.documents) < DOCUMENTS_COUNTED:
            document = Document(row["kind"], row["object_id"], row["title"], row["body"], row["meta"] or {},
                                float(row["score"]), plan)
            entry.documents.append(document)
            entry.score += document.score
    return found


_SQLITE_QUERY = sa.text(
    """
    SELECT d.kind, d.object_id, d.title, d.body, d.meta, d.organization_id, d.owner_id,
           -bm25(search_fts, :w_title, :w_body, :w_bigrams, :w_facets) AS score
    FROM search_fts JOIN search_documents AS d ON d.id = search_fts.rowid
    WHERE search_fts MATCH :match
    ORDER BY score DESC, d.id
    LIMIT :limit
    """
).columns(meta=sa.JSON)

_POSTGRES_QUERY = sa.text(
    """
    SELECT kind, object_id, title, body, meta, organization_id, owner_id,
           ts_rank(CAST(:weights AS real[]), search_vector, to_tsquery('simple', :tsquery), 1) AS score
    FROM search_documents
    WHERE search_vector @@ to_tsquery('simple', :tsquery)
    ORDER BY score DESC, id
    LIMIT :limit
    """
).columns(meta=sa.JSON)


def _sqlite(plan: Plan, clauses: list[list[str]]) -> list:
    words = " OR ".join(_fts_phrase(group.keys) for group in plan.groups)
    match = f"{{title body}} : ({words})"
    for words_ in clauses:
        match += " AND facets : (" + " OR ".join(_fts_phrase([w]) for w in words_) + ")"
    return db.session.execute(_SQLITE_QUERY, {"match": match, "limit": MAX_DOCUMENTS, **SQLITE_WEIGHTS}).mappings().all()


def _postgres(plan: Plan, clauses: list[list[str]]) -> list:
    parts = ["(" + " | ".join(_pg_lexeme(key, "AB") for group in plan.groups for key in group.keys) + ")"]
    for words_ in clauses:
        parts.append("(" + " | ".join(_pg_lexeme(w, "C") for w in words_) + ")")
    parameters = {"tsquery": " & ".join(parts), "limit": MAX_DOCUMENTS, "weights": POSTGRES_WEIGHTS}
    return db.session.execute(_POSTGRES_QUERY, parameters).mappings().all()
