"""Small pieces of the directory's cards written in Python: a list of 20 organisations draws them
hundreds of times, and a Jinja macro call costs more than the piece itself."""

from markupsafe import Markup

from alliance.forms import depth_label
from core import refdata
from core.i18n import current_language
from core.i18n import gettext as _

#: how many dots of three a depth fills
DEPTH_DOTS = {"experienced": 1, "strong": 2, "expert": 3}
_badges: dict[tuple[str, str], Markup] = {}


def depth_badge(depth: str) -> Markup:
    """専門 ●●● / 得意 ●●○ / 実績あり ●○○ — the dots are decoration, the word is the information."""
    key = (current_language(), depth)
    badge = _badges.get(key)
    if badge is None:
        rank = DEPTH_DOTS.get(depth, 1)
        dots = Markup("").join(Markup('<span class="{}"></span>').format("on" if i < rank else "off") for i in range(3))
        badge = _badges[key] = Markup(
            '<span class="depth depth-{}"><span class="depth-dots" aria-hidden="true">{}</span>{}</span>'
        ).format(depth, dots, depth_label(depth))
    return badge


def served_names(codes: list[str], limit: int = 6) -> str:
    """東京都・神奈川県・埼玉県 and 3 more."""
    names = "・".join(refdata.prefecture_name(code) for code in codes[:limit])
    if len(codes) > limit:
        names += " " + _("and %(count)d more", count=len(codes) - limit)
    return names
