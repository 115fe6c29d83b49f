"""Search benchmark: the naive ranked query against the /search page, in the same run.

    .venv/bin/python bench/search_bench.py --scale 100000                       # SQLite (instance/bench.sqlite3)
    .venv/bin/python bench/search_bench.py --scale 100000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/ranhub_bench        # PostgreSQL

The database is created afresh (migrations, demo knowhow, `--scale` generated
articles through the scale seeder) unless `--reuse` is given. For each query it
times, interleaved:

- naive: the raw engine query that ranks *every* match and keeps 20
  (FTS5 MATCH … ORDER BY bm25 LIMIT 20 / tsvector @@ … ORDER BY ts_rank LIMIT 20);
- page:  GET /search?q=… through the Flask test client, end to end (anonymous visitor),
  which ranks only the newest `core.search.DEFAULT_CANDIDATES` matches.

and prints p50/p95 of both and the ratio page/naive.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from app import MIGRATIONS_DIR, create_app  # noqa: E402
from core import search  # noqa: E402
from core.db import db, normalise_database_url  # noqa: E402
from knowhow import demo  # noqa: E402
from knowhow.models import Article  # noqa: E402

#: (query, what it probes); the first ones occur in most generated articles
QUERIES = [
    ("人材", "in ~90% of articles"),
    ("地域", "in almost every article"),
    ("研修", "common"),
    ("外国人材", "compound, common"),
    ("DX 推進", "mixed, two words"),
    ("若手社員の定着", "phrase with a particle"),
    ("留職", "rare (demo only)"),
    ("世話人派遣制度", "rare compound"),
]


def fresh_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    server, _sep, name = normalise_database_url(url).rpartition("/")
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'instance' / 'bench.sqlite3'}")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query and method")
    parser.add_argument("--reuse", action="store_true", help="keep the database and its data")
    args = parser.parse_args()

    if not args.reuse:
        fresh_database(args.database_url)
    app = create_app({"DATABASE_URL": args.database_url, "RATELIMIT_ENABLED": False, "TESTING": False})
    with app.app_context():
        if not args.reuse:
            upgrade(directory=MIGRATIONS_DIR)
            started = time.monotonic()
            demo.seed_articles()
            demo.add_generated_articles(args.scale)
            db.session.commit()
            if db.engine.dialect.name == "postgresql":
                db.session.execute(sa.text("ANALYZE"))  # as seed-demo does after a bulk load
                db.session.commit()
            print(f"seeded {args.scale} generated articles in {time.monotonic() - started:.0f} s")
        dialect = db.engine.dialect.name
        articles = db.session.scalar(sa.select(sa.func.count(Article.id)))
        documents = db.session.scalar(sa.select(sa.func.count()).select_from(search.SearchDocument))
        print(f"engine {dialect}: {articles} articles, {documents} indexed; candidate bound "
              f"{search.DEFAULT_CANDIDATES}")
        naive = search.naive_statement(dialect)
        admin_viewer = search.Viewer(is_admin=True)  # the naive query: text only, no filters
        parameters = {q: search.naive_parameters(q, dialect, viewer=admin_viewer) for q, _note in QUERIES}

        def time_naive(q: str) -> float:
            started = time.perf_counter()
            db.session.execute(naive, parameters[q]).all()
            elapsed = time.perf_counter() - started
            db.session.rollback()
            return elapsed

        matches = {}
        for q, _note in QUERIES:
            statement = sa.text(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH :match" if dialect == "sqlite" else
                "SELECT count(*) FROM search_documents WHERE search_vector @@ to_tsquery('simple', :tsquery)"
            )
            matches[q] = db.session.execute(statement, parameters[q]).scalar()
        db.session.rollback()

    client = app.test_client()

    def time_page(q: str) -> float:
        started = time.perf_counter()
        response = client.get("/search", query_string={"q": q})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return elapsed

    all_naive, all_page = [], []
    rows = []
    with app.app_context():
        for q, note in QUERIES:
            for _ in range(3):  # warm caches
                time_naive(q)
                time_page(q)
            naive_times, page_times = [], []
            for _ in range(args.runs):
                naive_times.append(time_naive(q))
                page_times.append(time_page(q))
            all_naive += naive_times
            all_page += page_times
            rows.append((q, note, matches[q], naive_times, page_times))

    print(f"\n{'query':<16} {'matches':>8}  {'naive p50':>9} {'naive p95':>9}  {'page p50':>8} {'page p95':>8}  ratio")
    for q, note, count, naive_times, page_times in rows:
        n95, p95 = percentile(naive_times, 0.95) * 1000, percentile(page_times, 0.95) * 1000
        print(f"{q:<16} {count:>8}  {statistics.median(naive_times) * 1000:>8.1f}ms {n95:>8.1f}ms  "
              f"{statistics.median(page_times) * 1000:>7.1f}ms {p95:>7.1f}ms  {p95 / n95:5.2f}   ({note})")
    common = [r for r in rows if r[2] >= 0.5 * articles]
    if common:
        cn = [t for r in common for t in r[3]]
        cp = [t for r in common for t in r[4]]
        print(f"\nwords in at least half the articles ({', '.join(r[0] for r in common)}): "
              f"naive p95 {percentile(cn, 0.95) * 1000:.1f} ms, page p95 {percentile(cp, 0.95) * 1000:.1f} ms, "
              f"ratio {percentile(cp, 0.95) / percentile(cn, 0.95):.2f}")
    print(f"all queries: naive p95 {percentile(all_naive, 0.95) * 1000:.1f} ms, "
          f"page p95 {percentile(all_page, 0.95) * 1000:.1f} ms, "
          f"ratio {percentile(all_page, 0.95) / percentile(all_naive, 0.95):.2f}")


if __name__ == "__main__":
    os.environ.setdefault("RATELIMIT_ENABLED", "0")
    main()
