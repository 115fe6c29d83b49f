"""What the expertise profile adds to /members/me (registered on core.hooks)."""

from markupsafe import Markup

from core import hooks
from core.hooks import render_section
from members.expertise import services


def member_section(member) -> Markup:
    """On /members/me: my expertise profile, or the invitation to write one."""
    profile = services.profile_of(member)
    pages = hooks.EXPERTISE_PROFILE_PAGES.implementations()
    public_url = pages[0](member.id) if profile is not None and pages else None
    return render_section("expertise/_member_section.html", profile=profile, public_url=public_url)
