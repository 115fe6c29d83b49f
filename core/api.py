"""Shared pieces of the JSON API under /api/v1: errors, lists, bearer auth, OpenAPI.

Each blueprint keeps its endpoints in its own `api.py` (a Blueprint with
url_prefix "/api/v1") and adds its paths to the OpenAPI document with
`add_openapi(app, paths=..., schemas=...)` at `init_app`.

The document is also the API's input contract: before any documented operation
runs, `check_query_arguments` holds the query string to the operation's
`parameters` (an unknown or repeated argument is a 400, a value outside its
schema a 422) and leaves the converted values for the view in `arg(name)`.
Parameters are built from the helpers here (`query_parameter`, the reference
data schemas, `id_parameter`), so what is documented is what is enforced.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, Flask, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin

from core import fragments, hooks, refdata
from core.db import db
from core.i18n import LANGUAGES
from core.routing import MAX_ID
from core.security import csrf

API_PREFIX = "/api/v1"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "unprocessable",
    429: "too_many_requests",
    500: "server_error",
}


class ApiError(Exception):
    """Raised by API code; answered as {"error": {"code", "message"}} with `status`."""

    def __init__(self, status: int, message: str, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code or ERROR_CODES.get(status, "error")
        self.message = message


def error_response(status: int, message: str, code: str | None = None):
    response = jsonify(error={"code": code or ERROR_CODES.get(status, "error"), "message": message})
    response.status_code = status
    return response


def is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def arg(name: str, default: Any = None) -> Any:
    """A query argument of the current operation, checked and converted as documented.

    Integers are `int`, `format: date` a `date`, `format: date-time` an aware
    `datetime` in UTC; an argument not given is `default`.
    """
    return g.get("api_args", {}).get(name, default)


def page_limit() -> int:
    """The `limit` argument, 1..100 (checked by `check_query_arguments`)."""
    return arg("limit", DEFAULT_LIMIT)


def page_offset() -> int:
    """The `offset` argument, 0..MAX_OFFSET (more than the database could take is a 422)."""
    return arg("offset", 0)


def list_response(items: list[dict], *, has_more: bool, offset: int, limit: int):
    """The list shape of the API: {"items": [...], "next": url or null}."""
    next_url = None
    if has_more:
        args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("offset", "limit")]
        args += [("limit", str(limit)), ("offset", str(offset + limit))]
        next_url = f"{request.base_url}?{urlencode(args)}"
    return jsonify(items=items, next=next_url)


def list_page(select: sa.Select, to_json: Callable[[Any], dict], *, public_as: str | None = None,
              complete: Callable[[list[dict]], list[dict]] | None = None):
    """The requested page (`limit`, `offset`) of a query's rows in the list shape {items, next}.

    A list that is the same for every caller names itself in `public_as`: its items are then kept per query
    until a table they read is written (core.fragments), as the site's public lists are; `complete` adds to
    them, on every request, what moves too often to be kept with them (an event's seats)."""
    limit, offset = page_limit(), page_offset()

    def items() -> tuple[list[dict], bool]:
        rows = db.session.scalars(select.limit(limit + 1).offset(offset)).unique().all()
        return [to_json(row) for row in rows[:limit]], len(rows) > limit

    page, has_more = items() if public_as is None else fragments.kept(
        public_as, fragments.query_arguments(), items)
    if complete is not None:
        page = complete(page)
    return list_response(page, has_more=has_more, offset=offset, limit=limit)


def list_slice(items: Sequence[dict]):
    """The requested page (`limit`, `offset`) of a list known in advance (reference data)."""
    limit, offset = page_limit(), page_offset()
    return list_response(list(items[offset:offset + limit]), has_more=len(items) > offset + limit,
                         offset=offset, limit=limit)


def bearer_member():
    """The member of a valid `Authorization: Bearer` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    loaders = hooks.API_TOKEN_LOADERS.implementations()
    return loaders[0](token.strip()) if loaders else None


def api_viewer():
    """The bearer token's member, or an anonymous visitor (401 for a bad token)."""
    if not request.headers.get("Authorization"):
        return AnonymousUserMixin()
    member = bearer_member()
    if member is None:
        raise ApiError(401, _("A valid API token is required."))
    return member


def token_required(view):
    """401 without a valid token; the member is in `g.api_member`."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        member = bearer_member()
        if member is None:
            raise ApiError(401, _("A valid API token is required."))
        g.api_member = member
        return view(*args, **kwargs)

    return wrapped


@dataclass(frozen=True)
class ApiDocument:
    """A room's part of the OpenAPI document: its operations by path, and the schemas they name."""

    paths: dict
    schemas: dict


def add_openapi(app: Flask, paths: dict | None = None, schemas: dict | None = None) -> None:
    """Add operations to the document (each also takes `COMMON_PARAMETERS` and may answer 400/422)."""
    documented = {}
    for path, item in (paths or {}).items():
        if "parameters" in item:
            raise ValueError(f"{path}: list parameters on each operation, where they are checked")
        documented[path] = {
            method: {
                **operation,
                "parameters": [*operation.get("parameters", []), *COMMON_PARAMETERS],
                "responses": {**QUERY_ERROR_RESPONSES, **operation.get("responses", {})},
            }
            for method, operation in item.items()
        }
    hooks.API_DOCUMENTS.register(app, ApiDocument(documented, dict(schemas or {})))


def list_of(ref: str) -> dict:
    """Schema of a list answer whose items are `#/components/schemas/<ref>`."""
    return {
        "type": "object",
        "required": ["items", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}},
            "next": {"type": ["string", "null"]},
        },
    }


