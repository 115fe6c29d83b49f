"""Benchmark: in-process CPU per rendered page (no page cache), the median of N requests per page.

Issue #15 asks for ≤ 3 ms of CPU per rendered page at `seed-demo --scale 1000`. This
measures CPU time (`time.process_time`) around the Flask test client's request, so
the figure excludes waiting for the database's disk but includes the driver, the ORM,
Jinja and Flask (and SQLite's own work, which runs in the process) — what a worker
spends. Visitors' pages and a member's (logged in as the demo's first RAN member) are
measured twice: with the caches off (every part rendered: the first request after a
write), and with them on, where a visitor's page would come whole from the page cache
and is therefore asked for with a session cookie, so that it is rendered around its
cached fragments (core.fragments) as a member's is. A third pass asks every page right
after someone else's registration was committed (`--after-writes`): the first request after
the busiest write of an event day, a visitor's page through the page cache as in production.

    .venv/bin/python bench/render_cpu.py --database-url sqlite:////path/seeded.sqlite3 [--runs 200]

Seed a database first (`flask --app app seed-demo --scale 1000` with DATABASE_URL set,
or bench/run.py's seeding); the script adds one login session for the member.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from bench.run import sample_event_id  # noqa: E402
from bench.writes import other_member_and_event, toggle_registration  # noqa: E402
from core.db import db  # noqa: E402

VISITOR_PAGES = ["/", "/events/", "/alliance/", "/knowhow/?q=研修", "/events/{event_id}", "/api/v1/events"]
MEMBER_PAGES = ["/", "/events/", "/alliance/", "/knowhow/?q=研修", "/events/{event_id}", "/members/me"]


def _member_id() -> int:
    from members.models import Member

    return db.session.scalar(sa.select(Member.id).where(Member.is_admin.is_(False)).order_by(Member.id).limit(1))


def measure(database_url: str, runs: int, cache_seconds: int, after_writes: bool = False) -> dict[str, float]:
    application = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "render-cpu",
                              "INSTANCE_PATH": tempfile.mkdtemp(), "RATELIMIT_ENABLED": False,
                              "PAGE_CACHE_SECONDS": cache_seconds, "WTF_CSRF_ENABLED": False})
    from members.models import Member
    from members.services import start_session

    event_id = sample_event_id(database_url)
    visitor = application.test_client()
    if cache_seconds and not after_writes:
        visitor.set_cookie(application.config["SESSION_COOKIE_NAME"], "bench")  # past the page cache
    member = application.test_client()
    with application.test_request_context():
        person = db.session.get(Member, _member_id())
        start_session(person)
        db.session.commit()
        key = person.session_key
        writer = other_member_and_event(event_id)
    with member.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
        session.permanent = True  # as a login makes it (members.services.start_session)
    results = {}
    for label, client, pages in (("visitor", visitor, VISITOR_PAGES), ("member", member, MEMBER_PAGES)):
        for template in pages:
            path = template.format(event_id=event_id)
            for _ in range(5):  # warm: templates compiled, statements cached
                client.get(path)
            times = []
            for _ in range(runs):
                if after_writes:
                    toggle_registration(application, *writer)
                started = time.process_time()
                response = client.get(path)
                times.append((time.process_time() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: {response.status_code}")
            results[f"{label} {template}"] = statistics.median(times)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--after-writes", action="store_true",
                        help="also measure each page right after another member's registration")
    args = parser.parse_args()
    rendered = measure(args.database_url, args.runs, 0)
    fragments = measure(args.database_url, args.runs, 30)
    written = measure(args.database_url, args.runs, 30, after_writes=True) if args.after_writes else {}
    columns = ["caches off", "caches on, page rendered around fragments"]
    columns += ["caches on, right after a registration"] if written else []
    print(f"| page ({args.runs} requests, median CPU ms) | " + " | ".join(columns) + " |")
    print("|" + " --- |" * (len(columns) + 1))
    for page, value in rendered.items():
        cells = [value, fragments[page]] + ([written[page]] if written else [])
        print(f"| {page} | " + " | ".join(f"{cell:.2f}" for cell in cells) + " |")


if __name__ == "__main__":
    main()
