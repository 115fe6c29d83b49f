"""Load benchmark: RAN hub under gunicorn against a minimal Flask page, driven by wrk on 127.0.0.1.

    make bench                                     # the whole matrix below (about half an hour)
    .venv/bin/python bench/run.py --engine sqlite --scale 100 --duration 5

For each database engine (SQLite, PostgreSQL) and each data size (`seed-demo
--scale 1000`: 1,000 organisations, 20,000 events, 200,000 registrations,
100,000 articles, 20,000 referrals; and `--scale 100`, ten times less):

1. creates an empty database (a temporary SQLite file, or a throw-away
   PostgreSQL database), applies the migrations and seeds it in-process;
2. serves the app with gunicorn (gunicorn.conf.py, sync workers) in five modes and
   measures each page with wrk (a warm-up second, then a bounded run): visitors with
   the page cache in Redis as in production ("cached"); visitors the page cache does
   not serve, whose pages are rendered around the kept fragments ("rendered": a
   visitor with a session cookie, and every page after a write to what it shows);
   every cache off, every part rendered from the database ("cold"); a logged-in
   member ("member"); and visitors again while another process commits five
   registrations a second ("busy": what the caches are worth on the day signups open);
3. serves the baseline (bench/baseline.py: Flask + SQLAlchemy + Jinja listing 20
   rows of the same events table) the same way, beside the app, and measures it right
   before and right after each mode's pages: the machine is shared and its speed drifts
   by a quarter within minutes, so each mode is compared with the mean of the two
   measurements that bracket it, not with one taken minutes away;
4. writes requests/s, p50, p99 and the ratio to its mode's baseline into bench/RESULTS.md,
   with the targets (ratio ≥ 0.5, p99 ≤ 100 ms) checked.

Traffic goes to 127.0.0.1 only, every run is bounded by --duration, and servers,
temporary databases and Redis keys are removed at the end whatever happens.
"""

import argparse
import logging
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess  # nosec B404 # runs wrk, gunicorn and git with argument lists, never a shell
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import redis
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402 (the project root must be importable first)
from bench.databases import POSTGRES_SERVER, throwaway_postgres  # noqa: E402
from core.db import normalise_database_url  # noqa: E402

#: the pages of the issue; {event_id} becomes an upcoming public event with registrations
DEFAULT_PATHS = ["/", "/events/", "/alliance/", "/knowhow/?q=研修", "/events/{event_id}", "/api/v1/events"]
DEFAULT_SCALES = [1000, 100]
ENGINES = ["sqlite", "postgresql"]
MODES = ["cached", "rendered", "cold", "member", "busy"]
#: the rendered mode's visitor: a session cookie (not a valid one: an empty session) passes the page cache by
VISITOR_COOKIE = "ranhub_session=visitor"
#: registrations committed per second beside the "busy" mode's requests (another worker's writes)
BUSY_WRITES_PER_SECOND = 5
TARGET_RATIO = 0.5
TARGET_P99_MS = 100.0
RESULTS = ROOT / "bench" / "RESULTS.md"
APP_TARGET = "app:create_app()"
BASELINE_TARGET = "bench.baseline:create_app()"
START_TIMEOUT_S = 60
HOST = "127.0.0.1"
#: the User-Agent of the member mode's requests: Flask-Login ties a session to its address and browser
BROWSER = "ranhub-bench"


