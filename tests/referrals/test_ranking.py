"""Ranking candidates: exclusions, explainable reasons, deterministic order, constant queries."""

import pytest

from alliance.models import Organization
from alliance.referrals import ranking
from alliance.referrals.models import Referral, ReferralDecline
from core import ranking as engine
from core.db import db


def _rank(app, theme="foreign-workers", prefecture="04", **kwargs):
    with app.test_request_context():
        results = ranking.rank_organizations(theme, prefecture, **kwargs)
        return [(r.candidate.organization.slug, r.score, r.explain()) for r in results]


def _slugs(app, **kwargs):
    return [slug for slug, _score, _reasons in _rank(app, **kwargs)]


def _add_referrals(app, partner, status, theme="foreign-workers", n=1):
    with app.app_context():
        for _ in range(n):
            db.session.add(Referral(title="過去の紹介", theme=theme, prefecture="13", description="-",
                                    status=status, partner_organization_id=partner.id))
        db.session.commit()


# A table of cases: (organisations as (slug, prefecture, served, themes), expected order for
# foreign-workers help in 宮城 (04)).
CASES = {
    "theme missing → excluded": (
        [("has-theme", "04", ["04"], {"foreign-workers": "experienced"}),
         ("no-theme", "04", ["04"], {"seniors": "expert"})],
        ["has-theme"],
    ),
    "same score → stable order by slug": (
        [("zeta-org", "23", ["23"], {"foreign-workers": "strong"}),
         ("alpha-org", "23", ["23"], {"foreign-workers": "strong"}),
         ("mid-org", "23", ["23"], {"foreign-workers": "strong"})],
        ["alpha-org", "mid-org", "zeta-org"],
    ),
    "strong expert two regions away outranks a weak one next door": (
        [("next-door-weak", "04", ["04"], {"foreign-workers": "experienced"}),
         ("far-expert", "23", ["23"], {"foreign-workers": "expert"})],
        ["far-expert", "next-door-weak"],
    ),
    "same depth: same prefecture, then same region, then elsewhere": (
        [("kyushu-org", "40", ["40"], {"foreign-workers": "strong"}),
         ("yamagata-org", "06", ["06"], {"foreign-workers": "strong"}),
         ("miyagi-org", "04", ["04"], {"foreign-workers": "strong"})],
        ["miyagi-org", "yamagata-org", "kyushu-org"],
    ),
    "serving the prefecture counts as being there": (
        [("serves-miyagi", "13", ["13", "04"], {"foreign-workers": "strong"}),
         ("tokyo-only", "13", ["13"], {"foreign-workers": "strong"})],
        ["serves-miyagi", "tokyo-only"],
    ),
    "cross-region candidates appear even when nobody is near": (
        [("okinawa-org", "47", ["47"], {"foreign-workers": "experienced"}),
         ("hokkaido-org", "01", ["01"], {"foreign-workers": "experienced"})],
        ["hokkaido-org", "okinawa-org"],
    ),
}


@pytest.mark.parametrize("organizations, expected", CASES.values(), ids=CASES.keys())
def test_ranking_cases(app, make_organization, organizations, expected):
    for slug, prefecture, served, themes in organizations:
        make_organization(slug=slug, prefecture=prefecture, served=served, themes=themes)
    assert _slugs(app) == expected


def test_equal_scores_keep_their_order_on_every_call(app, make_organization):
    for slug in ("c-org", "a-org", "b-org", "e-org", "d-org"):
        make_organization(slug=slug, prefecture="33", themes={"foreign-workers": "strong"})
    first = _rank(app)
    assert len({score for _slug, score, _r in first}) == 1
    assert [_rank(app) for _ in range(3)] == [first] * 3
    assert [slug for slug, _s, _r in first] == ["a-org", "b-org", "c-org", "d-org", "e-org"]


def test_completed_referrals_in_the_theme_raise_the_score(app, make_organization):
    seasoned = make_organization(slug="seasoned", prefecture="23", themes={"foreign-workers": "strong"})
    make_organization(slug="aaa-newcomer", prefecture="23", themes={"foreign-workers": "strong"})
    _add_referrals(app, seasoned, "completed", n=3)
    _add_referrals(app, seasoned, "completed", theme="seniors", n=5)  # another theme does not count
    ranked = _rank(app)
    assert [slug for slug, _s, _r in ranked] == ["seasoned", "aaa-newcomer"]
    assert "完了3件" in ranked[0][2]
    assert "完了" not in ranked[1][2]


