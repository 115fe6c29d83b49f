"""Matching reads the need: each candidate's profile, knowhow and outcome reports against the request's words."""

import sqlalchemy as sa

from alliance.evidence import index_organization
from alliance.models import Organization
from alliance.referrals import ranking
from alliance.referrals import services as referral_services
from alliance.referrals.models import Referral
from bench import ranking_eval
from core.db import db
from knowhow.models import Article
from knowhow.services import ArticleData, create_article, delete_article

NEED = "定年退職した技術者を町工場の技能伝承に活かしたい\n退職したベテランに若手への溶接の指導をお願いする仕組みを知りたい。"


def _article(app, organization, title, body, kind="case-study"):
    with app.app_context():
        article = create_article(None, ArticleData(
            title=title, kind=kind, visibility="public", status="published", themes=["seniors"], summary=body[:100],
            body=body, organization_id=organization.id))
        db.session.commit()
        return article.id


def _world(app, make_organization):
    """A generalist next door (専門, same prefecture) and a specialist far away whose case study is the need."""
    near = make_organization(slug="near-generalist", prefecture="15", themes={"seniors": "expert"},
                             summary="シニアと企業の短時間の仕事を結ぶ面接会を開いています。")
    far = make_organization(slug="far-specialist", prefecture="40", themes={"seniors": "strong"},
                            summary="地域の人材育成を支えています。")
    with app.app_context():
        for organization in (near, far):
            index_organization(db.session.get(Organization, organization.id))
        db.session.commit()
    article_id = _article(app, far, "退職した技術者が町工場で若手に技能を伝える仕組み",
                          "定年を迎えた溶接のベテランが週2日工場に通い、若手と組んで技能伝承の手順書を作った。")
    return near, far, article_id


def _ranked(app, need=""):
    with app.test_request_context():
        return [(r.candidate.organization.slug, r.score, r.candidate) for r in
                ranking.rank_organizations("seniors", "15", need=need)]


def test_the_requests_words_put_the_specialist_first(app, make_organization):
    _world(app, make_organization)
    assert [slug for slug, *_ in _ranked(app)] == ["near-generalist", "far-specialist"]
    ranked = _ranked(app, NEED)
    assert [slug for slug, *_ in ranked] == ["far-specialist", "near-generalist"]
    specialist = ranked[0][2]
    assert specialist.relevance == 1.0
    assert "技能を伝える仕組み" in specialist.evidence[0].title
    assert "<mark>" in str(specialist.evidence[0].highlighted_title())


def test_removing_the_evidence_lowers_the_score(app, make_organization):
    _near, _far, article_id = _world(app, make_organization)
    before = dict((slug, score) for slug, score, _facts in _ranked(app, NEED))
    with app.app_context():
        delete_article(db.session.get(Article, article_id))
        db.session.commit()
    after = dict((slug, score) for slug, score, _facts in _ranked(app, NEED))
    assert after["far-specialist"] < before["far-specialist"]
    assert [slug for slug, *_ in _ranked(app, NEED)][0] == "near-generalist"


def test_a_profile_edit_is_evidence_at_once(app, make_organization):
    near, _far, _article_id = _world(app, make_organization)
    before = {slug: facts.relevance for slug, _score, facts in _ranked(app, NEED)}
    with app.app_context():
        organization = db.session.get(Organization, near.id)
        organization.summary = "定年退職した技術者が町工場で溶接の技能伝承を指導する仕組みを作っています。"
        index_organization(organization)
        db.session.commit()
    after = {slug: facts for slug, _score, facts in _ranked(app, NEED)}
    assert after["near-generalist"].relevance > before["near-generalist"]
    assert after["near-generalist"].evidence[0].kind == "organization"


def test_a_completed_referrals_report_becomes_evidence(app, world, make_referral, login):
    """The partner of a completed referral is found by its report for the next similar request."""
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="in_progress",
                                title="技能実習生の合同入社式の運営")
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        referral_services.complete(referral, None, summary="5社の技能実習生の合同入社式と生活研修を運営し、翌年も続いた。",
                                   people_supported=20, companies_supported=5, hours=30)
        db.session.commit()
    with app.test_request_context():
        ranked = ranking.rank_organizations("foreign-workers", "04", need="技能実習生の合同入社式と生活研修をしたい")
    partner = next(r.candidate for r in ranked if r.candidate.organization.id == world.partner.id)
    assert any(document.kind == "referral-outcome" for document in partner.evidence)


def test_the_referral_page_shows_the_evidence_with_the_words_marked(app, login, make_organization, make_member):
    staff = make_member()
    requester = make_organization(slug="asking", prefecture="15", staff=[staff], themes={"seniors": "experienced"})
    _world(app, make_organization)
    with app.app_context():
        referral = Referral(title="定年退職した技術者を町工場の技能伝承に活かしたい", theme="seniors", prefecture="15",
                            description=NEED, requester_organization_id=requester.id, status="open")
        db.session.add(referral)
        db.session.commit()
        referral_id = referral.id
    html = login(staff).get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    candidates = html[html.index('id="candidates-heading"'):]
    assert candidates.index("far-specialist") < candidates.index("near-generalist")
    assert 'class="evidence"' in candidates and "<mark>" in candidates and "事例" in candidates
    assert "取り組みが依頼内容に合致" in candidates


