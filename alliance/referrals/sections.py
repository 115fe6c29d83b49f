"""What referrals add to pages owned by others (registered on core.hooks at init_app)."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from alliance.models import Organization
from alliance.permissions import is_staff_or_admin
from alliance.referrals import services
from alliance.referrals.models import Consultation
from core import refdata
from core.auth import is_admin
from core.db import db
from core.hooks import Figure, Link, MenuItem, ToolLink, render_section

LATEST_CONSULTATIONS = 5



def secretariat_section() -> Markup | None:
    """On /alliance/secretariat/: consultations waiting for triage and open referrals, with links."""
    if not is_admin():
        return None
    latest = db.session.scalars(
        sa.select(Consultation).where(Consultation.status == "new")
        .order_by(Consultation.created_at.desc(), Consultation.id.desc()).limit(LATEST_CONSULTATIONS)
    ).all()
    return render_section("referrals/_secretariat_section.html", counts=services.triage_counts(), latest=latest)


def member_section(member) -> Markup | None:
    """On /members/me: offers waiting for the member's organisations."""
    if not is_staff_or_admin(member):
        return None
    return render_section("referrals/_member_section.html", waiting=services.waiting_offers_count(member))


def organization_section(organization: Organization) -> Markup | None:
    """On an organisation's page: referrals it completed for other regions, per theme."""
    completed = services.completed_by_theme(organization)
    if not completed:
        return None
    return render_section("referrals/_organization_section.html", completed=completed,
                   total=sum(n for _theme, n in completed))


def impact_figures() -> list[Figure]:
    """On /impact: referrals completed, and how many of them crossed a regional border."""
    flows = services.region_flows()
    crossing = sum(flow.count for flow in flows if flow.source.slug != flow.target.slug)
    return [
        Figure(_("Referrals completed"), services.completed_count()),
        Figure(_("Completed across regions"), crossing, _("help from a member in another region")),
    ]


@dataclass(frozen=True)
class DiagramNode:
    label: str
    y: int
    total: int


@dataclass(frozen=True)
class DiagramPath:
    source: str
    target: str
    count: int
    d: str
    width: int


DIAGRAM = {"width": 640, "row": 44, "top": 40, "left": 150, "right": 490, "max_stroke": 22, "min_stroke": 3}


def flow_diagram(flows: list[services.Flow]) -> dict:
    """Coordinates for the SVG of cross-region help: helping regions left, regions helped right."""
    crossing = [flow for flow in flows if flow.source.slug != flow.target.slug]
    row, top = DIAGRAM["row"], DIAGRAM["top"]
    y_of = {region.slug: top + index * row for index, region in enumerate(refdata.REGIONS)}
    highest = max((flow.count for flow in crossing), default=1)
    paths = []
    for flow in crossing:
        x1, x2 = DIAGRAM["left"], DIAGRAM["right"]
        y1, y2 = y_of[flow.source.slug], y_of[flow.target.slug]
        middle = (x1 + x2) // 2
        width = max(DIAGRAM["min_stroke"], round(DIAGRAM["max_stroke"] * flow.count / highest))
        paths.append(DiagramPath(flow.source.name, flow.target.name, flow.count,
                                 f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2},{y2}", width))
    given = {region.slug: 0 for region in refdata.REGIONS}
    received = dict(given)
    for flow in crossing:
        given[flow.source.slug] += flow.count
        received[flow.target.slug] += flow.count
    return {
        "size": DIAGRAM,
        "height": top + len(refdata.REGIONS) * row,
        "sources": [DiagramNode(region.name, y_of[region.slug], given[region.slug]) for region in refdata.REGIONS],
        "targets": [DiagramNode(region.name, y_of[region.slug], received[region.slug])
                    for region in refdata.REGIONS],
        # Thick paths first, so thin ones stay visible on top.
        "paths": sorted(paths, key=lambda path: -path.width),
        "flows": crossing,
    }


def impact_section() -> Markup | None:
    """On /impact: a table and a diagram of which regions helped which, drawn on the server."""
    flows = services.region_flows()
    if not flows:
        return None
    return render_section("referrals/_impact_section.html", diagram=flow_diagram(flows))


TOOL_LINKS = (
    ToolLink("referrals.index", _l("Referrals"), is_staff_or_admin, order=30),
    ToolLink("referrals.triage", _l("Consultations"), is_admin, order=80),
)
MENU = (
    MenuItem("consultations.new", _l("Ask for help"), order=60),
    MenuItem("referrals.index", listed=False),
)
HOME_ACTION = Link("consultations.new", _l("Ask us about a people problem"), order=20)