def test_open_load_lowers_the_score(app, make_organization):
    busy = make_organization(slug="aaa-busy", prefecture="23", themes={"foreign-workers": "strong"})
    make_organization(slug="zzz-free", prefecture="23", themes={"foreign-workers": "strong"})
    _add_referrals(app, busy, "in_progress", theme="seniors", n=2)
    _add_referrals(app, busy, "offered", n=1)
    ranked = _rank(app)
    assert [slug for slug, _s, _r in ranked] == ["zzz-free", "aaa-busy"]
    assert "対応中3件" in ranked[1][2]


def test_requester_decliners_and_inactive_organisations_are_excluded(app, make_organization, make_referral):
    requester = make_organization(slug="requester", prefecture="04", themes={"foreign-workers": "expert"})
    decliner = make_organization(slug="decliner", prefecture="04", themes={"foreign-workers": "expert"})
    make_organization(slug="suspended", prefecture="04", status="suspended", themes={"foreign-workers": "expert"})
    make_organization(slug="candidate", prefecture="40", themes={"foreign-workers": "experienced"})
    referral_id = make_referral(requester=requester)
    with app.test_request_context():
        db.session.add(ReferralDecline(referral_id=referral_id, organization_id=decliner.id, reason="多忙"))
        db.session.commit()
        referral = db.session.get(Referral, referral_id)
        assert [r.candidate.organization.slug for r in ranking.rank_for_referral(referral)] == ["candidate"]


def test_reasons_read_like_the_design(app, make_organization):
    """「外国人材: 専門 ・ 完了3件 ・ 中部地方 ・ オンライン可」 for an Aichi expert helping Tohoku."""
    organization = make_organization(slug="tokai", prefecture="23", themes={"foreign-workers": "expert"})
    with app.test_request_context():
        facts = ranking.OrganizationFacts(organization, "expert", 3, 0, frozenset({"23"}), accepts_remote=True,
                                          theme="foreign-workers")
        result = engine.rank([facts], ranking.criteria("04", remote_wanted=True), tie_key=id)
        assert result[0].explain() == "外国人材: 専門 ・ 完了3件 ・ 中部地方 ・ オンライン可"
        assert result[0].score == 40 + 3 * 4 + 0 + 10
        onsite = engine.rank([facts], ranking.criteria("04", remote_wanted=False), tie_key=id)
        assert onsite[0].explain() == "外国人材: 専門 ・ 完了3件 ・ 中部地方"


def test_remote_work_counts_when_the_referral_allows_online(app, make_organization):
    near = make_organization(slug="near", prefecture="04", themes={"foreign-workers": "strong"})
    far = make_organization(slug="far", prefecture="40", themes={"foreign-workers": "strong"})
    with app.test_request_context():
        candidates = [
            ranking.OrganizationFacts(near, "strong", 0, 0, frozenset({"04"}), accepts_remote=False),
            ranking.OrganizationFacts(far, "strong", 0, 0, frozenset({"40"}), accepts_remote=True),
        ]
        online = engine.rank(candidates, ranking.criteria("04", remote_wanted=True),
                             tie_key=lambda f: f.organization.slug)
        assert [r.candidate.organization.slug for r in online] == ["near", "far"]
        assert online[1].points("remote") == ranking.REMOTE_POINTS
        assert "オンライン可" in online[1].explain()


def test_accepts_remote_is_read_from_the_organisation_when_present(app, make_organization, monkeypatch):
    make_organization(slug="remote-ok", prefecture="40", themes={"foreign-workers": "strong"})
    monkeypatch.setattr(Organization, "accepts_remote", True, raising=False)
    assert "オンライン可" in _rank(app)[0][2]


def _set(app, organization, **values):
    with app.app_context():
        for name, value in values.items():
            setattr(db.session.get(Organization, organization.id), name, value)
        db.session.commit()


