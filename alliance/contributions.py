"""What the alliance adds to pages it does not own: the home page section and site search."""

import re

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from alliance import services
from alliance.models import Organization
from alliance.views import directory_url_for_prefecture
from core import fragments
from core.db import db
from core.hooks import Link, MenuItem, SearchHit, SearchProvider, render_section

HOME_ORGANIZATIONS = 6
SNIPPET_CHARS = 120


def home_section() -> Markup | None:
    """A few member organisations and the map of where the alliance works (nothing before the first); the same
    for every viewer, kept until what it shows is written."""

    def render() -> str:
        total = services.count_live_organizations()
        if not total:
            return ""
        return render_section(
            "alliance/_home_section.html",
            organizations=services.featured_organizations(HOME_ORGANIZATIONS),
            coverage=services.coverage_by_prefecture(),
            total=total,
            tile_url=directory_url_for_prefecture,
        )

    return fragments.cached("alliance.home", (), render) or None


def member_section(member) -> Markup:
    """On /members/me: the organisations the member acts for, their applications, the secretariat."""
    return render_section(
        "alliance/_member_section.html", member=member,
        organizations=services.organizations_of(member), applications=services.applications_of(member),
    )


def highlight(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> Markup:
    """An escaped excerpt around the first match, with every term in <mark>."""
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - width // 3) if first else 0
    excerpt = text[start:start + width]
    pieces, position = [], 0
    for match in (pattern.finditer(excerpt) if pattern else ()):
        pieces.append(escape(excerpt[position:match.start()]))
        pieces.append(Markup("<mark>%s</mark>") % match.group(0))
        position = match.end()
    pieces.append(escape(excerpt[position:]))
    html = Markup("").join(pieces)
    if start > 0:
        html = Markup("…") + html
    if start + width < len(text):
        html = html + Markup("…")
    return html


def search(query: str, viewer, limit: int) -> list[SearchHit]:
    """Member organisations whose name, summary, introduction or services match every word."""
    terms = query.split()
    hits = []
    for rank, organization in enumerate(services.search_organizations(terms, limit)):
        in_name = all(term.lower() in organization.name.lower() for term in terms)
        hits.append(SearchHit(
            kind="organization",
            title=organization.name,
            url=url_for("alliance.detail", slug=organization.slug),
            snippet=highlight(organization.summary, terms),
            score=(2.0 if in_name else 1.0) - rank / 1000,
            meta={"prefecture": organization.prefecture},
        ))
    return hits


SEARCH_PROVIDER = SearchProvider("organization", _l("Member organisations"), search, order=10)


def search_vocabulary() -> list[str]:
    """Live organisations' names, which /search suggests for a mistyped one."""
    return list(db.session.scalars(sa.select(Organization.name).where(*services.live_clauses())))
MENU = (
    MenuItem("alliance.directory", _l("Members"), order=10),
    MenuItem("alliance.impact", _l("Impact"), order=50),
    MenuItem("secretariat.index", listed=False),
)
HOME_ACTION = Link("alliance.directory", _l("Find a member organisation"), order=10)
JOIN_WAY = Link(
    "alliance.apply", _l("Apply as an organisation"), order=10, title=_l("Alliance member (organisations)"),
    text=_l("NPOs, foundations, companies and municipalities that develop and match talent for a region. Members "
            "publish their programmes, take referrals from other regions and run events together."),
)