@dataclass
class Measurement:
    """What one wrk run reports."""

    url: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str, url: str = "") -> Measurement:
    """Read requests/s, latency percentiles and errors from `wrk --latency` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"(\d+) requests in", output)
    if not (rps and p50 and p99 and total):
        raise ValueError("wrk output without requests/s or latency distribution:\n" + output)
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sockets:
        errors += sum(int(value) for value in sockets.groups())
    return Measurement(url=url, requests_per_second=float(rps.group(1)), p50_ms=_duration_ms(p50.group(1)),
                       p99_ms=_duration_ms(p99.group(1)), requests=int(total.group(1)), errors=errors)


@dataclass
class Configuration:
    """One database engine and data size, measured in every mode, and the baseline bracketing each mode."""

    engine: str
    scale: int
    pages: dict[str, list[Measurement]] = field(default_factory=dict)  # mode -> one per path
    baselines: dict[str, Measurement] = field(default_factory=dict)  # mode -> the baseline bracketing its pages
    seconds_to_seed: float = 0.0

    @property
    def title(self) -> str:
        return f"{ENGINE_NAMES.get(self.engine, self.engine)}, `seed-demo --scale {self.scale}`"


ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def bracketing(before: Measurement, after: Measurement) -> Measurement:
    """The baseline of the pages measured between `before` and `after`: the mean of the two."""
    return Measurement(url=before.url, requests_per_second=(before.requests_per_second + after.requests_per_second) / 2,
                       p50_ms=(before.p50_ms + after.p50_ms) / 2, p99_ms=(before.p99_ms + after.p99_ms) / 2,
                       requests=before.requests + after.requests, errors=before.errors + after.errors)


def ratio(page: Measurement, baseline: Measurement) -> float:
    return page.requests_per_second / baseline.requests_per_second if baseline.requests_per_second else 0.0


def misses(page: Measurement, baseline: Measurement) -> list[str]:
    """Which targets a page misses: throughput below half the baseline's, p99 over 100 ms, errors."""
    found = []
    if ratio(page, baseline) < TARGET_RATIO:
        found.append(f"{ratio(page, baseline):.2f}× the baseline")
    if page.p99_ms > TARGET_P99_MS:
        found.append(f"p99 {page.p99_ms:.0f} ms")
    if page.errors:
        found.append(f"{page.errors} errors")
    return found


def configuration_table(configuration: Configuration) -> list[str]:
    """One row per page: each mode's requests/s, p50, p99 and ratio; each mode's baseline last."""
    modes = list(configuration.pages)
    head = "| page | " + " | ".join(f"{mode}: req/s | p50 ms | p99 ms | ratio" for mode in modes) + " |"
    rule = "| --- | " + " | ".join("---: | ---: | ---: | ---:" for _ in modes) + " |"
    lines = [f"### {configuration.title}", ""]
    if configuration.seconds_to_seed:
        lines += [f"Seeded in {configuration.seconds_to_seed / 60:.1f} min.", ""]
    lines += [head, rule]
    for index, path in enumerate(m.url for m in configuration.pages[modes[0]]):
        cells = []
        for mode in modes:
            m, baseline = configuration.pages[mode][index], configuration.baselines[mode]
            mark = "" if not misses(m, baseline) else " ✗"
            cells.append(f"{m.requests_per_second:.0f} | {m.p50_ms:.1f} | {m.p99_ms:.1f} | {ratio(m, baseline):.2f}{mark}")
        lines.append(f"| `{path}` | " + " | ".join(cells) + " |")
    bases = [configuration.baselines[mode] for mode in modes]
    lines.append("| baseline: 20 rows of `events` | " + " | ".join(
        f"{base.requests_per_second:.0f} | {base.p50_ms:.1f} | {base.p99_ms:.1f} | 1.00" for base in bases) + " |")
    return lines


