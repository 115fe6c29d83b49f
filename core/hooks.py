"""Extension points through which a blueprint contributes to pages it does not own.

A lower room (core, members, alliance) shows a higher room's data — the home page
lists upcoming events, an organisation page its knowhow, /impact every figure —
without importing upwards: each blueprint registers a callable at `init_app`,
and the page collects them. Registries live on the app, so test apps stay apart.

Known hook names and what their callables take and return:
- ``home_sections``        ()            -> Markup or None (a <section> of the home page)
- ``member_sections``      (member)      -> Markup or None (on /members/me)
- ``organization_sections``(organization)-> Markup or None (on /alliance/<slug>)
- ``impact_figures``       ()            -> list of core.hooks.Figure
- ``impact_sections``      ()            -> Markup or None (tables/diagrams on /impact)
- ``secretariat_sections`` ()            -> Markup or None (a <section> on /alliance/secretariat/,
                                            e.g. consultations/referrals triage; admins only)
- ``search_providers``     (query, viewer, limit) -> list of core.hooks.SearchHit
                           (query: a str — from /search a core.search.SearchQuery whose
                           `.filters` may hold kind/theme/prefecture; higher score = better;
                           hits are filtered on meta "themes" and "prefecture(s)" too)
- ``demo_seeders``         (scale)       -> None (adds demo data; called in order)
- ``member_erasers``       (member)      -> None (erase personal data held elsewhere)
- ``case_study_drafters``  (referral, outcome, member) -> URL of a knowhow case-study draft made
                           from a completed referral's outcome report (the first one is used;
                           without any, the referral page offers no such button)
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, render_template
from markupsafe import Markup

EXTENSION_KEY = "ranhub.hooks"


@dataclass(frozen=True)
class Figure:
    """One number on /impact."""

    label: str
    value: int | str
    note: str = ""


@dataclass(frozen=True)
class SearchHit:
    """One result of the site-wide search."""

    kind: str  # "organization", "event", "article"
    title: str
    url: str
    snippet: Any = ""  # Markup with <mark> highlights
    score: float = 0.0
    meta: dict = field(default_factory=dict)


def register(app: Flask, hook: str, func: Callable) -> None:
    app.extensions.setdefault(EXTENSION_KEY, {}).setdefault(hook, []).append(func)


def collect(hook: str) -> list[Callable]:
    return list(current_app.extensions.get(EXTENSION_KEY, {}).get(hook, []))


def render_all(hook: str, *args) -> list:
    """Call every callable of a hook, dropping empty results."""
    return [result for func in collect(hook) if (result := func(*args))]


def render_section(template: str, **context) -> Markup:
    """A section rendered for another room's page; Jinja autoescaped every value, so it is safe HTML."""
    return Markup(render_template(template, **context))  # noqa: S704  # nosec B704 - autoescaped template output
