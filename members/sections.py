"""What members adds to pages it does not own, through core.hooks."""

from functools import partial

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from core import fragments
from core.hooks import Link, render_section

JOIN_WAY = Link(
    "members.signup", _l("Become a RAN member"), order=20, title=_l("RAN member (individuals)"),
    text=_l("Anyone who cares about people and work in a region. RAN members join the Slack group, seminars and "
            "consultation sessions, and read members-only knowhow. Membership is free."),
)


def account_tools() -> Markup:
    """The header's links: log in and join for a visitor; for a member the tools menu, my page and log out, kept
    until what they show is written (the log-out form's token goes in per response, core.fragments)."""
    render = partial(render_section, "members/_account_tools.html")
    if not current_user.is_authenticated:  # the same for every visitor
        return fragments.static_part("members.account_tools", caller=render)
    return fragments.cached("members.account_tools", (), render, viewers=f"member:{current_user.id}")
