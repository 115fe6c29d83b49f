"""What members adds to pages it does not own, through core.hooks."""

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.hooks import Link, render_section

JOIN_WAY = Link(
    "members.signup", _l("Become a RAN member"), order=20, title=_l("RAN member (individuals)"),
    text=_l("Anyone who cares about people and work in a region. RAN members join the Slack group, seminars and "
            "consultation sessions, and read members-only knowhow. Membership is free."),
)


def account_tools() -> Markup:
    """The header's links: log in and join for a visitor, my page and log out for a member."""
    return render_section("members/_account_tools.html")
