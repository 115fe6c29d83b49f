"""Japanese full-text search over one generic index, and the site-wide search built on it.

- `analysis`  normalisation, MeCab words by lemma, character bigrams, filter words, query parsing
- `index`     the `search_documents` table and the engine's own index (FTS5 / tsvector)
- `query`     a bounded, ranked query within what the viewer may see
- `highlight` snippets and titles with the query's words marked
- `site`      /search and its API: every kind registered on `hooks.SEARCH_PROVIDERS`
- `cli`       `flask search reindex` (every kind registered on `hooks.SEARCH_REINDEXERS`)

Usage (each blueprint, in its services):
    search.index("article", article.id, title=…, body=…, visibility="members",
                 published=True, owner_id=…, organization_id=…,
                 facets={"theme": ["seniors"], "prefecture": "13"}, meta={"slug": …})
    search.remove("article", article.id)
    results = search.query("外国人材", kinds=["article"], viewer=Viewer(...), limit=20, offset=0)
"""

from flask import Flask

from core.api import add_openapi
from core.search import api, evidence, site, views
from core.search.analysis import MAX_QUERY_CHARS, Plan, bigrams, normalise, parse, words
from core.search.cli import search_cli
from core.search.highlight import highlight, snippet
from core.search.index import (
    VISIBILITIES,
    Entry,
    SearchDocument,
    clear,
    index,
    index_many,
    reindex_all,
    remove,
)
from core.search.query import (
    ANONYMOUS,
    BIGRAM_MODES,
    DEFAULT_CANDIDATES,
    Hit,
    LazySnippet,
    Results,
    Viewer,
    naive_parameters,
    naive_statement,
    query,
)
from core.search.site import SearchQuery
from core.security import csrf

__all__ = [
    "ANONYMOUS", "BIGRAM_MODES", "DEFAULT_CANDIDATES", "MAX_QUERY_CHARS", "VISIBILITIES", "Entry", "Hit",
    "LazySnippet", "Plan", "Results", "SearchDocument", "SearchQuery", "Viewer", "bigrams", "clear", "highlight",
    "index", "index_many", "init_app", "naive_parameters", "naive_statement", "normalise", "parse", "query",
    "reindex_all", "remove", "snippet", "words",
]


def init_app(app: Flask) -> None:
    """The /search page, its API and the CLI; call it after the rooms that register search providers."""
    app.jinja_env.globals.update(evidence.TEMPLATE_GLOBALS)
    app.register_blueprint(views.bp)
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    kinds = [provider.kind for provider in site.providers(app)]
    add_openapi(app, api.openapi_paths(kinds), api.openapi_schemas(kinds))
    app.cli.add_command(search_cli)
