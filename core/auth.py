"""Login manager, role decorators and the safe `next` check.

The user loader lives in `members` (it knows the account model); this module
only holds what every blueprint needs to protect a view.
"""

from functools import wraps
from urllib.parse import urlsplit

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from werkzeug.exceptions import Forbidden

login_manager = LoginManager()
login_manager.login_view = "members.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
# The session id rotates at login and dies at logout (see members.sessions).
login_manager.session_protection = "basic"


def is_admin(user=None) -> bool:
    user = current_user if user is None else user
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_admin", False))


def admin_required(view):
    """Secretariat only; everyone else gets 404 so the page's existence does not leak."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not is_admin():
            abort(404)
        return view(*args, **kwargs)

    return wrapped


class AddressUnconfirmed(Forbidden):
    """A member whose email address is not confirmed yet tried something that needs it.

    `members` answers it with a page that says how to confirm (its error handler).
    """

    description = _l("Please confirm your email address first: open the link we mailed to you.")


def confirmed_required(view):
    """Registration, applications, referrals and publishing wait until the member's address is confirmed.

    Put it below `login_required`: a visitor is sent to log in first.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated:
            require_confirmed(current_user)
        return view(*args, **kwargs)

    return wrapped


def require_confirmed(member) -> None:
    """Raise AddressUnconfirmed for a member whose address is not confirmed (pages and the API alike)."""
    if not member.is_confirmed:
        raise AddressUnconfirmed()


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no protocol-relative `//`."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
