"""Programmes (playbooks): structured fields, adoptions by organisations, the map and /impact figures."""

import sqlalchemy as sa
from flask import render_template_string

from core import hooks
from core.db import db
from knowhow.models import Adoption

PLAYBOOK = {
    "kind": "playbook",
    "title": "ミライブラリー",
    "goal": "高校生が地元の大人と出会う",
    "audience": "高校生",
    "duration": "90分",
    "steps": "1. 学校と相談する\n2. 語り手を募る",
    "cost": "会場は学校",
    "materials": "問いカード",
}
ADOPTION = {"prefecture": "06", "started_on": "2024-04-01", "status": "running", "outcome_notes": "毎年実施"}


def test_programme_page_shows_its_fields_and_where_it_runs(client, auth, make_member, make_organization,
                                                              make_article, app):
    staff = make_member()
    organization = make_organization(staff=[staff], name="山形の地域人事部")
    article = make_article(make_member(), **PLAYBOOK)
    auth.login(staff)
    html = client.get(f"/knowhow/{article.slug}").get_data(as_text=True)
    for text in ("高校生が地元の大人と出会う", "90分", "問いカード", "学校と相談する", "私たちの地域でも実施しています"):
        assert text in html
    response = client.post(f"/knowhow/{article.slug}/adoptions/new", data=dict(ADOPTION, organization=organization.slug))
    assert response.status_code == 302
    html = client.get(f"/knowhow/{article.slug}").get_data(as_text=True)
    assert "山形の地域人事部" in html and "毎年実施" in html
    assert 'class="shade-5 col-12 row-5"' in html  # 山形's tile is the darkest on the map
    with app.app_context():
        adoption = db.session.scalar(sa.select(Adoption))
        assert (adoption.organization_id, adoption.prefecture, adoption.status) == (organization.id, "06", "running")


def test_only_staff_of_an_organisation_record_adoptions(client, auth, make_member, make_organization, make_article):
    article = make_article(make_member(), **PLAYBOOK)
    organization = make_organization()
    assert client.get(f"/knowhow/{article.slug}/adoptions/new").status_code == 404
    auth.login(make_member())
    assert client.get(f"/knowhow/{article.slug}/adoptions/new").status_code == 404
    assert client.post(f"/knowhow/{article.slug}/adoptions/new",
                       data=dict(ADOPTION, organization=organization.slug)).status_code == 404


def test_staff_cannot_record_for_another_organisation(client, auth, make_member, make_organization, make_article, app):
    staff = make_member()
    make_organization(staff=[staff])
    other = make_organization(slug="someone-else", name="ほかの団体")
    article = make_article(make_member(), **PLAYBOOK)
    auth.login(staff)
    response = client.post(f"/knowhow/{article.slug}/adoptions/new", data=dict(ADOPTION, organization=other.slug))
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Adoption.id))) == 0


def test_bad_adoption_input_keeps_what_was_typed(client, auth, make_member, make_organization, make_article, app):
    staff = make_member()
    organization = make_organization(staff=[staff])
    article = make_article(make_member(), **PLAYBOOK)
    auth.login(staff)
    html = client.post(f"/knowhow/{article.slug}/adoptions/new",
                       data=dict(ADOPTION, organization=organization.slug, started_on="2024-13-45",
                                 prefecture="")).get_data(as_text=True)
    assert "開始日を正しく入力してください" in html and "都道府県を選んでください" in html and "毎年実施" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Adoption.id))) == 0


def test_articles_that_are_not_published_programmes_take_no_adoption(client, auth, make_member, make_organization,
                                                                     make_article):
    staff = make_member()
    make_organization(staff=[staff])
    case_study = make_article(make_member())
    draft = make_article(staff, status="draft", **PLAYBOOK)
    auth.login(staff)
    assert client.get(f"/knowhow/{case_study.slug}/adoptions/new").status_code == 404
    assert client.get(f"/knowhow/{draft.slug}/adoptions/new").status_code == 404


def test_adopting_organisation_updates_and_removes_its_record(client, auth, make_member, make_organization,
                                                               make_article, app):
    staff, other_staff = make_member(), make_member()
    organization = make_organization(staff=[staff])
    make_organization(slug="rival", name="別団体", staff=[other_staff])
    article = make_article(make_member(), **PLAYBOOK)
    auth.login(staff)
    client.post(f"/knowhow/{article.slug}/adoptions/new", data=dict(ADOPTION, organization=organization.slug))
    with app.app_context():
        adoption_id = db.session.scalar(sa.select(Adoption.id))
    edit_url = f"/knowhow/{article.slug}/adoptions/{adoption_id}/edit"
    client.post(edit_url, data=dict(ADOPTION, organization=organization.slug, status="ended", outcome_notes="3年で終了"))
    auth.logout()
    auth.login(other_staff)
    assert client.get(edit_url).status_code == 404
    assert client.post(f"/knowhow/{article.slug}/adoptions/{adoption_id}/delete").status_code == 404
    auth.logout()
    auth.login(staff)
    assert client.post(f"/knowhow/{article.slug}/adoptions/{adoption_id}/delete").status_code == 302
    with app.app_context():
        adoption = db.session.get(Adoption, adoption_id)
        assert adoption.status == "ended" and adoption.outcome_notes == "3年で終了"
        assert adoption.deleted_at is not None  # kept, hidden
    assert "3年で終了" not in client.get(f"/knowhow/{article.slug}").get_data(as_text=True)


def test_impact_counts_adoptions_and_regions_reached(app, client, auth, make_member, make_organization, make_article):
    staff = make_member()
    organization = make_organization(staff=[staff])
    first = make_article(make_member(), **PLAYBOOK)
    second = make_article(make_member(), **dict(PLAYBOOK, title="ルーキーズカレッジ"))
    auth.login(staff)
    for article, prefecture in ((first, "06"), (first, "04"), (second, "04")):
        client.post(f"/knowhow/{article.slug}/adoptions/new",
                    data=dict(ADOPTION, organization=organization.slug, prefecture=prefecture))
    with app.test_request_context():
        figures = {str(f.label): f.value for func in hooks.IMPACT_FIGURES.implementations() for f in func()}
        assert figures["プログラムの導入"] == 3
        assert figures["共有プログラムが届いた都道府県"] == 2
        assert figures["ノウハウ記事"] == 2
        section = "".join(str(s) for s in hooks.IMPACT_SECTIONS.render_all())
        assert "共有プログラムの実施地域" in section and "shade-5" in section
        assert render_template_string("{{ 1 }}") == "1"
