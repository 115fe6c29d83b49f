"""The judged set of bench/ranking_eval_set.py loads on both engines and the evaluation measures a ranking on it."""

import pytest

from bench import ranking_eval
from bench.ranking_eval_set import ORGANIZATIONS, REQUESTS
from core import refdata


def test_the_set_is_what_issue_18_asks_for():
    assert len(REQUESTS) >= 30 and len({theme for _id, theme, *_ in REQUESTS}) >= 3
    assert len(ORGANIZATIONS) >= 20
    slugs = {slug for slug, *_ in ORGANIZATIONS}
    for _id, theme, prefecture, title, description, grades in REQUESTS:
        assert theme in refdata.THEMES_BY_SLUG and prefecture in refdata.PREFECTURES_BY_CODE
        assert set(grades) <= slugs and 2 in grades.values(), _id
        assert title and description


def test_the_evaluation_measures_the_current_ranking(app):
    with app.app_context():
        ranking_eval.load_set()
    with app.test_request_context():
        scores = ranking_eval.evaluate(ranking_eval.current_ranking)
    summary = scores.summary()
    assert summary["requests"] == len(REQUESTS)
    for metric in ("nDCG@3", "MRR", "Recall@5"):
        assert 0.0 < summary[metric] <= 1.0
    assert sum(scores.exposure.values()) == 3 * len(REQUESTS)


@pytest.mark.parametrize("gains, expected", [([2, 0, 0], 3.0), ([0, 0, 2], 1.5), ([], 0.0)])
def test_dcg(gains, expected):
    assert ranking_eval.dcg(gains) == pytest.approx(expected)
