"""HTTP that helps clients: validators (ETag → 304), compression, and static files cached for a year.

Order matters, and is set here: the page cache keeps a page (uncompressed, with its
ETag) first, then a client holding that ETag gets `304 Not Modified`, then the body
is compressed for the client that accepts it (Flask-Compress: brotli, gzip…; behind
nginx the proxy compresses instead, see deploy/nginx). Static files are linked with
a hash of their content in the URL (`static_url`), so they can be cached for a year
and a changed file is fetched at once.
"""

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, Response, request, url_for
from flask_compress import Compress

from core.pagecache import CACHED_MIMETYPES

compress = Compress()
#: how long a browser or proxy keeps a static file whose URL carries its content hash
STATIC_MAX_AGE = 365 * 24 * 3600
STATIC_FOLDER = Path(__file__).resolve().parent / "static"


@cache
def _content_hash(filename: str) -> str:
    return hashlib.sha256((STATIC_FOLDER / filename).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """The URL of a file of core/static with its content hash (`?v=`), cacheable for a year."""
    return url_for("core.static", filename=filename, v=_content_hash(filename))


def _validators(response: Response) -> Response:
    """An ETag on every page and API answer; a client that already has it gets 304."""
    if (request.method in ("GET", "HEAD") and response.status_code == 200 and not response.direct_passthrough
            and response.mimetype in CACHED_MIMETYPES):
        if response.get_etag()[0] is None:
            response.add_etag()
        response.make_conditional(request)
    return response


def _long_lived_static(response: Response) -> Response:
    filename = (request.view_args or {}).get("filename", "")
    if request.endpoint == "core.static" and response.status_code in (200, 304) and filename \
            and request.args.get("v") == _content_hash(filename):
        response.cache_control.public = True
        response.cache_control.max_age = STATIC_MAX_AGE
        response.cache_control.immutable = True
    return response


def init_app(app: Flask) -> None:
    """Call after core.pagecache: these run after it (after-request functions run last-registered first)."""
    app.config.setdefault("COMPRESS_REGISTER", False)
    # What browsers and nginx speak; zstd is left out (few clients decode it yet).
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "application/json", "application/atom+xml",
                                                 "text/calendar", "text/csv", "image/svg+xml", "text/plain"])
    compress.init_app(app)
    front = app.after_request_funcs.setdefault(None, [])
    front.insert(0, _validators)
    if app.config.get("COMPRESS_RESPONSES", True):
        front.insert(0, compress.after_request)
    app.after_request(_long_lived_static)
    app.jinja_env.globals["static_url"] = static_url
