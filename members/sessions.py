"""What /members/me/sessions shows about a logged-in browser: its device, network and last visit."""

import ipaddress
import logging
import re
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, g, request
from flask_babel import lazy_gettext as _l

from core.db import db, utcnow
from members.models import LoginSession

log = logging.getLogger(__name__)

#: the last visit is written at most this often per browser (not on every request)
TOUCH_EVERY = timedelta(minutes=5)

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device(user_agent: str) -> str:
    """"Chrome on Windows" from a User-Agent header (enough to recognise one's own browsers)."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser and system:
        return str(_l("%(browser)s on %(system)s", browser=browser, system=system))
    return browser or system or (re.split(r"[\s/]", user_agent.strip(), maxsplit=1)[0] if user_agent.strip()
                                 else str(_l("Unknown browser")))


def ip_prefix(address: str | None) -> str:
    """The network, not the address: 203.0.113.x for IPv4, the /48 for IPv6."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return ""
    if ip.version == 4:
        return ".".join(str(ip).split(".")[:3]) + ".x"
    return str(ipaddress.ip_network(f"{ip}/48", strict=False))


def seen_now() -> dict:
    """The columns a login session gets at login and on a later visit."""
    return {"last_seen_at": utcnow(), "ip_prefix": ip_prefix(request.remote_addr)}


def note_visit(login_session_id: int, last_seen_at) -> bool:
    """Called by the user loader: remember to record this visit if the last one is old (and say so)."""
    if last_seen_at is None or utcnow() - last_seen_at > TOUCH_EVERY:
        g.touch_login_session = login_session_id
        return True
    return False


def _touch(response):
    session_id = g.pop("touch_login_session", None)
    if session_id is None or response.status_code >= 500:
        return response
    try:
        # After the page is built: end its transaction (what a view did not commit is not kept
        # anyway), then write in a short one of its own.
        db.session.rollback()
        # Shown only on the member's own sessions page, which no cache keeps: the site's pages stay cached.
        db.session.execute(sa.update(LoginSession).where(LoginSession.id == session_id).values(**seen_now())
                           .execution_options(affects_pages=False))
        db.session.commit()
    except sa.exc.OperationalError:  # a busy SQLite database: the next visit records it
        db.session.rollback()
        log.info("login session %s: last visit not recorded (database busy)", session_id)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_touch)
