"""Locale selection (Japanese first, `?lang=` or the language switch sets a cookie) and formatting."""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import lru_cache
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from flask import Flask, before_render_template, g, has_request_context, request, template_rendered
from flask_babel import Babel, get_locale, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

LANGUAGES = ("ja", "en")
DEFAULT_LOCALE = "ja"
TIMEZONE = "Asia/Tokyo"
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600

#: date patterns per language: 2026年11月21日(土) 14:00 / Sat, 21 Nov 2026 14:00
DATETIME_PATTERNS = {"ja": "y年M月d日(E) H:mm", "en": "EEE, d MMM y H:mm"}
DATE_PATTERNS = {"ja": "y年M月d日(E)", "en": "EEE, d MMM y"}
TIME_PATTERN = "H:mm"
LOCAL_ZONE = ZoneInfo(TIMEZONE)
#: Babel's locale objects by language (parsing one per date would cost more than the date)
_LOCALES = {language: Locale.parse(language) for language in LANGUAGES}

babel = Babel()

#: (translations, language) of the templates being rendered, innermost last (see _bind_translations)
_rendering: ContextVar[tuple] = ContextVar("rendering_translations", default=())


def _bind_translations(_app, template, context, **_extra) -> None:
    """Look the translations and language up once per render_template, not once per string or name (a page
    has hundreds: each lookup walks Flask's context locals). A mail rendered under force_locale gets its own,
    then the page's are restored."""
    locale = get_locale()
    _rendering.set((*_rendering.get(), (get_translations(), locale.language if locale else DEFAULT_LOCALE)))


def _unbind_translations(_app, template, context, **_extra) -> None:
    _rendering.set(_rendering.get()[:-1])


@contextmanager
def translations_bound() -> Iterator[None]:
    """As inside render_template: for a template's macro called from Python (once per row)."""
    _bind_translations(None, None, None)
    try:
        yield
    finally:
        _unbind_translations(None, None, None)


def _translations():
    rendering = _rendering.get()
    return rendering[-1][0] if rendering else get_translations()


@pass_eval_context
def _template_gettext(eval_context, string: str, /, **variables) -> str:
    """Jinja's newstyle gettext (autoescaped, always a %-format: "100%%" is "100%") in one call."""
    translated = _translations().ugettext(string)
    if eval_context.autoescape:
        translated = Markup(translated)  # noqa: S704  # nosec B704 - a catalogue's string, as Jinja's own does
    return translated % variables


def select_locale() -> str:
    if not has_request_context():  # the CLI (mail jobs) chooses the recipient's locale with force_locale
        return DEFAULT_LOCALE
    requested = request.args.get("lang")
    if requested in LANGUAGES:
        g.lang_to_remember = requested
        return requested
    return remembered_language(request.cookies)


def remembered_language(cookies: Mapping[str, str]) -> str:
    """The language the cookie remembers, or the default (a page the cache answers before Flask reads it too)."""
    remembered = cookies.get(LANG_COOKIE)
    return remembered if remembered in LANGUAGES else DEFAULT_LOCALE


def current_language() -> str:
    rendering = _rendering.get()
    if rendering:
        return rendering[-1][1]
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LOCALE


def _pattern(patterns: dict[str, str]) -> str:
    return patterns.get(current_language(), patterns[DEFAULT_LOCALE])


def gettext(string: str, **variables) -> str:
    """Flask-Babel's gettext, from the translations bound to the template being rendered when there is one
    (for helpers a template calls once per row)."""
    translated = _translations().ugettext(string)
    return translated % variables if variables else translated


def label_table(labels: Mapping[str, object], default: str | None = None) -> Callable[[str | None], str]:
    """slug → its label in the page's language, each label translated once per language and process (a list
    page asks for one per row; translations do not change while the process runs). An unknown slug gives
    `default`, or the slug itself."""
    tables: dict[str, dict[str, str]] = {}

    def label(slug: str | None) -> str:
        language = current_language()
        table = tables.get(language)
        if table is None:
            table = tables[language] = {key: str(value) for key, value in labels.items()}
        found = table.get(slug or "")
        if found is not None:
            return found
        return (slug or "") if default is None else default

    return label


def _format(value: datetime | date, pattern: str) -> str:
    """Babel's formatting in Asia/Tokyo for the page's language, without Flask-Babel's per-call look-ups."""
    return _formatted(value, pattern, current_language())


@lru_cache(maxsize=8192)
def _formatted(value: datetime | date, pattern: str, language: str) -> str:
    # Lists show the same events' times request after request: Babel formats each once per language.
    locale = _LOCALES.get(language, _LOCALES[DEFAULT_LOCALE])
    if isinstance(value, datetime):
        if value.tzinfo is None:  # stored as UTC
            value = value.replace(tzinfo=UTC)
        return babel_dates.format_datetime(value, pattern, tzinfo=LOCAL_ZONE, locale=locale)
    return babel_dates.format_date(value, pattern, locale=locale)


def format_local_datetime(value: datetime | None) -> str:
    """A UTC datetime shown in Asia/Tokyo: 2026年11月21日(土) 14:00."""
    return _format(value, _pattern(DATETIME_PATTERNS)) if value else ""


def format_local_date(value: date | datetime | None) -> str:
    """A date (or the Tokyo date of a datetime): 2026年11月21日(土)."""
    return _format(value, _pattern(DATE_PATTERNS)) if value is not None else ""


def format_local_time(value: datetime | None) -> str:
    return _format(value, TIME_PATTERN) if value else ""


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
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: _translations().ugettext(string),
        ngettext=lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: _translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: _translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
    # `_()` and `gettext()` straight to the bound translations: Jinja's newstyle pair is three nested
    # context calls per string (an alias resolving `gettext`, which calls the function); the result is the same.
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext)
    before_render_template.connect(_bind_translations, app)
    template_rendered.connect(_unbind_translations, app)

    @app.before_request
    def _no_translations_bound():
        # A render that raised left its entry behind: every request starts clean …
        _rendering.set(())

    @app.teardown_appcontext
    def _forget_bound_translations(_exc):
        # … and so does every CLI job's next app context (mail is rendered there in many languages).
        _rendering.set(())
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