def json_content(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}

# --- parameters: how every blueprint documents its input --------------------------------------

#: a string with something besides white space in it (what `str.strip()` would not empty), and no NUL byte
#: (every request carrying one is refused with 400: core.security)
NOT_BLANK = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
THEME_SCHEMA = {"type": "string", "enum": [theme.slug for theme in refdata.THEMES]}
PREFECTURE_SCHEMA = {"type": "string", "enum": [prefecture.code for prefecture in refdata.PREFECTURES]}
REGION_SCHEMA = {"type": "string", "enum": [region.slug for region in refdata.REGIONS]}
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
DATE_OR_DATE_TIME_SCHEMA = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}],
}


def query_parameter(name: str, schema: dict, description: str = "", *, required: bool = False) -> dict:
    parameter = {"name": name, "in": "query", "schema": schema}
    if description:
        parameter["description"] = description
    if required:
        parameter["required"] = True
    return parameter


def enum_schema(values) -> dict:
    return {"type": "string", "enum": list(values)}


def id_parameter(name: str) -> dict:
    """A database id in the path: a larger one than a key holds answers 404 like any unknown id."""
    return {"name": name, "in": "path", "required": True, "schema": ID_SCHEMA}


THEME_PARAMETER = query_parameter("theme", THEME_SCHEMA, "theme slug (GET /themes)")
PREFECTURE_PARAMETER = query_parameter("prefecture", PREFECTURE_SCHEMA,
                                       "JIS X 0401 two-digit prefecture code (GET /prefectures)")
REGION_PARAMETER = query_parameter("region", REGION_SCHEMA, "region slug (GET /prefectures)")
LIMIT_PARAMETERS = [
    query_parameter("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                    f"items per page (default {DEFAULT_LIMIT})"),
    query_parameter("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}, "items to skip"),
]
#: taken by every operation (added to each one by `add_openapi`)
COMMON_PARAMETERS = [
    query_parameter("lang", enum_schema(LANGUAGES), "language of error messages (default ja)"),
]


def error_responses(*statuses: int) -> dict:
    return {
        str(status): {"description": ERROR_CODES.get(status, "error"), **json_content({"$ref": "#/components/schemas/Error"})}
        for status in statuses
    }


#: what every operation may answer about its query string (added to each one by `add_openapi`)
QUERY_ERROR_RESPONSES = {
    "400": {"description": "an unknown query argument, or one given more than once",
            **json_content({"$ref": "#/components/schemas/Error"})},
    "422": {"description": "a query argument outside its documented schema",
            **json_content({"$ref": "#/components/schemas/Error"})},
}

# --- checking the query string against the document ------------------------------------------

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_TIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))"
)
_INTEGER = re.compile(r"-?[0-9]+")


