"""Benchmark: ranking candidate organisations for a referral.

Seeds 1,000 organisations (1–4 themes each, 1–3 served prefectures) and 20,000 past
referrals into a temporary SQLite file database — and into a throw-away PostgreSQL
database when one answers on 127.0.0.1:5432 (or BENCH_POSTGRES_URL) — then times
`rank_organizations()` 200 times over varied themes and prefectures and prints the
median, 95th percentile and maximum, with the number of SQL statements per call.

    .venv/bin/python bench/ranking_bench.py [--organizations 1000] [--referrals 20000] [--runs 200]

Target: p95 ≤ 50 ms, a constant number of queries.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alliance.models import THEME_DEPTHS, Organization, OrganizationPrefecture, OrganizationTheme  # noqa: E402
from alliance.referrals.demo import add_synthetic_referrals  # noqa: E402
from alliance.referrals.ranking import rank_organizations  # noqa: E402
from app import MIGRATIONS_DIR, create_app  # noqa: E402
from bench.databases import postgres_answers, postgres_database  # noqa: E402
from core import refdata  # noqa: E402
from core.db import db, read_only, utcnow  # noqa: E402

TARGET_P95_MS = 50.0


def seed(organizations: int, referrals: int, rng: random.Random) -> None:
    codes = [p.code for p in refdata.PREFECTURES]
    themes = [t.slug for t in refdata.THEMES]
    now = utcnow()
    org_rows, theme_rows, served_rows = [], [], []
    for n in range(1, organizations + 1):
        home = rng.choice(codes)
        org_rows.append({"id": n, "slug": f"bench-{n:04d}", "name": f"ベンチ地域人事部{n:04d}", "kind": "npo",
                         "prefecture": home, "summary": "", "website": "", "contact_email": "",
                         "status": "active" if n % 50 else "suspended", "created_at": now, "updated_at": now})
        for theme in rng.sample(themes, rng.randint(1, 4)):
            theme_rows.append({"organization_id": n, "theme": theme, "depth": rng.choice(THEME_DEPTHS), "note": ""})
        for code in {home, *rng.sample(codes, rng.randint(0, 2))}:
            served_rows.append({"organization_id": n, "prefecture": code})
    db.session.execute(sa.insert(Organization), org_rows)
    db.session.execute(sa.insert(OrganizationTheme), theme_rows)
    db.session.execute(sa.insert(OrganizationPrefecture), served_rows)
    add_synthetic_referrals(referrals, seed=rng.randint(0, 10_000))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT setval('organizations_id_seq', (SELECT max(id) FROM organizations))")
            connection.exec_driver_sql("ANALYZE")
            connection.commit()


def measure(app, runs: int, rng: random.Random) -> dict:
    themes = [t.slug for t in refdata.THEMES]
    codes = [p.code for p in refdata.PREFECTURES]
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    timings, queries, candidates = [], [], []
    # As in a GET request: a read-only transaction (no SQLite write lock).
    with app.test_request_context(), read_only():
        rank_organizations("foreign-workers", "04")  # warm caches and the connection pool
        sa.event.listen(db.engine, "before_cursor_execute", count)
        for _ in range(runs):
            theme, prefecture = rng.choice(themes), rng.choice(codes)
            statements.clear()
            started = time.perf_counter()
            ranked = rank_organizations(theme, prefecture, remote_wanted=rng.random() < 0.6,
                                        exclude_ids={rng.randint(1, 1000)})
            timings.append((time.perf_counter() - started) * 1000)
            queries.append(len(statements))
            candidates.append(len(ranked))
            db.session.rollback()  # a fresh transaction per call, as in a request
        sa.event.remove(db.engine, "before_cursor_execute", count)
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, round(0.95 * len(timings)) - 1)],
        "max_ms": timings[-1],
        "queries": sorted(set(queries)),
        "candidates": (min(candidates), round(statistics.mean(candidates)), max(candidates)),
    }


def run(label: str, url: str, args) -> dict:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "RATELIMIT_ENABLED": False})
    rng = random.Random(2026)  # noqa: S311 -- reproducible benchmark data
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        started = time.perf_counter()
        seed(args.organizations, args.referrals, rng)
        seeded = time.perf_counter() - started
        result = measure(app, args.runs, rng)
        db.engine.dispose()
    result.update(engine=label, seed_s=seeded)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument("--referrals", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as directory:
        results.append(run("sqlite", f"sqlite:///{Path(directory) / 'bench.sqlite3'}", args))
    if postgres_answers():
        with postgres_database() as url:
            results.append(run("postgresql", url, args))
    else:
        print("PostgreSQL not reachable: SQLite only.")
    print(f"ranking: {args.organizations} organisations, {args.referrals} past referrals, {args.runs} calls")
    ok = True
    for r in results:
        low, mean, high = r["candidates"]
        print(f"  {r['engine']:<10} median {r['median_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  max {r['max_ms']:6.1f} ms"
              f"  queries/call {r['queries']}  candidates {low}–{high} (mean {mean})  seeded in {r['seed_s']:.1f} s")
        ok = ok and r["p95_ms"] <= TARGET_P95_MS and len(r["queries"]) == 1
    print("OK: p95 within 50 ms, constant queries" if ok else "FAILED: p95 above 50 ms or query count varies")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
