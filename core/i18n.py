"""Locale selection (Japanese first, `?lang=` or the language switch sets a cookie) and formatting."""

from datetime import date, datetime
from urllib.parse import urlencode

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, format_date, format_datetime, get_locale

LANGUAGES = ("ja", "en")
DEFAULT_LOCALE = "ja"
TIMEZONE = "Asia/Tokyo"
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600

#: date patterns per language: 2026年11月21日(土) 14:00 / Sat, 21 Nov 2026 14:00
DATETIME_PATTERNS = {"ja": "y年M月d日(E) H:mm", "en": "EEE, d MMM y H:mm"}
DATE_PATTERNS = {"ja": "y年M月d日(E)", "en": "EEE, d MMM y"}
TIME_PATTERN = "H:mm"

babel = Babel()


def select_locale() -> str:
    if not has_request_context():  # the CLI (mail jobs) chooses the recipient's locale with force_locale
        return DEFAULT_LOCALE
    requested = request.args.get("lang")
    if requested in LANGUAGES:
        g.lang_to_remember = requested
        return requested
    remembered = request.cookies.get(LANG_COOKIE)
    return remembered if remembered in LANGUAGES else DEFAULT_LOCALE


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LOCALE


def _pattern(patterns: dict[str, str]) -> str:
    return patterns.get(current_language(), patterns[DEFAULT_LOCALE])


def format_local_datetime(value: datetime | None) -> str:
    """A UTC datetime shown in Asia/Tokyo: 2026年11月21日(土) 14:00."""
    return format_datetime(value, _pattern(DATETIME_PATTERNS)) if value else ""


def format_local_date(value: date | datetime | None) -> str:
    """A date (or the Tokyo date of a datetime): 2026年11月21日(土)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, _pattern(DATE_PATTERNS))
    return format_date(value, _pattern(DATE_PATTERNS))


def format_local_time(value: datetime | None) -> str:
    return format_datetime(value, TIME_PATTERN) if value else ""


def url_with_lang(language: str) -> str:
    """The current URL with `lang` set, keeping the other query arguments."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", language))
    return f"{request.path}?{urlencode(args)}"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", TIMEZONE)
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(app.root_path.rstrip("/") + "/translations")
    )
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        datetime=format_local_datetime, date=format_local_date, time=format_local_time
    )
    app.jinja_env.globals.update(
        current_language=current_language, url_with_lang=url_with_lang, LANGUAGES=LANGUAGES
    )

    @app.after_request
    def _remember_language(response):
        language = g.pop("lang_to_remember", None)
        if language:
            response.set_cookie(
                LANG_COOKIE, language, max_age=LANG_COOKIE_MAX_AGE, samesite="Lax",
                httponly=True, secure=app.config.get("SESSION_COOKIE_SECURE", False),
            )
        return response
