"""What the expertise profile adds to /members/me (registered on core.hooks)."""

from markupsafe import Markup

from core.hooks import render_section
from members.expertise import services


def member_section(member) -> Markup:
    """On /members/me: my expertise profile, or the invitation to write one."""
    # Rendered by Jinja with autoescaping: safe to insert as it is.
    return render_section("expertise/_member_section.html", profile=services.profile_of(member))
