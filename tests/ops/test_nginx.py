"""deploy/nginx/ranhub.conf in front of gunicorn, as README.md's production section sets them up.

Debian's nginx (installed by `make test`, like Chromium) runs the shipped site
config — only the lines marked ADAPT changed, to loopback ports and a self-signed
certificate — with the Brotli snippet included, in front of gunicorn with two
workers, TRUSTED_PROXIES=1 and no Redis. Visitors are told apart by their source
address: 127.0.0.2 and 127.0.0.3 are loopback addresses of their own on Linux.
"""

import gzip
import http.client
import os
import re
import shutil
import signal
import ssl
import subprocess
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import MAX_UPLOAD_BYTES, MIGRATIONS_DIR, create_app
from core.audit import AuditEntry
from core.db import db
from tests.conftest import CHEAP_HASH, ROOT, seed_demo
from tests.ops.servers import gunicorn
from tests.referrals.test_consultations import VALID as CONSULTATION
from tests.smtp import free_port

NGINX = Path("/usr/sbin/nginx")
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
SITE_CONFIG = ROOT / "deploy" / "nginx" / "ranhub.conf"
BROTLI_SNIPPET = ROOT / "deploy" / "nginx" / "ranhub-brotli.conf"

pytestmark = [
    pytest.mark.one_engine,
    pytest.mark.commits,
    pytest.mark.skipif(not NGINX.exists() or shutil.which("openssl") is None,
                       reason="nginx and openssl are installed by `make test` (make system-deps)"),
]


@dataclass
class Proxy:
    https_port: int
    http_port: int
    database_url: str


def _render_site_config(*, upstream: str, http_port: int, https_port: int, certificate: Path, key: Path) -> str:
    """The shipped config with its ADAPT lines pointed at this test; each must be found exactly as shipped."""
    text = SITE_CONFIG.read_text()
    replacements = [
        ("server 127.0.0.1:8000;", f"server {upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("/etc/letsencrypt/live/ran-hub.jp/fullchain.pem", str(certificate)),
        ("/etc/letsencrypt/live/ran-hub.jp/privkey.pem", str(key)),
        ("alias /srv/ranhub/core/static/;", f"alias {ROOT / 'core' / 'static'}/;"),
        ("# include /etc/nginx/snippets/ranhub-brotli.conf;", f"include {BROTLI_SNIPPET};"),
    ]
    for shipped, here in replacements:
        assert shipped in text, f"deploy/nginx/ranhub.conf no longer has {shipped!r}: update this test with it"
        text = text.replace(shipped, here)
    return text


def _main_config(folder: Path, site: str) -> str:
    """What /etc/nginx/nginx.conf gives a site, in a folder of the test's own (any user may run it)."""
    user = "user root;" if os.geteuid() == 0 else ""  # workers read the checkout's static files
    return f"""
{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
load_module {BROTLI_MODULE};
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{site}
}}
"""


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(certificate)], check=True, capture_output=True)
    return certificate, key


@contextmanager
def _nginx(config: Path, log: Path):
    test = subprocess.run([str(NGINX), "-t", "-c", str(config)], capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    with log.open("w") as output:
        server = subprocess.Popen([str(NGINX), "-c", str(config)], stdout=output, stderr=subprocess.STDOUT)
    try:
        yield server
    finally:
        server.send_signal(signal.SIGQUIT)
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nginx")
    instance = folder / "instance"
    environment = {"DATABASE_URL": f"sqlite:///{instance / 'ranhub.sqlite3'}", "INSTANCE_PATH": str(instance),
                   "SECRET_KEY": "nginx-test-key", "SITE_URL": "http://localhost", "RATELIMIT_ENABLED": "1",
                   "TRUSTED_PROXIES": "1", "COMPRESS_RESPONSES": "0", "PAGE_CACHE_SECONDS": "30"}
    application = create_app({**environment, "PASSWORD_HASH_PARAMS": CHEAP_HASH})
    with application.app_context():
        upgrade(directory=MIGRATIONS_DIR)
    seed_demo(application)
    with application.app_context():
        db.engine.dispose()

    with gunicorn(environment, folder / "gunicorn.log", workers=2) as app_server:
        certificate, key = _self_signed_certificate(folder)
        http_port, https_port = free_port(), free_port()
        site = _render_site_config(upstream=app_server.url.removeprefix("http://"), http_port=http_port,
                                   https_port=https_port, certificate=certificate, key=key)
        config = folder / "nginx.conf"
        config.write_text(_main_config(folder, site))
        with _nginx(config, folder / "nginx.log"):
            _wait_for(https_port)
            yield Proxy(https_port, http_port, environment["DATABASE_URL"])


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            Visitor("127.0.0.1", port).get("/healthz")
            return
        except OSError:
            assert time.monotonic() < deadline, "nginx did not answer within 20 s"
            time.sleep(0.1)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Visitor:
    """A browser at one source address: keeps its cookies, follows no redirects, trusts our certificate."""
    address: str
    port: int
    https: bool = True
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None) -> Response:
        if self.https:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate  # nosec B501
            connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=10, context=context,
                                                     source_address=(self.address, 0))
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10,
                                                    source_address=(self.address, 0))
        sent = {"Host": "localhost", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";")[0].partition("=")
            self.cookies[name] = value
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, data: dict, *, headers: dict | None = None) -> Response:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path).text).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}, doseq=True).encode()
        # A browser names the page in Referer, which Flask-WTF requires over https.
        return self.request("POST", path, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"https://localhost{path}",
            **(headers or {})})


