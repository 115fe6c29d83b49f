"""Turning finished work into knowhow: case-study drafts from referrals and programmes, 報告 drafts from events.

Registered on the `case_study_drafters` hook, so the referral and project pages
can offer "write this up as a case study" without importing knowhow.
"""

from flask import url_for
from flask_babel import gettext as _

from alliance.projects.models import Programme
from alliance.referrals.models import Referral, ReferralOutcome
from events.models import Event
from knowhow import services


def draft_case_study(source, report, member) -> str:
    """Create a members-only case-study draft by `member`; returns the URL of its edit page."""
    if isinstance(source, Referral):
        data = _from_referral(source, report)
    elif isinstance(source, Programme):
        data = _from_programme(source, report or "")
    elif isinstance(source, Event):
        data = _from_event(source, report or "")
    else:
        raise TypeError(f"no case study can be drafted from {type(source).__name__}")
    article = services.create_article(member, data)
    return url_for("knowhow.edit", slug=article.slug)


def _from_referral(referral: Referral, outcome: ReferralOutcome) -> services.ArticleData:
    figures = _("People supported: %(people)d · Companies supported: %(companies)d · Hours: %(hours)d",
                people=outcome.people_supported, companies=outcome.companies_supported, hours=outcome.hours)
    body = "\n\n".join([
        "## " + _("What was asked"), referral.description,
        "## " + _("What was done"), outcome.summary,
        "## " + _("In figures"), figures,
    ])
    return services.ArticleData(
        title=_("Case study: %(title)s", title=referral.title)[:120],
        kind="case-study", visibility="members", status="draft", themes=[referral.theme],
        summary=outcome.summary[:300], body=body, prefecture=referral.prefecture,
        organization_id=referral.partner_organization_id,
    )


def _from_programme(programme: Programme, report: str) -> services.ArticleData:
    project = programme.project
    body = "\n\n".join(["## " + _("About the project"), project.description, "## " + _("Final report"), report])
    return services.ArticleData(
        title=_("Case study: %(title)s", title=project.title)[:120],
        kind="case-study", visibility="members", status="draft", themes=[project.theme],
        summary=report[:300], body=body, prefecture=project.prefecture,
        organization_id=project.organization_id,
    )


def _from_event(event: Event, report: str) -> services.ArticleData:
    """A 報告 (report) of the event: its summary, then the organiser's closing report with its figures."""
    body = "\n\n".join(["## " + _("About the event"), event.summary, "## " + _("Closing report"), report])
    return services.ArticleData(
        title=_("Report: %(title)s", title=event.title)[:120],
        kind="report", visibility="members", status="draft", themes=list(event.themes),
        summary=event.summary[:300], body=body, prefecture=event.prefecture,
        organization_id=event.organization_id,
    )