def results_markdown(configurations: list[Configuration], settings: dict[str, str]) -> str:
    """bench/RESULTS.md: the settings, one table per configuration, then the targets checked."""
    lines = [
        "# Load benchmark results",
        "",
        "Written by `bench/run.py` (`make bench`); each run replaces this file.",
        "",
        "| setting | value |",
        "| --- | --- |",
        *[f"| {name} | {value} |" for name, value in settings.items()],
        "",
        "*cached*: as in production, visitors' pages come from the page cache in Redis",
        "(core/pagecache.py; wrk sends no cookie, so it is a visitor). *rendered*: a visitor the page",
        "cache does not serve (wrk sends a session cookie): the page is rendered around the fragments",
        "kept until a table they read is written (core/fragments.py), as after a write to what the",
        "page itself shows. *cold*: every cache off, every part of every page rendered from the",
        "database (as after a write to every table). *member*: as in production, with a logged-in RAN member's session cookie: the page",
        "cache never serves members, so each page is rendered around the fragments kept until a",
        "table they read is written (core/fragments.py). *busy*: as *cached*, while another process registers a member for an",
        f"event and cancels again, {BUSY_WRITES_PER_SECOND} commits a second: each retires the cached pages and fragments",
        "that read the tables it wrote (core/dataversions.py). Ratio: the page's requests/s",
        "over the baseline's. ✗ marks a page below 0.5× the baseline, over 100 ms at p99, or",
        "with errors. Each mode's baseline is the mean of the baseline measured right before",
        "and right after its pages (the last row).",
        "",
    ]
    for configuration in configurations:
        lines += [*configuration_table(configuration), ""]
    lines += ["## Targets (every page ≥ 0.5× the baseline, p99 ≤ 100 ms at the connections above)", ""]
    for configuration in configurations:
        for mode, measurements in configuration.pages.items():
            baseline = configuration.baselines[mode]
            missed = [f"`{m.url}` ({', '.join(misses(m, baseline))})" for m in measurements if misses(m, baseline)]
            verdict = "all met" if not missed else "missed by " + "; ".join(missed)
            lines.append(f"- {configuration.title}, {mode}: {verdict}.")
    lines.append("")
    return "\n".join(lines)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _run(arguments: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(arguments, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)  # noqa: S603 # nosec B603


def prepare_database(database_url: str, scale: int, workdir: Path, secret_key: str) -> None:
    """`flask db upgrade` and `flask seed-demo --scale N`, in-process on the bench database."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": secret_key})
    app.instance_path = str(workdir)  # the demo account file goes here, not into instance/
    runner = app.test_cli_runner()
    logging.disable(logging.INFO)  # one line per queued demo mail would bury the progress
    try:
        for arguments in (["db", "upgrade"], ["seed-demo", "--scale", str(scale)]):
            result = runner.invoke(args=arguments)
            if result.exit_code != 0:
                raise SystemExit(f"flask {' '.join(arguments)} failed:\n{result.output}\n{result.exception!r}")
    finally:
        logging.disable(logging.NOTSET)


@contextmanager
def gunicorn(target: str, environment: dict, workers: int, log_path: Path, ready_path: str):
    """A gunicorn server on a free loopback port, stopped on leaving the block."""
    port = _free_port()
    executable = Path(sys.executable).with_name("gunicorn")
    arguments = [str(executable), "--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"{HOST}:{port}",
                 "--workers", str(workers), target]
    with log_path.open("ab") as log:
        server = subprocess.Popen(arguments, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 # nosec B603
    base_url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(base_url + ready_path, timeout=5) as response:  # noqa: S310 # nosec B310 # our own loopback server
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{target} did not start; see {log_path}")
            time.sleep(0.2)
        yield base_url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wrk(url: str, *, duration: int, connections: int, threads: int, cookie: str = "") -> Measurement:
    """A one-second warm-up, then the measured run, both bounded in time (with `cookie`: as that session)."""
    wrk_path = shutil.which("wrk")
    headers = ["-H", f"Cookie: {cookie}", "-H", f"User-Agent: {BROWSER}"] if cookie else []
    _run([wrk_path, "-t1", "-c2", "-d1s", *headers, url], timeout=30)
    result = _run([wrk_path, "--latency", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                   *headers, url], timeout=duration + 60)
    if result.returncode != 0:
        raise SystemExit(f"wrk failed on {url}: {result.stderr}")
    return parse_wrk(result.stdout, url)


def _git_commit() -> str:
    git = shutil.which("git")
    if not git:
        return "unknown"
    result = _run([git, "rev-parse", "--short", "HEAD"], timeout=10, cwd=ROOT)
    return result.stdout.strip() or "unknown"


NOTES_HEADING = "## Notes"


def kept_notes(path: Path) -> str:
    """The hand-written analysis under "## Notes" of the previous results, carried over to the new ones."""
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    start = text.find("\n" + NOTES_HEADING + "\n")
    return "\n" + text[start + 1:] if start >= 0 else ""


@contextmanager
def throwaway_database(engine: str, workdir: Path, postgres_server: str, keep: bool):
    """An empty database of the engine: a file in `workdir`, or a PostgreSQL database dropped afterwards."""
    if engine == "sqlite":
        yield f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    with throwaway_postgres(postgres_server, keep=keep) as url:
        yield url


def member_cookie(database_url: str, secret_key: str) -> str:
    """A signed session cookie of the demo's first RAN member (a login session made for the run), as a browser
    holds it after its first page: with the forms' CSRF token, from the address and browser wrk then sends."""
    from flask_wtf.csrf import generate_csrf

    from core.db import db
    from members.models import Member
    from members.services import start_session

    application = create_app({"DATABASE_URL": database_url, "SECRET_KEY": secret_key})
    with application.test_request_context(environ_base={"REMOTE_ADDR": HOST, "HTTP_USER_AGENT": BROWSER}):
        from flask import session

        member = db.session.scalar(sa.select(Member).where(Member.is_admin.is_(False)).order_by(Member.id).limit(1))
        start_session(member)
        db.session.commit()
        generate_csrf()
        value = application.session_interface.get_signing_serializer(application).dumps(dict(session))
        db.engine.dispose()
    return f"{application.config['SESSION_COOKIE_NAME']}={value}"


def sample_event_id(database_url: str) -> int:
    """An upcoming public event with the most registrations (what a visitor would open)."""
    engine = sa.create_engine(normalise_database_url(database_url))
    with engine.connect() as connection:
        event_id = connection.execute(sa.text(
            "SELECT id FROM events WHERE status = 'published' AND audience = 'public' AND deleted_at IS NULL"
            " AND starts_at > :now ORDER BY confirmed_count DESC, starts_at, id LIMIT 1"
        ), {"now": datetime.now(UTC).replace(tzinfo=None)}).scalar_one()
    engine.dispose()
    return event_id


def forget_redis_keys(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(prefix + "*"))
    if keys:
        client.delete(*keys)


@contextmanager
def writes_meanwhile(mode: str, database_url: str, secret_key: str, redis_url: str, prefix: str, event_id: int):
    """In the "busy" mode, registrations committed by this process (another worker, same Redis) during the block."""
    if mode != "busy":
        yield
        return
    from bench.writes import registrations_meanwhile

    application = create_app({"DATABASE_URL": database_url, "SECRET_KEY": secret_key, "PAGE_CACHE_SECONDS": 30,
                              "REDIS_URL": redis_url, "PAGE_CACHE_REDIS_PREFIX": prefix, "RATELIMIT_ENABLED": False})
    logging.disable(logging.INFO)  # a line per queued confirmation mail
    try:
        with registrations_meanwhile(application, event_id, BUSY_WRITES_PER_SECOND):
            yield
    finally:
        logging.disable(logging.NOTSET)
        with application.app_context():
            from core.db import db

            db.engine.dispose()


def measure_configuration(engine: str, scale: int, args, workdir: Path) -> Configuration:
    configuration = Configuration(engine, scale)
    secret_key = secrets.token_urlsafe(32)
    with throwaway_database(engine, workdir, args.postgres_server, args.keep) as database_url:
        print(f"[{engine}, scale {scale}] seeding …", flush=True)
        started = time.monotonic()
        prepare_database(database_url, scale, workdir, secret_key)
        configuration.seconds_to_seed = time.monotonic() - started
        event_id = sample_event_id(database_url)
        paths = [path.format(event_id=event_id) for path in args.paths or DEFAULT_PATHS]
        base_environment = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secret_key,
                                RATELIMIT_ENABLED="0", SITE_URL=f"http://{HOST}")
        base_environment.pop("GUNICORN_ACCESS_LOG", None)
        base_environment.pop("REDIS_URL", None)
        cookie = member_cookie(database_url, secret_key) if "member" in (args.modes or MODES) else ""
        with gunicorn(BASELINE_TARGET, base_environment, args.workers,
                      workdir / f"baseline-{engine}-{scale}.log", "/") as baseline_url:

            def baseline() -> Measurement:
                print(f"[{engine}, scale {scale}] wrk baseline …", flush=True)
                return wrk(baseline_url + "/", duration=args.duration, connections=args.connections,
                           threads=args.threads)

            for mode in args.modes or MODES:
                environment = dict(base_environment, PAGE_CACHE_SECONDS="0")
                prefix = f"ranhub-bench:{uuid.uuid4().hex}:"
                cached = mode != "cold"
                if cached:
                    environment.update(PAGE_CACHE_SECONDS="30", REDIS_URL=args.redis_url,
                                       PAGE_CACHE_REDIS_PREFIX=prefix)
                try:
                    with gunicorn(APP_TARGET, environment, args.workers,
                                  workdir / f"app-{engine}-{scale}-{mode}.log", "/healthz") as base_url:
                        before = baseline()
                        configuration.pages[mode] = []
                        for path in paths:
                            print(f"[{engine}, scale {scale}, {mode}] wrk {path} …", flush=True)
                            with writes_meanwhile(mode, database_url, secret_key, args.redis_url, prefix, event_id):
                                measured = wrk(base_url + urllib.parse.quote(path, safe="/?=&"),
                                               duration=args.duration, connections=args.connections,
                                               threads=args.threads,
                                               cookie={"member": cookie, "rendered": VISITOR_COOKIE}.get(mode, ""))
                            measured.url = path
                            configuration.pages[mode].append(measured)
                        configuration.baselines[mode] = bracketing(before, baseline())
                finally:
                    if cached:
                        forget_redis_keys(args.redis_url, prefix)
    return configuration


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", action="append", dest="engines", choices=ENGINES,
                        help="sqlite or postgresql (repeat; default both)")
    parser.add_argument("--scale", action="append", dest="scales", type=int,
                        help="seed-demo --scale N (repeat; default 1000 and 100)")
    parser.add_argument("--mode", action="append", dest="modes", choices=MODES,
                        help="cached, rendered, cold, member or busy (repeat; default all five)")
    parser.add_argument("--url", action="append", dest="paths",
                        help="a path to measure (repeat; default: " + ", ".join(DEFAULT_PATHS) + ")")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measured wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")),
                        help="gunicorn sync workers, for the app and the baseline alike (default 2)")
    parser.add_argument("--postgres-server", default=POSTGRES_SERVER,
                        help="a PostgreSQL server where throw-away databases may be created "
                             "(default: BENCH_POSTGRES_SERVER or postgres@127.0.0.1:5432)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
                        help="the Redis of the cached mode (keys under a prefix of the run's own, removed after)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and databases")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk; `make bench` does it)")

    workdir = Path(tempfile.mkdtemp(prefix="ranhub-bench-"))
    configurations = []
    try:
        for engine in args.engines or ENGINES:
            for scale in args.scales or DEFAULT_SCALES:
                configurations.append(measure_configuration(engine, scale, args, workdir))
    finally:
        if args.keep:
            print(f"kept {workdir}", flush=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    settings = {
        "date (UTC)": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "commit": _git_commit(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "server": f"gunicorn, {args.workers} sync workers (gunicorn.conf.py), on the same machine as wrk",
        "load": f"wrk on {HOST}: {args.threads} threads, {args.connections} connections, "
                f"{args.duration} s per page after a 1 s warm-up",
        "command": "`.venv/bin/python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]) + "`",
    }
    args.output.write_text(results_markdown(configurations, settings) + kept_notes(args.output), encoding="utf-8")
    print(args.output.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
