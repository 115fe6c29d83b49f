"""Gunicorn settings for production: `gunicorn 'app:create_app()'` reads this file from the working directory.

Sync workers: every request is short (a page or an API answer, no streaming,
no websockets) and the database does the waiting; a reverse proxy (nginx,
a load balancer) buffers slow clients in front of them. Override any value
with the environment variables below or gunicorn's own command-line flags.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "sync"
#: 2 × cores + 1 is gunicorn's own rule of thumb for sync workers
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))

#: a worker silent for this long is killed and replaced (a stuck request must not hold it forever)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
#: time a worker gets to finish its requests on restart or shutdown
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
#: behind a proxy that keeps connections open to the app
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

#: load the app once in the master and fork workers from it: a worker (re)starts in
#: milliseconds instead of seconds, so recycling workers does not stall the site.
#: Code changes need a restart of the master (not just HUP) — as any deploy does.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
#: recycle workers now and then so a slow leak cannot grow without end; the jitter
#: keeps evenly loaded workers from all restarting at the same moment
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "1000"))

#: bounds on the request line and headers, against oversized requests
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

#: the proxy's address(es) whose X-Forwarded-* headers are trusted
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# The app itself writes one JSON line per request to stderr (core/requestlog.py, with
# the request id). Gunicorn's access log is off by default so each request is logged
# once; set GUNICORN_ACCESS_LOG=- (or a file) to have the proxy-level view as well, in JSON.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = (
    '{"time": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, '
    '"bytes": "%(B)s", "duration_ms": %(M)s, "request_id": "%({x-request-id}o)s"}'
)
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def post_fork(server, worker):
    """A forked worker opens database connections of its own: none may cross the fork."""
    if not server.cfg.preload_app:
        return
    application = server.app.wsgi()
    extension = getattr(application, "extensions", {}).get("sqlalchemy")
    if extension is not None:
        with application.app_context():
            for engine in extension.engines.values():
                engine.dispose(close=False)


def when_ready(server):
    """Once, in the master before the first fork: the start-up work every worker would repeat (core/warmup.py)."""
    if not server.cfg.preload_app:
        return
    from flask import Flask

    from core.warmup import warm

    application = server.app.wsgi()
    if isinstance(application, Flask):
        warm(application)