def test_plain_http_is_sent_to_https(proxy):
    answer = Visitor("127.0.0.2", proxy.http_port, https=False).get("/events?page=2")
    assert answer.status == 301
    assert answer.headers["Location"] == "https://localhost/events?page=2"


def test_one_visitor_reaching_the_login_limit_leaves_the_others_alone(proxy):
    attacker, neighbour = Visitor("127.0.0.2", proxy.https_port), Visitor("127.0.0.3", proxy.https_port)
    wrong = {"email": "nobody@example.jp", "password": "not-the-password"}
    statuses = [attacker.post_form("/members/login", wrong).status for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    # Naming another address in X-Forwarded-For does not help: nginx appends the real one,
    # and the app believes one proxy only.
    spoofed = attacker.post_form("/members/login", wrong, headers={"X-Forwarded-For": "203.0.113.9"})
    assert spoofed.status == 429
    assert neighbour.post_form("/members/login", wrong).status == 200


def test_the_audit_log_holds_the_visitors_own_address(proxy):
    visitor = Visitor("127.0.0.3", proxy.https_port)
    answer = visitor.post_form("/consult", {**CONSULTATION, "email": "nginx-audit@example.jp"},
                               headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.status == 302, answer.text
    engine = sa.create_engine(proxy.database_url)
    with engine.connect() as connection:
        addresses = connection.scalars(sa.select(AuditEntry.ip_address)
                                       .where(AuditEntry.action == "consultation.create")).all()
    engine.dispose()
    assert addresses == ["127.0.0.3"]


def test_cookies_are_secure_over_https(proxy):
    # SITE_URL is http:// here: only the proxy's X-Forwarded-Proto tells the app the visit is https.
    answer = Visitor("127.0.0.2", proxy.https_port).get("/members/login")
    cookies = answer.headers.get_all("Set-Cookie")
    assert cookies and all("Secure" in cookie and "HttpOnly" in cookie for cookie in cookies)
    assert answer.headers["X-Request-ID"]  # the app answered through the proxy (its request id)


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_pages_are_compressed_for_clients_that_accept_it(proxy, encoding):
    visitor = Visitor("127.0.0.2", proxy.https_port)
    plain = visitor.get("/", headers={"Accept-Encoding": "identity"})
    packed = visitor.get("/", headers={"Accept-Encoding": encoding})
    assert plain.status == packed.status == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.body) < len(plain.body) / 3
    if encoding == "gzip":
        assert gzip.decompress(packed.body) == plain.body


def test_static_files_come_from_nginx_with_a_years_cache(proxy):
    visitor = Visitor("127.0.0.2", proxy.https_port)
    page = visitor.get("/").text
    stylesheet = re.search(r'href="(/static/core/[^"]+\.css\?v=[0-9a-f]+)"', page).group(1)
    answer = visitor.get(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert answer.status == 200
    assert "immutable" in answer.headers["Cache-Control"] and "max-age=31536000" in answer.headers["Cache-Control"]
    assert answer.headers["Content-Encoding"] == "gzip"
    assert "X-Request-ID" not in answer.headers  # nginx served it, no worker was asked


def test_bodies_over_the_apps_limit_stop_at_the_proxy(proxy):
    visitor = Visitor("127.0.0.2", proxy.https_port)
    answer = visitor.request("POST", "/consult", body=b"x" * (MAX_UPLOAD_BYTES + 1),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 413
    assert "X-Request-ID" not in answer.headers
