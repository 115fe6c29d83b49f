"""The benchmark's machinery (bench/): wrk parsing, the results table, the baseline page, the scale seeder."""

import pytest
import sqlalchemy as sa

from bench.baseline import create_app as create_baseline
from bench.run import Measurement, parse_wrk, results_markdown
from core.db import db
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


def test_results_table_gives_the_ratio_to_the_baseline():
    page = Measurement("/events/", 250.0, 20.0, 80.0, 2500, 0)
    baseline = Measurement("/", 1000.0, 5.0, 15.0, 10000, 0)
    text = results_markdown([page], baseline, {"database": "sqlite"})
    assert "| `/events/` | 250.0 | 20.00 | 80.00 | 2500 | 0 | 0.25 |" in text
    assert "| baseline: Flask + SQLAlchemy + Jinja, 20 rows | 1000.0 | 5.00 | 15.00 | 10000 | 0 | 1.00 |" in text
    assert "| database | sqlite |" in text


def test_baseline_page_lists_twenty_rows(database_url, make_member):
    for _ in range(25):
        make_member()
    response = create_baseline(database_url).test_client().get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("<tr><td>") == 20


def test_seed_demo_scale_adds_synthetic_members_once(app, tmp_path):
    app.instance_path = str(tmp_path)
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["seed-demo", "--scale", "1"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        synthetic = db.session.scalar(sa.select(sa.func.count()).select_from(Member)
                                      .where(Member.email.like("%@scale.example.jp")))
    assert synthetic == SCALE_MEMBERS
