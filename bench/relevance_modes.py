"""Measure the bigram backstop on the relevance set: recall and precision per mode, and its index cost.

    .venv/bin/python bench/relevance_modes.py [--database-url URL]

Loads the demo knowhow and the relevance-set extras (tests/knowhow/relevance_set.py)
into a fresh database, runs every query as an admin (who sees everything) with
bigram_mode "never", "fallback" and "always", and compares with the expected
articles. On SQLite it also counts what each FTS5 column holds (fts5vocab), and
on a `--reuse`d benchmark database it reports only those sizes for the large data set.
"""

import argparse
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from app import MIGRATIONS_DIR, create_app  # noqa: E402
from bench.search_bench import fresh_database  # noqa: E402
from core import search  # noqa: E402
from core.db import db  # noqa: E402
from knowhow import demo, services  # noqa: E402
from tests.knowhow.relevance_set import EXTRA_ARTICLES, QUERIES  # noqa: E402

DEFAULTS = {"visibility": "public", "status": "published", "kind": "case-study", "themes": ["youth-retention"]}


def column_sizes() -> dict[str, tuple[int, int]]:
    """(distinct terms, instances) per FTS5 column."""
    db.session.execute(sa.text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, search_fts, 'col')"))
    rows = db.session.execute(sa.text("SELECT col, count(*), sum(cnt) FROM temp.search_vocab GROUP BY col")).all()
    return {col: (terms, instances) for col, terms, instances in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'instance' / 'relevance.sqlite3'}")
    parser.add_argument("--reuse", action="store_true", help="measure an existing (benchmark) database as it is")
    args = parser.parse_args()
    if not args.reuse:
        fresh_database(args.database_url)
    app = create_app({"DATABASE_URL": args.database_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        if not args.reuse:
            upgrade(directory=MIGRATIONS_DIR)
            demo.seed_articles()
            for spec in EXTRA_ARTICLES:
                values = dict(DEFAULTS, **spec)
                services.create_article(None, services.ArticleData.from_mapping(values), slug=spec["slug"])
            db.session.commit()
        if not args.reuse:  # the expected sets describe the small corpus only
            admin = search.Viewer(is_admin=True)
            print(f"{'mode':<9} {'recall':>7} {'precision':>9}  queries fully right  (of {len(QUERIES)})")
            for mode in search.BIGRAM_MODES:
                relevant = found = correct = exact = 0
                misses = []
                for query, expected in QUERIES:
                    hits = {h.meta["slug"] for h in search.query(query, viewer=admin, bigram_mode=mode, limit=100).hits}
                    relevant += len(expected)
                    found += len(hits)
                    correct += len(hits & expected)
                    exact += hits == expected
                    if hits != expected:
                        misses.append(f"{query} (-{len(expected - hits)} +{len(hits - expected)})")
                recall = correct / relevant if relevant else 1.0
                precision = correct / found if found else 1.0
                print(f"{mode:<9} {recall:>7.3f} {precision:>9.3f}  {exact}   {', '.join(misses)}")
        if db.engine.dialect.name == "sqlite":
            print("\nFTS5 columns (distinct terms, instances):")
            for column, (terms, instances) in sorted(column_sizes().items()):
                print(f"  {column:<8} {terms:>9} {instances:>12}")


if __name__ == "__main__":
    main()