class _Invalid(ValueError):
    """A value outside its schema; `reason` says which rule it broke (for the message)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def utc(value: datetime) -> datetime:
    """An aware datetime in UTC; one beyond the calendar's ends is held at the end (no OverflowError)."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)


def parse_date(raw: str) -> date:
    """RFC 3339 `full-date` (YYYY-MM-DD). Year 0000, which the format allows, is read as 0001-01-01."""
    match = _DATE.fullmatch(raw)
    if match is None:
        raise _Invalid("format")
    year, month, day = (int(part) for part in match.groups())
    try:
        # year 0 is a leap year of the proleptic calendar, as 2000 is
        value = date(year or 2000, month, day)
    except ValueError:
        raise _Invalid("format") from None
    return value if year else date.min


def parse_date_time(raw: str) -> datetime:
    """RFC 3339 `date-time` with its offset, in UTC. A leap second (:60) is read as :59."""
    match = _DATE_TIME.fullmatch(raw)
    if match is None:
        raise _Invalid("format")
    day = parse_date(match[1])
    hour, minute, second = int(match[2]), int(match[3]), int(match[4])
    offset_hours, offset_minutes = int(match[7] or 0), int(match[8] or 0)
    if hour > 23 or minute > 59 or second > 60 or offset_hours > 23 or offset_minutes > 59:
        raise _Invalid("format")
    offset = timedelta(hours=offset_hours, minutes=offset_minutes) * (-1 if match[6] == "-" else 1)
    micro = int((match[5] or "0")[:6].ljust(6, "0"))
    return utc(datetime(day.year, day.month, day.day, hour, minute, min(second, 59), micro, tzinfo=timezone(offset)))


_FORMATS = {"date": parse_date, "date-time": parse_date_time}


def _convert(raw: str, schema: dict) -> Any:
    """`raw` read as `schema` describes it (the subset of JSON Schema the document uses)."""
    if "anyOf" in schema:
        for alternative in schema["anyOf"]:
            try:
                return _convert(raw, alternative)
            except _Invalid:
                continue
        raise _Invalid("format")
    if schema.get("type") == "integer":
        if _INTEGER.fullmatch(raw) is None:
            raise _Invalid("integer")
        number = int(raw)
        if number < schema.get("minimum", number) or number > schema.get("maximum", number):
            raise _Invalid("integer")
        return number
    if "enum" in schema and raw not in schema["enum"]:
        raise _Invalid("enum")
    if len(raw) > schema.get("maxLength", len(raw)):
        raise _Invalid("too_long")
    if len(raw) < schema.get("minLength", 0) or ("pattern" in schema and re.search(schema["pattern"], raw) is None):
        raise _Invalid("blank" if schema.get("pattern") == NOT_BLANK else "pattern")
    if schema.get("format") in _FORMATS:
        return _FORMATS[schema["format"]](raw)
    return raw


def _invalid_message(name: str, schema: dict, reason: str) -> str:
    """What a user should send instead, in their language."""
    if reason == "format":
        formats = {alternative.get("format") for alternative in schema.get("anyOf", [schema])}
        if formats == {"date"}:
            return _("%(name)s must be a date (YYYY-MM-DD).", name=name)
        if formats == {"date-time"}:
            return _("%(name)s must be an ISO 8601 date-time with its offset.", name=name)
        return _("%(name)s must be a date (YYYY-MM-DD) or an ISO 8601 date-time.", name=name)
    if reason == "integer":
        return _("%(name)s must be a whole number from %(min)d to %(max)d.", name=name,
                 min=schema.get("minimum", 0), max=schema.get("maximum", MAX_ID))
    if reason == "enum":
        return _("Unknown value for %(name)s.", name=name)
    if reason == "too_long":
        return _("%(name)s may have at most %(max)d characters.", name=name, max=schema["maxLength"])
    if reason == "blank":
        return _("%(name)s must not be blank.", name=name)
    return _("%(name)s is not valid.", name=name)


