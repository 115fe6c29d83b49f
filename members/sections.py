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
    """The header's links: log in and join for a visitor, my page and log out for a member."""
    if not current_user.is_authenticated:  # the same for every visitor
        return fragments.static_part("members.account_tools", caller=partial(render_section,
                                                                             "members/_account_tools.html"))
    # The tools menu and the link to my page are the member's own, kept until what they show is written; the
    # log-out form's token belongs to the browser's session and is rendered every time.
    menu = fragments.cached("members.account_menu", (), partial(render_section, "members/_account_menu.html"),
                            viewers=f"member:{current_user.id}")
    return render_section("members/_account_tools.html", menu=menu)
