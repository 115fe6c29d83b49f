"""The benchmark's machinery (bench/): wrk parsing, the results table, the baseline page, the scale seeder."""

import pytest
import sqlalchemy as sa

from alliance.demo import SYNTHETIC_PER_SCALE as ORGANIZATIONS_PER_SCALE
from alliance.models import Organization
from alliance.referrals.demo import SYNTHETIC_PER_SCALE as REFERRALS_PER_SCALE
from alliance.referrals.models import Referral
from bench.baseline import create_app as create_baseline
from bench.run import Configuration, Measurement, bracketing, kept_notes, parse_wrk, results_markdown
from core.db import db
from events.demo import REGISTRATIONS_PER_EVENT, SYNTHETIC_EVENTS_PER_SCALE
from events.models import Event, Registration
from knowhow.demo import ARTICLES_PER_SCALE
from knowhow.models import Article
from members.demo import SCALE_MEMBERS
from members.models import Member

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.01ms    5.04ms  87.74ms   69.86%
    Req/Sec   650.35     72.65   820.00     45.00%
  Latency Distribution
     50%  812.00us
     75%   13.41ms
     90%   16.17ms
     99%    1.21s
  13017 requests in 10.01s, 63.98MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   1300.40
Transfer/sec:      6.39MB
"""


def test_wrk_output_is_read_with_units_and_errors():
    measured = parse_wrk(WRK_OUTPUT, "/")
    assert measured == Measurement(url="/", requests_per_second=1300.40, p50_ms=0.812, p99_ms=1210.0,
                                   requests=13017, errors=7)


def test_wrk_output_without_a_latency_distribution_is_refused():
    with pytest.raises(ValueError):
        parse_wrk("Requests/sec: 10.0\n")


def test_results_give_the_ratio_to_the_baseline_and_name_the_missed_targets():
    configuration = Configuration("sqlite", 100)
    # Each mode against the mean of the baseline measured right before and right after its pages.
    configuration.baselines["rendered"] = bracketing(Measurement("/", 1100.0, 4.0, 14.0, 11000, 0),
                                                     Measurement("/", 900.0, 6.0, 16.0, 9000, 0))
    configuration.baselines["member"] = Measurement("/", 500.0, 9.0, 30.0, 5000, 0)
    configuration.pages["rendered"] = [Measurement("/events/", 600.0, 20.0, 80.0, 6000, 0),
                                       Measurement("/alliance/", 250.0, 40.0, 130.0, 2500, 0)]
    configuration.pages["member"] = [Measurement("/events/", 300.0, 30.0, 90.0, 3000, 0),
                                     Measurement("/alliance/", 250.0, 40.0, 95.0, 2500, 0)]
    text = results_markdown([configuration], {"engine": "sqlite"})
    assert "| `/events/` | 600 | 20.0 | 80.0 | 0.60 | 300 | 30.0 | 90.0 | 0.60 |" in text
    assert "| `/alliance/` | 250 | 40.0 | 130.0 | 0.25 ✗ | 250 | 40.0 | 95.0 | 0.50 |" in text
    assert "| baseline: 20 rows of `events` | 1000 | 5.0 | 15.0 | 1.00 | 500 | 9.0 | 30.0 | 1.00 |" in text
    assert "SQLite, `seed-demo --scale 100`, rendered: missed by `/alliance/` (0.25× the baseline, p99 130 ms)." in text
    assert "SQLite, `seed-demo --scale 100`, member: all met." in text
    assert "| engine | sqlite |" in text


@pytest.mark.commits  # the baseline app reads the seeded rows through its own engine
def test_seed_demo_scale_adds_every_kind_in_proportion_once(app, tmp_path, database_url):
    app.instance_path = str(tmp_path)
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["seed-demo", "--scale", "2"])
        assert result.exit_code == 0, result.output

    def count(model, *where):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    with app.app_context():
        assert count(Member, Member.email.like("%@scale.example.jp")) == 2 * SCALE_MEMBERS
        assert count(Organization, Organization.slug.like("sample-%")) == 2 * ORGANIZATIONS_PER_SCALE
        synthetic = Event.title.like("ベンチマーク用イベント %")
        assert count(Event, synthetic) == 2 * SYNTHETIC_EVENTS_PER_SCALE
        assert count(Article, Article.slug.like("bench-%")) == 2 * ARTICLES_PER_SCALE
        assert count(Referral, Referral.title.like("合成データの紹介 %")) == 2 * REFERRALS_PER_SCALE
        # Registrations: about REGISTRATIONS_PER_EVENT each, never over capacity, counters right.
        per_event = db.session.execute(
            sa.select(Event.capacity, Event.confirmed_count, sa.func.count(Registration.id))
            .outerjoin(Registration, Registration.event_id == Event.id).where(synthetic).group_by(Event.id)
        ).all()
        assert all(taken == confirmed <= capacity for capacity, confirmed, taken in per_event)
        assert sum(taken for *_rest, taken in per_event) >= len(per_event) * REGISTRATIONS_PER_EVENT // 2

    # The baseline lists 20 rows of the same events table.
    html = create_baseline(database_url).test_client().get("/").get_data(as_text=True)
    assert html.count("<tr><td>") == 20


def test_the_hand_written_notes_survive_a_new_run(tmp_path):
    results = tmp_path / "RESULTS.md"
    assert kept_notes(results) == ""
    results.write_text("# Load benchmark results\n\n| old | table |\n\n## Notes\n\nWhy the rendered pages miss.\n")
    assert kept_notes(results) == "\n## Notes\n\nWhy the rendered pages miss.\n"


def test_the_busy_modes_writer_registers_and_cancels_in_turn(make_app, make_member):
    """bench/writes.py: another member's registration, committed by another worker, again and again."""
    import time

    from bench.writes import registrations_meanwhile
    from tests.events.conftest import create_event

    application = make_app(PAGE_CACHE_SECONDS=30)
    measured = create_event(application, title="測る側のイベント")
    other = create_event(application, title="書き込む側のイベント", starts_at=measured.starts_at.replace(year=2099))
    make_member()
    with registrations_meanwhile(application, measured.id, per_second=50) as done:
        deadline = time.monotonic() + 10
        while done["writes"] < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert done["writes"] >= 3
    with application.app_context():
        states = db.session.scalars(sa.select(Registration.status).where(Registration.event_id == other.id)).all()
        assert set(states) <= {"confirmed", "cancelled"} and len(states) == 1  # one place, taken and given up
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                                 .where(Registration.event_id == measured.id)) == 0
