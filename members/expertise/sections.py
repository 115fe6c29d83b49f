"""What the expertise profile adds to /members/me (registered on core.hooks)."""

from flask import render_template
from markupsafe import Markup

from members.expertise import services


def member_section(member) -> Markup:
    """On /members/me: my expertise profile, or the invitation to write one."""
    # Rendered by Jinja with autoescaping: safe to insert as it is.
    return Markup(render_template("expertise/_member_section.html", profile=services.profile_of(member)))  # noqa: S704  # nosec B704
