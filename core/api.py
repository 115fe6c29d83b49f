"""Shared pieces of the JSON API under /api/v1: errors, lists, bearer auth, OpenAPI.

Each blueprint keeps its endpoints in its own `api.py` (a Blueprint with
url_prefix "/api/v1") and adds its paths to the OpenAPI document with
`add_openapi(app, paths=..., schemas=...)` at `init_app`.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from core import refdata
from core.security import csrf

API_PREFIX = "/api/v1"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000
_TOKEN_LOADER = "ranhub.api_token_loader"  # noqa: S105 # nosec B105 # an extension key name, not a secret
_OPENAPI = "ranhub.openapi"

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


def page_limit() -> int:
    """The `limit` argument, 1..100 (422 otherwise)."""
    raw = request.args.get("limit", "")
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(422, _("limit must be a whole number from 1 to %(max)d.", max=MAX_LIMIT))
    return int(raw)


def page_offset() -> int:
    """The `offset` argument, 0..MAX_OFFSET (422 otherwise: the database could not take more)."""
    raw = request.args.get("offset", "0")
    if not raw.isdigit() or int(raw) > MAX_OFFSET:
        raise ApiError(422, _("offset must be a whole number from 0 to %(max)d.", max=MAX_OFFSET))
    return int(raw)


def list_response(items: list[dict], *, has_more: bool, offset: int, limit: int):
    """The list shape of the API: {"items": [...], "next": url or null}."""
    next_url = None
    if has_more:
        args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("offset", "limit")]
        args += [("limit", str(limit)), ("offset", str(offset + limit))]
        next_url = f"{request.base_url}?{urlencode(args)}"
    return jsonify(items=items, next=next_url)


def set_token_loader(app: Flask, loader: Callable[[str], Any]) -> None:
    """`members` registers how a bearer token becomes a member (or None)."""
    app.extensions[_TOKEN_LOADER] = loader


def bearer_member():
    """The member of a valid `Authorization: Bearer` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    loader = current_app.extensions.get(_TOKEN_LOADER)
    return loader(token.strip()) if loader else None


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


def add_openapi(app: Flask, paths: dict | None = None, schemas: dict | None = None) -> None:
    document = app.extensions.setdefault(_OPENAPI, {"paths": {}, "schemas": {}})
    document["paths"].update(paths or {})
    document["schemas"].update(schemas or {})


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

LIMIT_PARAMETERS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}},
]


def error_responses(*statuses: int) -> dict:
    return {
        str(status): {"description": ERROR_CODES.get(status, "error"), **json_content({"$ref": "#/components/schemas/Error"})}
        for status in statuses
    }


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of every registered endpoint."""
    document = current_app.extensions.get(_OPENAPI, {"paths": {}, "schemas": {}})
    return jsonify(
        openapi="3.1.0",
        info={"title": "RAN hub API", "version": "1.0.0"},
        servers=[{"url": API_PREFIX}],
        paths=dict(sorted(document["paths"].items())),
        components={
            "schemas": {"Error": ERROR_SCHEMA, **document["schemas"]},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    )


@bp.get("/themes")
def themes():
    """The themes of expertise."""
    items = [{"slug": t.slug, "name_ja": t.name_ja, "name_en": t.name_en} for t in refdata.THEMES]
    return jsonify(items=items, next=None)


@bp.get("/prefectures")
def prefectures():
    """The 47 prefectures with their regions."""
    items = [
        {
            "code": p.code,
            "name_ja": p.name_ja,
            "name_en": p.name_en,
            "region": p.region,
        }
        for p in refdata.PREFECTURES
    ]
    return jsonify(items=items, next=None)


REFDATA_OPENAPI = {
    "/themes": {
        "get": {
            "summary": "Themes of expertise",
            "responses": {"200": {"description": "themes", **json_content(list_of("Theme"))}},
        }
    },
    "/prefectures": {
        "get": {
            "summary": "Prefectures",
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

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError):
        return error_response(error.status, error.message, error.code)


def api_http_error(error: HTTPException):
    """Answer an HTTP error under /api/v1 as JSON (called by the app's error handler)."""
    return error_response(error.code or 500, error.description or "", ERROR_CODES.get(error.code or 500))


def api_url(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)
