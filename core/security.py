"""HTTP security baseline: CSRF, rate limits, cookies, response headers, and the reverse proxy."""

import hashlib
from datetime import UTC, datetime, timedelta

from flask import Flask, abort, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_proxy(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto/-Host from exactly TRUSTED_PROXIES reverse proxies.

    With the default 0 a client's own X-Forwarded-For is ignored (it could name anyone);
    behind nginx it is 1, so rate limits and the audit log see the visitor's address and
    `https` at the proxy makes the cookies Secure.
    """
    app.wsgi_app = SecureCookiesOverHttps(app.wsgi_app)
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


class SecureCookiesOverHttps:
    """Over HTTPS every cookie is Secure (session, language, remember-me), whatever SITE_URL says.

    A WSGI wrapper, because Flask sets the session cookie after the last after-request
    function; inside ProxyFix, so `https` at the proxy counts.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start_response(status, headers, exc_info=None):
            headers = [(name, value + "; Secure" if name.lower() == "set-cookie" and "; secure" not in value.lower()
                        else value) for name, value in headers]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, secure_start_response)


class SignedCookieSession(SecureCookieSession):
    #: when the cookie the browser sent was signed (None: no cookie, or a new session)
    signed_at: datetime | None = None


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, sent again to slide a permanent session's expiry once a day rather than with
    every response: signing it anew was a tenth of a member's warm page, to move the expiry by seconds."""

    session_class = SignedCookieSession
    #: a permanent session's cookie is signed and sent again when it is older than this
    REFRESH_AFTER = timedelta(days=1)

    def open_session(self, app: Flask, request) -> SignedCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(value, max_age=int(app.permanent_session_lifetime.total_seconds()),
                                               return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session: SignedCookieSession) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        return session.signed_at is None or datetime.now(UTC) - session.signed_at > self.REFRESH_AFTER


def _refuse_nul_bytes() -> None:
    """A NUL byte is never typed by a person, and PostgreSQL cannot store one in text: 400."""
    values = [*request.args.values(), *(request.form.values() if request.method == "POST" else ())]
    if any("\x00" in value for value in values):
        abort(400)


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookies()
    app.before_request(_refuse_nul_bytes)
    csrf.init_app(app)
    limiter.init_app(app)

    @app.after_request
    def _security_headers(response):
        for name, value in security_headers(app, request.is_secure):
            response.headers.setdefault(name, value)
        return response


_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_OVER_HTTPS = (*_HEADERS, ("Strict-Transport-Security", "max-age=31536000"))


def security_headers(app: Flask, secure_request: bool) -> tuple[tuple[str, str], ...]:
    """The headers every response carries (a page the cache answers before Flask too, core.pagecache)."""
    return _OVER_HTTPS if secure_request or app.config.get("SESSION_COOKIE_SECURE") else _HEADERS


def secret_digest(secret: str) -> str:
    """What the database keeps of a secret token (sessions, API tokens, mailed links, invitations): its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()