def check_query_arguments(parameters: list[dict]) -> dict[str, Any]:
    """The query string held to `parameters`; the converted values by name.

    400 for an argument the operation does not document or one given twice,
    422 for a value outside its schema or a required argument that is missing.
    """
    documented = {p["name"]: p for p in parameters if p.get("in") == "query"}
    values: dict[str, Any] = {}
    for name, raws in request.args.lists():
        parameter = documented.get(name)
        if parameter is None:
            raise ApiError(400, _("Unknown query argument: %(name)s", name=name[:40]))
        if len(raws) > 1:
            raise ApiError(400, _("%(name)s may be given only once.", name=name))
        try:
            values[name] = _convert(raws[0], parameter["schema"])
        except _Invalid as invalid:
            raise ApiError(422, _invalid_message(name, parameter["schema"], invalid.reason)) from None
    for name, parameter in documented.items():
        if parameter.get("required") and name not in values:
            raise ApiError(422, _("%(name)s is required.", name=name))
    return values


def openapi_path(rule: str) -> str:
    """The document's path of a URL rule: /api/v1/events/<int:event_id> → /events/{event_id}."""
    path = rule.removeprefix(API_PREFIX)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)


def documented_operation() -> dict | None:
    """The operation of the document the current request was routed to (None when there is none)."""
    if request.url_rule is None or not is_api_request():
        return None
    path = openapi_path(request.url_rule.rule)
    item = next((document.paths[path] for document in hooks.API_DOCUMENTS.implementations()
                 if path in document.paths), None)
    method = "get" if request.method == "HEAD" else request.method.lower()
    return (item or {}).get(method)


def _check_documented_input() -> None:
    operation = documented_operation()
    if operation is not None:
        g.api_args = check_query_arguments(operation.get("parameters", []))


API_DESCRIPTION = (
    "Query strings are strict: an argument an operation does not list, or one given twice, is refused "
    "with 400, and a value outside its schema (enumerated reference data, RFC 3339 dates and date-times, "
    "integer bounds, lengths) with 422. Errors are {\"error\": {\"code\", \"message\"}}; `lang=en` "
    "gives the messages in English."
)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of every registered endpoint."""
    paths: dict = {}
    schemas: dict = {"Error": ERROR_SCHEMA}
    for document in hooks.API_DOCUMENTS.implementations():
        paths.update(document.paths)
        schemas.update(document.schemas)
    return jsonify(
        openapi="3.1.0",
        info={"title": "RAN hub API", "version": "1.0.0", "description": API_DESCRIPTION},
        servers=[{"url": API_PREFIX}],
        paths=dict(sorted(paths.items())),
        components={
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    )


THEME_ITEMS = tuple({"slug": t.slug, "name_ja": t.name_ja, "name_en": t.name_en} for t in refdata.THEMES)
PREFECTURE_ITEMS = tuple({"code": p.code, "name_ja": p.name_ja, "name_en": p.name_en, "region": p.region}
                         for p in refdata.PREFECTURES)


@bp.get("/themes")
def themes():
    """The themes of expertise (a list like any other: `limit`, `offset`)."""
    return list_slice(THEME_ITEMS)


@bp.get("/prefectures")
def prefectures():
    """The 47 prefectures with their regions, north to south."""
    return list_slice(PREFECTURE_ITEMS)


REFDATA_OPENAPI = {
    "/themes": {
        "get": {
            "summary": "Themes of expertise",
            "parameters": LIMIT_PARAMETERS,
            "responses": {"200": {"description": "themes", **json_content(list_of("Theme"))}},
        }
    },
    "/prefectures": {
        "get": {
            "summary": "Prefectures",
            "parameters": LIMIT_PARAMETERS,
            "responses": {"200": {"description": "prefectures", **json_content(list_of("Prefecture"))}},
        }
    },
}

REFDATA_SCHEMAS = {
    "Theme": {
        "type": "object",
        "required": ["slug", "name_ja", "name_en"],
        "properties": {k: {"type": "string"} for k in ("slug", "name_ja", "name_en")},
    },
    "Prefecture": {
        "type": "object",
        "required": ["code", "name_ja", "name_en", "region"],
        "properties": {k: {"type": "string"} for k in ("code", "name_ja", "name_en", "region")},
    },
}


def init_app(app: Flask) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)
    add_openapi(app, REFDATA_OPENAPI, REFDATA_SCHEMAS)
    app.before_request(_check_documented_input)

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError):
        return error_response(error.status, error.message, error.code)


def api_url(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)
