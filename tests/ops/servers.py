"""The production servers for the operations tests: gunicorn as `gunicorn.conf.py` configures it, on loopback."""

import http.cookiejar
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT
from tests.smtp import free_port

GUNICORN_CONFIG = ROOT / "gunicorn.conf.py"


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


def fetch(url: str, *, data: dict | None = None, headers: dict | None = None, opener=None,
          method: str | None = None) -> Answer:
    """One request on a new connection (urllib opens one per request); errors are answers too."""
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=10) as response:  # our own server
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read())


def browser():
    """An opener that keeps cookies (a person's browser) and does not follow redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)


@dataclass
class Gunicorn:
    url: str
    log: Path


@contextmanager
def gunicorn(environment: dict, log: Path, *, workers: int = 1):
    """gunicorn with gunicorn.conf.py on a free loopback port, `workers` sync workers, until the block ends."""
    port = free_port()
    env = dict(os.environ, WEB_CONCURRENCY=str(workers), GUNICORN_BIND=f"127.0.0.1:{port}", **environment)
    if "REDIS_URL" not in environment:
        env.pop("REDIS_URL", None)  # "without Redis" means without it, whatever the shell has
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "--config", str(GUNICORN_CONFIG), "app:create_app()"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(f"{url}/healthz").status == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s:\n" + log.read_text()
            time.sleep(0.2)
        yield Gunicorn(url, log)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
