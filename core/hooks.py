"""Extension points through which a room contributes to pages and commands it does not own.

A lower room (core, members, alliance) shows a higher room's data — the home page
lists upcoming events, an organisation page its knowhow, /impact every figure,
/search every kind — without importing upwards: each blueprint registers an
implementation on a hook at `init_app`, and the page asks the hook for them.

Every hook is an object declared below (a misspelt hook is an AttributeError, not a
silent no-op), with the type of what it takes. The registry is one dict on the app,
so test apps stay apart.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from flask import Flask, current_app, render_template
from flask_babel import LazyString
from markupsafe import Markup

EXTENSION_KEY = "ranhub.hooks"

T = TypeVar("T")


class Hook(Generic[T]):
    """A named extension point; its implementations are kept per app, in registration order."""

    def __init__(self, name: str, doc: str):
        self.name = name
        self.__doc__ = doc

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"

    def register(self, app: Flask, implementation: T) -> None:
        app.extensions.setdefault(EXTENSION_KEY, {}).setdefault(self.name, []).append(implementation)

    def implementations(self, app: Flask | None = None) -> list[T]:
        registry = (app or current_app).extensions.get(EXTENSION_KEY, {})
        return list(registry.get(self.name, ()))

    def render_all(self, *args) -> list:
        """Call every implementation (callables) with `args`, dropping empty results."""
        return [result for func in self.implementations() if (result := func(*args))]


@dataclass(frozen=True)
class Figure:
    """One number on /impact."""

    label: str
    value: int | str
    note: str = ""


@dataclass(frozen=True)
class SearchHit:
    """One result of the site-wide search."""

    kind: str  # the `kind` of the SearchProvider that found it
    title: str
    url: str
    snippet: Any = ""  # Markup with <mark> highlights
    score: float = 0.0
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SearchProvider:
    """A kind of thing the site-wide search finds (a tab of /search).

    `search(query, viewer, limit)` gets a core.search.SearchQuery (a str whose `.filters`
    may hold kind/theme/prefecture) and returns at most `limit` SearchHits, higher
    score better; filters it does not apply are applied from the hits' meta
    "themes" and "prefecture"/"prefectures".
    """

    kind: str
    label: str | LazyString
    search: Callable[..., list[SearchHit]]
    order: int = 50


@dataclass(frozen=True)
class MenuItem:
    """An entry of the main menu, or (`listed=False`) a section of the site that belongs to no entry."""

    endpoint: str
    label: str | LazyString = ""
    order: int = 50
    listed: bool = True


@dataclass(frozen=True)
class Link:
    """A link another room offers a page (the home page's calls to action, the ways to join)."""

    endpoint: str
    label: str | LazyString
    order: int = 50
    #: a longer text that goes with the link (a card's heading and paragraph)
    title: str | LazyString = ""
    text: str | LazyString = ""


@dataclass(frozen=True)
class ToolLink:
    """A link of the header's tools menu (organisers' and the secretariat's pages), shown to whom `shown_to`
    (member -> bool) says: every page offers a staff member their organisation's tools, not only マイページ."""

    endpoint: str
    label: str | LazyString
    shown_to: Callable[[Any], bool]
    order: int = 50


@dataclass(frozen=True)
class Reindexer:
    """How `flask search reindex` rebuilds one kind of the search index: `rebuild()` returns the count."""

    kind: str
    rebuild: Callable[[], int]


HOME_SECTIONS: Hook[Callable[[], Markup | None]] = Hook(
    "home_sections", "() -> a <section> of the home page, or None")
HOME_ACTIONS: Hook[Link] = Hook(
    "home_actions", "the buttons under the home page's introduction")
JOIN_WAYS: Hook[Link] = Hook(
    "join_ways", "the home page's ways to join the network (a card each)")
MAIN_MENU: Hook[MenuItem] = Hook(
    "main_menu", "entries of the main menu, and unlisted sections that mark no entry")
ACCOUNT_TOOLS: Hook[Callable[[], Markup | None]] = Hook(
    "account_tools", "() -> the header's account links (log in, my page, log out …)")
TOOL_LINKS: Hook[ToolLink] = Hook(
    "tool_links", "the header's tools menu for organisations' staff and admins")
FOOTER_LINKS: Hook[Link] = Hook(
    "footer_links", "links of every page's footer after the site's own (privacy, terms, about)")
MEMBER_SECTIONS: Hook[Callable[[Any], Markup | None]] = Hook(
    "member_sections", "(member) -> a <section> of /members/me, or None")
ORGANIZATION_SECTIONS: Hook[Callable[[Any], Markup | None]] = Hook(
    "organization_sections", "(organization) -> a <section> of /alliance/<slug>, or None")
IMPACT_FIGURES: Hook[Callable[[], list[Figure]]] = Hook(
    "impact_figures", "() -> figures of /impact")
IMPACT_SECTIONS: Hook[Callable[[], Markup | None]] = Hook(
    "impact_sections", "() -> tables or diagrams of /impact")
SECRETARIAT_SECTIONS: Hook[Callable[[], Markup | None]] = Hook(
    "secretariat_sections", "() -> a <section> of /alliance/secretariat/ (admins only)")
SEARCH_PROVIDERS: Hook[SearchProvider] = Hook(
    "search_providers", "the kinds the site-wide search finds (core.search.site)")
SEARCH_VOCABULARY: Hook[Callable[[], list[str]]] = Hook(
    "search_vocabulary", "() -> names /search may suggest for a mistyped query (\"did you mean\")")
SEARCH_REINDEXERS: Hook[Reindexer] = Hook(
    "search_reindexers", "the kinds `flask search reindex` rebuilds")
API_DOCUMENTS: Hook[Any] = Hook(
    "api_documents", "core.api.ApiDocument: a room's operations and schemas of /api/v1/openapi.json")
API_TOKEN_LOADERS: Hook[Callable[[str], Any]] = Hook(
    "api_token_loaders", "(bearer token) -> the member it belongs to, or None (the first one is used)")
DEMO_SEEDERS: Hook[Callable[[int], None]] = Hook(
    "demo_seeders", "(scale) -> None: adds demo data (called in registration order)")
MEMBER_ERASERS: Hook[Callable[[Any], None]] = Hook(
    "member_erasers", "(member) -> None: erase personal data a room holds about a deleted member")
@dataclass(frozen=True)
class EvidenceKind:
    """How a matching page shows one kind of evidence document (core.search.evidence.Document)."""

    kind: str
    #: (document) -> what it is, e.g. «事例», «プロフィール»
    label: Callable[[Any], str]
    #: (document) -> where it can be read, or None
    url: Callable[[Any], str | None] = lambda document: None
    #: (document) -> whether the viewer may read its words (title and snippet)
    readable: Callable[[Any], bool] = lambda document: True
    #: (document) -> what is said instead of its words when they are not readable
    withheld: Callable[[Any], str] = lambda document: ""


EVIDENCE_KINDS: Hook[EvidenceKind] = Hook(
    "evidence_kinds", "the kinds of document matching shows as a candidate's evidence (core.search.evidence)")


SITEMAP_SOURCES: Hook[Callable[[], list[tuple[str, Any]]]] = Hook(
    "sitemap_sources", "() -> [(absolute URL, last modified datetime or None), …] of public pages for /sitemap.xml "
    "(a bounded, column-only query)")


@dataclass(frozen=True)
class DigestSection:
    """A part of the weekly digest mail: what is new since a moment, for one member."""

    #: heading in the mail (lazy text)
    title: Any
    #: (member, since) -> [(line, url), …], newest first, a few at most
    items: Callable[[Any, Any], list[tuple[str, str]]]


DIGEST_SECTIONS: Hook[DigestSection] = Hook(
    "digest_sections", "the parts of the weekly digest mail (members.digest)")
MEMBER_DATA_EXPORTS: Hook[Callable[[Any], dict]] = Hook(
    "member_data_exports", "(member) -> {section: JSON-ready data}: what a room holds about the member "
    "(/members/me/export)")
CASE_STUDY_DRAFTERS: Hook[Callable[..., str | None]] = Hook(
    "case_study_drafters",
    "(source, outcome, member) -> URL of a knowhow case-study draft made from a completed referral's or "
    "programme's report, or of a 報告 draft from an event's closing report (the first one is used; without "
    "any, no such button is offered)")


EXPERTISE_PROFILE_PAGES: Hook[Callable[[int], str]] = Hook(
    "expertise_profile_pages", "(member id) -> URL of the page that shows a public expertise profile (the first one)")


def render_section(template: str, **context) -> Markup:
    """A section rendered for another room's page; Jinja autoescaped every value, so it is safe HTML."""
    return Markup(render_template(template, **context))  # noqa: S704  # nosec B704 - autoescaped template output
