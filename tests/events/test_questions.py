"""Registration questions: the organiser's editor, the signup step, the API, the attendee list and CSV, retention."""

import re
from datetime import timedelta

import sqlalchemy as sa

from core.db import db, utcnow
from events import questions
from events.models import Event, EventAnswer, EventQuestion, Registration
from members import services as member_services
from members.models import Member
from tests.events.conftest import answers_of, set_event


def _registration(app, event, member) -> Registration | None:
    with app.app_context():
        registration = db.session.scalars(sa.select(Registration).where(
            Registration.event_id == event.id, Registration.member_id == member.id)).first()
        if registration is not None:
            db.session.expunge(registration)
        return registration


# --- the organiser's editor ------------------------------------------------------------------


def test_the_organiser_adds_orders_and_deletes_questions(app, client, auth, make_member, make_organiser,
                                                         make_event):
    staff, organization = make_organiser()
    event = make_event(organization=organization)
    auth.login(staff)
    page = client.get(f"/events/{event.id}/questions/signup")
    assert page.status_code == 200 and "まだ質問はありません" in page.get_data(as_text=True)
    client.post(f"/events/{event.id}/questions/signup", data={"kind": "text", "label": "部署・役職", "required": "y"})
    client.post(f"/events/{event.id}/questions/signup",
                data={"kind": "choice", "label": "参加の目的", "choices": "情報収集\n\n事例を知りたい\n情報収集\n"})
    with app.app_context():
        rows = db.session.scalars(sa.select(EventQuestion).where(EventQuestion.event_id == event.id)
                                  .order_by(EventQuestion.position)).all()
        assert [(q.label, q.kind, q.required, q.choices) for q in rows] == [
            ("部署・役職", "text", True, []), ("参加の目的", "choice", False, ["情報収集", "事例を知りたい"])]
        second = rows[1].id
    client.post(f"/events/{event.id}/questions/signup/{second}/move", data={"direction": "up"})
    with app.app_context():
        assert db.session.scalars(sa.select(EventQuestion.label).where(EventQuestion.event_id == event.id)
                                  .order_by(EventQuestion.position)).all() == ["参加の目的", "部署・役職"]
    client.post(f"/events/{event.id}/questions/signup/{second}/delete")
    with app.app_context():
        assert db.session.scalars(sa.select(EventQuestion.label)).all() == ["部署・役職"]


def test_a_choice_question_needs_two_options_and_keeps_what_was_typed(app, client, auth, make_member,
                                                                      make_organiser, make_event):
    staff, organization = make_organiser()
    event = make_event(organization=organization)
    auth.login(staff)
    response = client.post(f"/events/{event.id}/questions/signup",
                           data={"kind": "choices", "label": "関心のあるテーマ", "choices": "ひとつだけ"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "2つ以上入力してください" in html and "関心のあるテーマ" in html
    response = client.post(f"/events/{event.id}/questions/signup", data={"kind": "rating", "label": "満足度"})
    assert response.status_code == 422  # a rating belongs to the survey
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EventQuestion)) == 0


def test_other_members_and_other_organisations_get_404(client, auth, make_member, make_organiser, make_event,
                                                       ask):
    staff, organization = make_organiser()
    outsider, _other = make_organiser(slug="kyushu-hr")
    event = make_event(organization=organization)
    question = ask(event, "text", "部署")
    auth.login(outsider)
    for path in (f"/events/{event.id}/questions/signup", f"/events/{event.id}/answers",
                 f"/events/{event.id}/questions/signup/{question}"):
        assert client.get(path).status_code == 404
    assert client.post(f"/events/{event.id}/questions/signup/{question}/delete").status_code == 404
    auth.logout()
    auth.login(staff)
    other_event = make_event(organization=organization)
    # a question of one event cannot be reached through another
    assert client.get(f"/events/{other_event.id}/questions/signup/{question}").status_code == 404


def test_an_answered_question_keeps_its_kind(app, client, auth, make_member, make_organiser, make_event, ask,
                                             register):
    staff, organization = make_organiser()
    event = make_event(organization=organization)
    question = ask(event, "choice", "参加の目的", choices=("情報収集", "相談"))
    registration = register(event, make_member())
    with app.app_context():
        db.session.add(EventAnswer(question_id=question, registration_id=registration.id, value="相談"))
        db.session.commit()
    auth.login(staff)
    response = client.post(f"/events/{event.id}/questions/signup/{question}",
                           data={"kind": "text", "label": "参加の目的"})
    assert response.status_code == 422 and "形式は変更できません" in response.get_data(as_text=True)
    client.post(f"/events/{event.id}/questions/signup/{question}",
                data={"kind": "choice", "label": "参加の目的を教えてください", "choices": "情報収集\n相談\nその他"})
    with app.app_context():
        stored = db.session.get(EventQuestion, question)
        assert (stored.kind, stored.label, stored.choices) == ("choice", "参加の目的を教えてください",
                                                               ["情報収集", "相談", "その他"])