def test_matching_costs_one_more_query_whatever_the_number_of_candidates(app, make_organization, count_queries):
    _world(app, make_organization)

    def measure():
        with app.test_request_context(), count_queries() as statements:
            ranking.rank_organizations("seniors", "15", need=NEED)
        return len(statements)

    few = measure()
    for n in range(10):
        extra = make_organization(slug=f"extra-{n}", prefecture="13", themes={"seniors": "strong"})
        _article(app, extra, f"シニアの技能伝承 {n}", "退職した技術者の技能伝承についての記録。")
    assert measure() == few == 3


def test_on_the_judged_set_the_new_ranking_beats_the_old_one(app):
    with app.app_context():
        ranking_eval.load_set()
    with app.test_request_context():
        old = ranking_eval.evaluate(ranking_eval.current_ranking).summary()
        new = ranking_eval.evaluate(ranking_eval.evidence_ranking).summary()
    assert new["nDCG@3"] >= 0.85
    assert new["nDCG@3"] >= old["nDCG@3"] + 0.3
    assert new["MRR"] > old["MRR"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) >= 20


def test_a_reports_words_stay_with_its_parties_and_admins(app, world, make_referral, login, make_member,
                                                          make_organization):
    """A completed referral's report counts for its partner, but only admins read it among the candidates."""
    done = make_referral(requester=world.requester, partner=world.partner, status="in_progress",
                         title="技能実習生の合同入社式の運営")
    with app.app_context():
        referral_services.complete(db.session.get(Referral, done), None, people_supported=20, companies_supported=5,
                                   hours=30, summary="5社の技能実習生の合同入社式と生活研修を非公開の条件で運営した。")
        request = Referral(title="技能実習生の合同入社式をしたい", theme="foreign-workers", prefecture="04",
                           description="技能実習生の合同入社式と生活研修をしたい", status="open",
                           requester_organization_id=world.requester.id)
        db.session.add(request)
        db.session.commit()
        request_id = request.id
    staff_page = login(world.requester_staff).get(f"/alliance/referrals/{request_id}").get_data(as_text=True)
    admin_page = login(world.admin).get(f"/alliance/referrals/{request_id}").get_data(as_text=True)
    assert "非公開の条件" not in staff_page and "紹介の成果報告" in staff_page
    assert "非公開の条件" in admin_page


def test_a_company_unsure_of_its_theme_is_matched_by_the_members_work(app, world, make_organization,
                                                                      make_consultation, login):
    """/consult's 「わからない・その他」: the triage suggests members in any theme whose work answers the message."""
    _near, far, _article_id = _world(app, make_organization)
    other = make_organization(slug="tourism", prefecture="04", themes={"migration": "expert"},
                              summary="移住者の仕事探しと住まい探しを支えています。")
    with app.app_context():
        index_organization(db.session.get(Organization, other.id))
        db.session.commit()
    consultation_id = make_consultation(themes=["unsure"], prefecture="15", message=NEED)
    html = login(world.admin).get(f"/alliance/referrals/triage/{consultation_id}").get_data(as_text=True)
    suggestions = html[html.index('id="suggestions-heading"'):]
    assert "わからない・その他" in suggestions and "テーマを問わず" in suggestions
    suggestions = suggestions[:suggestions.index("</section>")]
    assert far.name in suggestions
    assert other.name not in suggestions  # its work says nothing about the need
    assert "<mark>" in suggestions and "シニア人材: 得意" in suggestions  # the deepest theme, named


def test_an_unsure_consultation_whose_words_match_no_one_says_so(app, world, make_consultation, login):
    consultation_id = make_consultation(themes=["unsure"], message="ゾウの飼育員を探しています。")
    html = login(world.admin).get(f"/alliance/referrals/triage/{consultation_id}").get_data(as_text=True)
    assert "相談内容に合う取り組みのある加盟団体はまだ見つかりません" in html


def test_a_word_most_documents_hold_is_left_out_of_the_need(app, monkeypatch, engine_name):
    """人材 in every profile tells no one apart and costs the most to match; the rarer words stay."""
    from core import search
    from core.search import evidence as search_evidence

    with app.app_context():
        search.index_many([search.Entry(kind="organization", object_id=n, title=f"団体{n}", organization_id=n,
                                        body="人材の育成" + ("と溶接の技能伝承" if n == 1 else ""))
                           for n in range(1, 41)])
        if engine_name == "postgresql":  # what autovacuum does on a live database
            db.session.execute(sa.text("ANALYZE search_documents"))
        db.session.commit()
    monkeypatch.setattr(search_evidence, "COMMON_MIN_DOCUMENTS", 10)
    search_evidence._frequencies.forget()
    with app.app_context():
        words = [group.keys[0] for group in search_evidence.need_plan("人材と溶接の技能伝承").groups]
        alone = [group.keys[0] for group in search_evidence.need_plan("人材").groups]
    search_evidence._frequencies.forget()
    assert "人材" not in words and "溶接" in words
    assert alone == ["人材"]  # nothing else to match: the common word stays
