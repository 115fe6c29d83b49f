"""Benchmark: suggested people for a project (alliance.projects.suggest.suggest_people).

Seeds 20,000 members with opt-in expertise profiles (1–3 themes, 2–6 skill tags from
a vocabulary of ~70, home prefecture weighted towards the big cities, 0–4 travel
prefectures, 70 % remote) and a few hundred running programmes into a temporary SQLite
file database — and into a throw-away PostgreSQL database when one answers on
127.0.0.1:5432 (or BENCH_POSTGRES_URL) — then times `suggest_people()` 200 times over
projects of varied kind, theme, prefecture, skills and remote work, and prints the
median, 95th percentile and maximum, the number of SQL statements per call and the
size of the pre-filtered pool.

    .venv/bin/python bench/people_bench.py [--people 20000] [--runs 200] [--sqlite-only]

Target: p95 ≤ 50 ms, a constant number of queries.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alliance.models import Organization  # noqa: E402
from alliance.projects.models import PROJECT_KINDS, Cohort, Programme, Project, ProjectSkill  # noqa: E402
from alliance.projects.suggest import facts_query, suggest_people  # noqa: E402
from app import MIGRATIONS_DIR, create_app  # noqa: E402
from bench.databases import postgres_answers, postgres_database  # noqa: E402
from core import refdata  # noqa: E402
from core.db import db, read_only, utcnow  # noqa: E402
from members.expertise.models import ExpertiseProfile, skill_key  # noqa: E402
from members.expertise.synthetic import SKILL_VOCABULARY, add_synthetic_profiles  # noqa: E402

TARGET_P95_MS = 50.0
PROJECTS = 40
RUNNING_PROGRAMMES = 400


DESCRIPTION = "地域の中小企業で{}と{}に取り組んでいます。{}の経験がある方と、月に数回の打ち合わせから始めたいです。"


def seed(people: int, rng: random.Random) -> list[int]:
    """Profiles, one organisation, PROJECTS projects and some running programmes; the project ids."""
    add_synthetic_profiles(people, seed=rng.randint(0, 10_000))
    now = utcnow()
    organization = Organization(slug="bench-org", name="ベンチ地域人事部", kind="npo", prefecture="20",
                                status="active")
    db.session.add(organization)
    db.session.flush()
    codes = [p.code for p in refdata.PREFECTURES]
    themes = [t.slug for t in refdata.THEMES]
    project_ids = []
    for n in range(PROJECTS):
        project = Project(
            organization_id=organization.id, kind=rng.choice(list(PROJECT_KINDS)), title=f"ベンチ募集{n}",
            host_name=f"ベンチ企業{n}", host_type="company", theme=rng.choice(themes),
            prefecture=rng.choice(codes), hours_per_month=rng.choice((8, 10, 16, 20, 40)),
            duration_months=6, remote_possible=rng.random() < 0.6, compensation="paid",
            deadline=date.today() + timedelta(days=30), positions=2,
        )
        labels = rng.sample(SKILL_VOCABULARY, rng.randint(0, 4))
        # What the project says it needs, as people write it: the words matching reads.
        project.description = DESCRIPTION.format(*rng.sample(SKILL_VOCABULARY, 3))
        project.skill_rows = [ProjectSkill(key=skill_key(label), label=label, position=i)
                              for i, label in enumerate(labels)]
        db.session.add(project)
        db.session.flush()
        project_ids.append(project.id)
    cohort = Cohort(organization_id=organization.id, kind="side-job", fiscal_year=2026)
    db.session.add(cohort)
    db.session.flush()
    first_member = db.session.scalar(sa.select(sa.func.min(ExpertiseProfile.member_id)))
    db.session.execute(sa.insert(Programme), [
        {"project_id": rng.choice(project_ids), "member_id": first_member + rng.randrange(people),
         "cohort_id": cohort.id, "status": "active", "listed_in_cohort": False, "report": "",
         "case_study_url": "", "created_at": now}
        for _ in range(RUNNING_PROGRAMMES)
    ])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does on a live database: statistics, and the visibility map
        # that lets the theme and skill indexes answer without reading the tables.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    return project_ids


def measure(app, project_ids: list[int], runs: int, rng: random.Random) -> dict:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    timings, cpu, queries, pools, shown = [], [], [], [], []
    # As in a GET request: a read-only transaction (no SQLite write lock).
    with app.test_request_context(), read_only():
        projects = {project.id: project for project in db.session.scalars(
            sa.select(Project).where(Project.id.in_(project_ids)))}
        for project in projects.values():
            list(project.skill_rows)
            pools.append(len(db.session.execute(facts_query(project)).all()))
        db.session.expunge_all()
        suggest_people(db.session.get(Project, project_ids[0]))  # warm caches and the connection pool
        sa.event.listen(db.engine, "before_cursor_execute", count)
        for _ in range(runs):
            project_id = rng.choice(project_ids)
            # The page has loaded the project (and its skills) before it asks for suggestions.
            project = db.session.get(Project, project_id)
            list(project.skill_rows)
            statements.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            ranked = suggest_people(project)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            queries.append(len(statements))
            shown.append(len(ranked))
            db.session.rollback()  # a fresh transaction per call, as in a request
        sa.event.remove(db.engine, "before_cursor_execute", count)
    timings.sort()
    cpu.sort()
    return {
        "cpu_p95_ms": cpu[max(0, round(0.95 * len(cpu)) - 1)],
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, round(0.95 * len(timings)) - 1)],
        "max_ms": timings[-1],
        "queries": sorted(set(queries)),
        "pool": (min(pools), round(statistics.mean(pools)), max(pools)),
        "shown": (min(shown), max(shown)),
    }


def run(label: str, url: str, args) -> dict:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "RATELIMIT_ENABLED": False})
    rng = random.Random(2026)  # noqa: S311 -- reproducible benchmark data
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        started = time.perf_counter()
        project_ids = seed(args.people, rng)
        seeded = time.perf_counter() - started
        result = measure(app, project_ids, args.runs, rng)
        db.engine.dispose()
    result.update(engine=label, seed_s=seeded)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as directory:
        results.append(run("sqlite", f"sqlite:///{Path(directory) / 'bench.sqlite3'}", args))
    if not args.sqlite_only and postgres_answers():
        with postgres_database() as url:
            results.append(run("postgresql", url, args))
    else:
        print("PostgreSQL not reachable (or --sqlite-only): SQLite only.")
    failed = False
    print(f"suggest_people(): {args.people} profiles, {args.runs} calls over {PROJECTS} projects "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    for result in results:
        ok = result["p95_ms"] <= TARGET_P95_MS
        failed |= not ok
        print(
            f"  {result['engine']:<10} median {result['median_ms']:6.1f} ms   p95 {result['p95_ms']:6.1f} ms   "
            f"max {result['max_ms']:6.1f} ms   (this process's CPU p95 {result['cpu_p95_ms']:5.1f} ms)   "
            f"queries/call {result['queries']}   "
            f"pool min/mean/max {result['pool']}   shown {result['shown']}   "
            f"(seeded in {result['seed_s']:.1f} s) {'OK' if ok else 'OVER TARGET'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