def test_a_paused_organisation_is_not_suggested(app, make_organization):
    paused = make_organization(slug="paused", prefecture="04", themes={"foreign-workers": "expert"})
    make_organization(slug="open", prefecture="40", themes={"foreign-workers": "experienced"})
    assert _slugs(app) == ["paused", "open"]
    _set(app, paused, referrals_paused=True)
    assert _slugs(app) == ["open"]


def test_an_organisation_at_its_capacity_goes_down_the_list(app, make_organization):
    busy = make_organization(slug="busy", prefecture="04", themes={"foreign-workers": "expert"})
    make_organization(slug="free", prefecture="40", themes={"foreign-workers": "expert"})
    _add_referrals(app, busy, "in_progress", n=2)
    assert _slugs(app)[0] == "busy"  # no capacity given: two open referrals cost a little only
    _set(app, busy, referral_capacity=3)
    assert _slugs(app)[0] == "busy"
    _set(app, busy, referral_capacity=2)
    slug, _score, reasons = _rank(app)[1]
    assert slug == "busy" and "受付上限（2件）に達しています" in reasons


def test_a_not_our_field_decline_lowers_the_organisation_in_that_theme_only(app, make_organization):
    misfit = make_organization(slug="misfit", prefecture="04",
                               themes={"foreign-workers": "strong", "seniors": "strong"})
    make_organization(slug="other", prefecture="04", themes={"foreign-workers": "strong", "seniors": "strong"})
    assert _slugs(app) == ["misfit", "other"]
    with app.app_context():
        for kind in ("fit", "timing"):
            referral = Referral(title="過去の依頼", theme="foreign-workers", prefecture="04", description="-",
                                status="open")
            db.session.add(referral)
            db.session.flush()
            db.session.add(ReferralDecline(referral_id=referral.id, organization_id=misfit.id, reason="-",
                                           reason_kind=kind))
        db.session.commit()
    slug, _score, reasons = _rank(app)[1]
    assert slug == "misfit" and "似た依頼を得意分野外として1件辞退" in reasons
    assert _slugs(app, theme="seniors") == ["misfit", "other"]


def test_english_reasons(app, make_organization):
    make_organization(slug="tokai", prefecture="23", themes={"foreign-workers": "expert"})
    with app.test_request_context("/?lang=en"):
        result = ranking.rank_organizations("foreign-workers", "04")
        assert result[0].explain() == "Foreign workers: expert ・ Chubu"


def test_ranking_uses_a_constant_number_of_queries(app, make_organization, count_queries):
    def measure():
        with app.test_request_context(), count_queries() as statements:
            ranking.rank_organizations("foreign-workers", "04")
        return len(statements)

    org = make_organization(slug="first", prefecture="23", themes={"foreign-workers": "expert"})
    _add_referrals(app, org, "completed")
    few = measure()
    for n in range(15):
        extra = make_organization(slug=f"more-{n:02d}", prefecture=f"{n + 1:02d}", served=sorted({f"{n + 1:02d}", "13"}),
                                  themes={"foreign-workers": "strong"})
        _add_referrals(app, extra, "completed", n=2)
        _add_referrals(app, extra, "accepted")
    assert measure() == few == 2


# -- the generic engine -------------------------------------------------------------------------


def test_engine_required_criterion_excludes_and_reasons_follow_criteria_order():
    people = [{"name": "a", "skills": {"facilitation"}, "hours": 10}, {"name": "b", "skills": set(), "hours": 40}]
    criteria = [
        engine.required("skill", lambda p: "facilitation" in p["skills"]),
        engine.count("availability", lambda p: p["hours"], 0.5, lambda n: f"{n}h", cap=20),
        engine.flag("remote", lambda p: True, 3, "remote"),
    ]
    ranked = engine.rank(people, criteria, tie_key=lambda p: p["name"])
    assert [r.candidate["name"] for r in ranked] == ["a"]
    assert ranked[0].score == 8 and ranked[0].explain() == "10h ・ remote"


def test_engine_proximity_classes():
    assert engine.proximity_class("04", "04", []) == engine.SAME_PREFECTURE
    assert engine.proximity_class("04", "13", ["04"]) == engine.SAME_PREFECTURE
    assert engine.proximity_class("04", "06", []) == engine.SAME_REGION
    assert engine.proximity_class("04", "23", ["21"]) == engine.ELSEWHERE
    assert engine.proximity_class("04", None, []) == engine.ELSEWHERE
