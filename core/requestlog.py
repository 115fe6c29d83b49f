"""Structured logs: one JSON line per request, and every application log line in JSON with its request id.

The id comes from the `X-Request-ID` header when a proxy set a sane one, otherwise
it is generated; it is sent back in the response's `X-Request-ID` header so a
user's report, the proxy's log and this log can be matched. The query string is
left out of the log: it may carry search words or tokens.

The standard library's logging with one formatter does it: structlog would bring
processors and bound loggers this app has no use for.
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

LOGGER_NAME = "ranhub.request"
REQUEST_ID_HEADER = "X-Request-ID"
#: what we accept from outside as a request id (anything else is replaced)
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=-]{1,128}")

logger = logging.getLogger(LOGGER_NAME)


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time of the record (test runners swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


class JsonFormatter(logging.Formatter):
    """An application log record as one JSON object: time, level, logger, message, request id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id() if has_request_context() else None,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_application_logs(level: int = logging.INFO) -> None:
    """Application logs (the root logger) in JSON on standard error; set up once per process."""
    root = logging.getLogger()
    if any(isinstance(handler.formatter, JsonFormatter) for handler in root.handlers):
        return
    handler = _CurrentStderrHandler()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)


def _configure_logger() -> None:
    """One JSON object per line, without the prefix of the root format; set up once per process."""
    if any(isinstance(handler, _CurrentStderrHandler) for handler in logger.handlers):
        return
    handler = _CurrentStderrHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def incoming_request_id(given: str | None = None) -> str:
    """The proxy's request id (`given`, or the current request's header) when it is well-formed, a fresh one
    otherwise."""
    if given is None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
    if _VALID_REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def log_request(method: str, path: str, status: int, duration_ms: float | None, identifier: str) -> None:
    """The request's line in the log (a page the cache answers before Flask writes one too, core.pagecache)."""
    logger.info(json.dumps({
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": duration_ms,
        "request_id": identifier,
    }, ensure_ascii=False))


def request_id() -> str | None:
    """The id of the current request (None outside a request)."""
    return g.get("request_id")


def init_app(app: Flask) -> None:
    configure_application_logs()
    _configure_logger()

    @app.before_request
    def _start_clock():
        g.request_started = time.perf_counter()
        g.request_id = incoming_request_id()

    @app.after_request
    def _log_request(response):
        # A request refused before before_request ran (e.g. 413 while reading) still gets an id.
        identifier = g.get("request_id") or incoming_request_id()
        started = g.get("request_started")
        duration_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
        response.headers[REQUEST_ID_HEADER] = identifier
        log_request(request.method, request.path, response.status_code, duration_ms, identifier)
        return response