# --- the signup step ------------------------------------------------------------------------


def test_signing_up_answers_the_questions(app, client, auth, make_member, make_event, ask, outbox):
    event = make_event(consent_note="回答は当日の準備のためだけに使います。")
    department = ask(event, "text", "部署・役職", required=True)
    purpose = ask(event, "choices", "関心", choices=("採用", "定着", "育成"))
    member = make_member()
    auth.login(member)
    detail = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}/signup"' in detail and "主催者からの質問" in detail
    step = client.get(f"/events/{event.id}/signup").get_data(as_text=True)
    assert "部署・役職" in step and "回答は当日の準備のためだけに使います。" in step

    # a required answer left empty and no consent: nothing changes, the form keeps what was typed
    response = client.post(f"/events/{event.id}/signup", data={f"q{department}": "  ", f"q{purpose}": ["定着"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "この質問に回答してください" in html and "同意が必要です" in html
    assert re.search(r'<input checked[^>]*value="定着"', html) and not re.search(r'<input checked[^>]*value="採用"', html)
    assert _registration(app, event, member) is None and outbox(member.email) == []

    response = client.post(f"/events/{event.id}/signup", data={
        f"q{department}": "人事課 主任", f"q{purpose}": ["定着", "育成"], "consent": "y"})
    assert response.status_code == 302
    registration = _registration(app, event, member)
    assert registration.status == "confirmed" and registration.consented_at is not None
    assert answers_of(app, registration.id) == {department: "人事課 主任", purpose: ["定着", "育成"]}
    assert outbox(member.email, kind="event.confirmed")


def test_answers_to_another_events_questions_and_unknown_options_are_refused(app, client, auth, make_member,
                                                                            make_event, ask):
    event, other = make_event(), make_event()
    mine = ask(event, "choice", "目的", choices=("情報収集", "相談"))
    theirs = ask(other, "text", "よその質問")
    member = make_member()
    auth.login(member)
    response = client.post(f"/events/{event.id}/signup", data={f"q{mine}": "<script>", f"q{theirs}": "紛れ込み"})
    assert response.status_code == 422 and "選択肢から選んでください" in response.get_data(as_text=True)
    client.post(f"/events/{event.id}/signup", data={f"q{mine}": "相談", f"q{theirs}": "紛れ込み"})
    registration = _registration(app, event, member)
    assert answers_of(app, registration.id) == {mine: "相談"}  # the other event's question was not answered


def test_oversized_answers_are_refused(app, client, auth, make_member, make_event, ask):
    event = make_event()
    question = ask(event, "text", "部署", required=True)
    member = make_member()
    auth.login(member)
    response = client.post(f"/events/{event.id}/signup", data={f"q{question}": "部" * 201})
    assert response.status_code == 422 and _registration(app, event, member) is None


def test_the_api_takes_answers_and_documents_them(app, client, make_member, make_event, ask, api_token):
    event = make_event(consent_note="回答は準備にのみ使います。")
    department = ask(event, "text", "部署", required=True)
    interests = ask(event, "choices", "関心", choices=("採用", "定着"))
    other = ask(make_event(), "text", "別イベントの質問")
    member = make_member()
    headers = {"Authorization": f"Bearer {api_token(member)}"}
    detail = client.get(f"/api/v1/events/{event.id}").get_json()
    assert [q["id"] for q in detail["registration_questions"]] == [department, interests]
    assert detail["consent_note"] == "回答は準備にのみ使います。"
    url = f"/api/v1/events/{event.id}/registration"

    for body, fragment in (
        ({"answers": {str(interests): ["採用"]}, "consent": True}, "部署"),            # required left out
        ({"answers": {str(department): "人事"}}, "同意"),                               # no consent
        ({"answers": {str(department): "人事", str(other): "x"}, "consent": True}, str(other)),
        ({"answers": {str(department): 42}, "consent": True}, "answers"),
        ({"answers": {str(department): "人事", str(interests): ["営業"]}, "consent": True}, "関心"),
        (["not", "an", "object"], "JSON"),
    ):
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422, body
        assert fragment in response.get_json()["error"]["message"]
    assert _registration(app, event, member) is None

    response = client.post(url, json={"answers": {str(department): "人事課", str(interests): ["採用", "定着"]},
                                      "consent": True}, headers=headers)
    assert response.status_code == 201 and response.get_json()["status"] == "confirmed"
    registration = _registration(app, event, member)
    assert answers_of(app, registration.id) == {department: "人事課", interests: ["採用", "定着"]}
    document = client.get("/api/v1/openapi.json").get_json()
    post = document["paths"]["/events/{event_id}/registration"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("RegistrationRequest")
    assert "422" in post["responses"]


def test_an_event_without_questions_still_registers_by_api_without_a_body(app, client, make_member, make_event,
                                                                          api_token):
    event = make_event()
    member = make_member()
    response = client.post(f"/api/v1/events/{event.id}/registration",
                           headers={"Authorization": f"Bearer {api_token(member)}"})
    assert response.status_code == 201


# --- what the organiser sees ----------------------------------------------------------------


def test_answers_show_in_the_attendee_list_the_summary_and_the_csv(app, client, auth, make_member,
                                                                   make_organiser, make_event, ask, register):
    staff, organization = make_organiser()
    event = make_event(organization=organization)
    note = ask(event, "text", "=配慮事項")
    purpose = ask(event, "choice", "目的", choices=("採用", "定着"))
    members = [make_member(display_name=name) for name in ("佐藤 美咲", "田中 健一")]
    for member, values in zip(members, (("=HYPERLINK(\"http://evil.example\")", "採用"), ("車いすで伺います", "採用")),
                              strict=True):
        registration = register(event, member)
        with app.app_context():
            db.session.add_all([EventAnswer(question_id=note, registration_id=registration.id, value=values[0]),
                                EventAnswer(question_id=purpose, registration_id=registration.id, value=values[1])])
            db.session.commit()
    auth.login(staff)
    listing = client.get(f"/events/{event.id}/attendees").get_data(as_text=True)
    assert "車いすで伺います" in listing and "<dt>目的</dt><dd>採用</dd>" in listing
    summary = client.get(f"/events/{event.id}/answers").get_data(as_text=True)
    assert "回答2件" in summary and '<td class="num">2</td>' in summary and "<svg" in summary
    response = client.get(f"/events/{event.id}/attendees.csv")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = text.lstrip("\ufeff").splitlines()
    assert header.endswith("受付番号,'=配慮事項,目的")
    assert any(row.endswith("\"'=HYPERLINK(\"\"http://evil.example\"\")\",採用") for row in rows), rows


# --- erasure and retention ------------------------------------------------------------------


def test_answers_go_with_a_deleted_account(app, make_member, make_event, ask, register):
    event = make_event()
    question = ask(event, "text", "部署")
    member = make_member()
    registration = register(event, member)
    with app.app_context():
        db.session.add(EventAnswer(question_id=question, registration_id=registration.id, value="総務部"))
        db.session.commit()
        member_services.delete_member(db.session.get(Member, member.id))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EventAnswer)) == 0


def test_answers_are_deleted_after_the_retention_period(app, make_member, make_event, ask, register, runner):
    kept, due = make_event(answer_retention_days=30), make_event(answer_retention_days=30)
    registrations = {}
    for event in (kept, due):
        question = ask(event, "text", "部署")
        survey = ask(event, "rating", "満足度", purpose="survey")
        registration = register(event, make_member())
        registrations[event.id] = registration.id
        with app.app_context():
            db.session.add_all([EventAnswer(question_id=question, registration_id=registration.id, value="人事"),
                                EventAnswer(question_id=survey, registration_id=registration.id, value=5)])
            db.session.commit()
    now = utcnow()
    set_event(app, kept.id, starts_at=now - timedelta(days=29, hours=3), ends_at=now - timedelta(days=29))
    set_event(app, due.id, starts_at=now - timedelta(days=31, hours=3), ends_at=now - timedelta(days=31))
    assert "1" in runner.invoke(args=["events", "purge-answers"]).output
    assert list(answers_of(app, registrations[kept.id]).values()) == ["人事", 5]
    assert list(answers_of(app, registrations[due.id]).values()) == [5]  # the survey's answers are anonymous figures
    with app.app_context():
        assert db.session.get(Event, due.id).answers_purged_at is not None
        assert questions.purge_expired_answers() == 0  # once
