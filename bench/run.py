"""Load benchmark: RAN hub under gunicorn against a minimal Flask page, driven by wrk on 127.0.0.1.

    make bench                                   # defaults below
    .venv/bin/python bench/run.py --scale 20 --duration 15 --url / --url /events/

1. Creates a database (SQLite in a temporary folder, or --database-url for an
   empty PostgreSQL database), applies the migrations and runs
   `flask --app app seed-demo --scale N` (in-process, so the demo account file
   lands in the temporary folder, not in instance/).
2. Serves the app with gunicorn (gunicorn.conf.py: sync workers), measures each
   URL with wrk (a warm-up second, then a bounded run), stops it; then the same
   for the baseline (bench/baseline.py: Flask + SQLAlchemy + Jinja, 20 rows).
3. Writes requests/s, p50, p99 and the ratio to the baseline into bench/RESULTS.md.

Traffic goes to 127.0.0.1 only, every run is bounded by --duration, and the
servers are stopped at the end whatever happens.
"""

import argparse
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
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402 (the project root must be importable first)

#: pages measured by default (point these at the events pages once they exist)
DEFAULT_URLS = ["/", "/members/login", "/api/v1/themes"]
RESULTS = ROOT / "bench" / "RESULTS.md"
APP_TARGET = "app:create_app()"
BASELINE_TARGET = "bench.baseline:create_app()"
START_TIMEOUT_S = 30
HOST = "127.0.0.1"


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


def results_markdown(measurements: list[Measurement], baseline: Measurement, settings: dict[str, str]) -> str:
    """bench/RESULTS.md: the settings of the run, then one row per page and the baseline."""
    lines = [
        "# Load benchmark results",
        "",
        "Written by `bench/run.py` (`make bench`); each run replaces this file.",
        "",
        "| setting | value |",
        "| --- | --- |",
        *[f"| {name} | {value} |" for name, value in settings.items()],
        "",
        "| page | requests/s | p50 (ms) | p99 (ms) | requests | errors | ratio to baseline (requests/s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in [*measurements, baseline]:
        ratio = m.requests_per_second / baseline.requests_per_second if baseline.requests_per_second else 0.0
        name = "baseline: Flask + SQLAlchemy + Jinja, 20 rows" if m is baseline else f"`{m.url}`"
        lines.append(f"| {name} | {m.requests_per_second:.1f} | {m.p50_ms:.2f} | {m.p99_ms:.2f} | "
                     f"{m.requests} | {m.errors} | {ratio:.2f} |")
    lines += [
        "",
        "The ratio is the page's requests per second divided by the baseline's: 1.00 is as fast",
        "as a bare Flask + SQLAlchemy + Jinja page reading 20 rows on this machine; above 1.00 a",
        "page does less work than that (no database read). The app pays for sessions, CSRF,",
        "i18n, security headers and one JSON log line per request; the baseline for none of",
        "them. wrk and the servers share the machine's cores, so compare runs of one machine.",
        "",
    ]
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
    for arguments in (["db", "upgrade"], ["seed-demo", "--scale", str(scale)]):
        result = runner.invoke(args=arguments)
        if result.exit_code != 0:
            raise SystemExit(f"flask {' '.join(arguments)} failed:\n{result.output}\n{result.exception!r}")


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


def wrk(url: str, *, duration: int, connections: int, threads: int) -> Measurement:
    """A one-second warm-up, then the measured run, both bounded in time."""
    wrk_path = shutil.which("wrk")
    _run([wrk_path, "-t1", "-c2", "-d1s", url], timeout=30)
    result = _run([wrk_path, "--latency", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", url],
                  timeout=duration + 60)
    if result.returncode != 0:
        raise SystemExit(f"wrk failed on {url}: {result.stderr}")
    return parse_wrk(result.stdout, url)


def _git_commit() -> str:
    git = shutil.which("git")
    if not git:
        return "unknown"
    result = _run([git, "rev-parse", "--short", "HEAD"], timeout=10, cwd=ROOT)
    return result.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10, help="seed-demo --scale N (default 10)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measured wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "4")),
                        help="gunicorn sync workers, for the app and the baseline alike (default 4)")
    parser.add_argument("--url", action="append", dest="urls", help="a path to measure (repeat; default: "
                        + ", ".join(DEFAULT_URLS) + ")")
    parser.add_argument("--database-url", help="an EMPTY database to use instead of a temporary SQLite file")
    parser.add_argument("--baseline-sql", help="the baseline's query (default: 20 newest members)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk; `make bench` does it)")

    workdir = Path(tempfile.mkdtemp(prefix="ranhub-bench-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    secret_key = secrets.token_urlsafe(32)
    environment = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secret_key, RATELIMIT_ENABLED="0",
                       SITE_URL=f"http://{HOST}")
    environment.pop("GUNICORN_ACCESS_LOG", None)
    if args.baseline_sql:
        environment["BENCH_BASELINE_SQL"] = args.baseline_sql
    try:
        print(f"Seeding (scale {args.scale}) in {workdir} …", flush=True)
        prepare_database(database_url, args.scale, workdir, secret_key)
        measurements = []
        with gunicorn(APP_TARGET, environment, args.workers, workdir / "app.log", "/healthz") as base_url:
            for path in args.urls or DEFAULT_URLS:
                print(f"wrk {path} …", flush=True)
                measurements.append(wrk(base_url + path, duration=args.duration,
                                        connections=args.connections, threads=args.threads))
                measurements[-1].url = path
        with gunicorn(BASELINE_TARGET, environment, args.workers, workdir / "baseline.log", "/") as base_url:
            print("wrk baseline …", flush=True)
            baseline = wrk(base_url + "/", duration=args.duration, connections=args.connections, threads=args.threads)
            baseline.url = "/"
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    engine = database_url.split(":", 1)[0]
    settings = {
        "date (UTC)": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "commit": _git_commit(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": f"{engine}, seed-demo --scale {args.scale}",
        "server": f"gunicorn, {args.workers} sync workers (gunicorn.conf.py)",
        "load": f"wrk on {HOST}: {args.threads} threads, {args.connections} connections, {args.duration} s per page",
    }
    args.output.write_text(results_markdown(measurements, baseline, settings), encoding="utf-8")
    print(args.output.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
