"""After the event: the survey (mailed once to those present, answered once, results), materials and the closing
report; calendars, sharing and what an event page tells a visitor."""

import re
from datetime import timedelta

import icalendar
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from core.db import db, utcnow
from events import questions, surveys
from events.models import EventAnswer, Registration
from knowhow.models import Article
from members import notifications
from tests.events.conftest import set_event


def _past_event_with_survey(app, make_event, ask, register, members, organization=None, present=None):
    """An event that ended an hour ago; `present` of `members` marked attended, the rest absent."""
    event = make_event(organization=organization)
    rating = ask(event, "rating", "満足度", required=True, purpose="survey")
    comment = ask(event, "textarea", "感想", purpose="survey")
    registrations = [register(event, member) for member in members]
    now = utcnow()
    set_event(app, event.id, starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
    with app.app_context():
        for index, registration in enumerate(registrations):
            row = db.session.get(Registration, registration.id)
            row.attendance = "attended" if index < (len(members) if present is None else present) else "absent"
        db.session.commit()
    return event, rating, comment


def _send(app) -> int:
    with app.app_context():
        sent = surveys.send_surveys()
        db.session.commit()
        return sent


def test_the_survey_is_mailed_once_to_those_present_who_want_it(app, make_member, make_event, ask, register,
                                                                outbox):
    present, switched_off, absent = make_member(), make_member(), make_member()
    with app.app_context():
        notifications.set_preference(switched_off.id, "event_surveys", False)
        db.session.commit()
    event, _rating, _comment = _past_event_with_survey(app, make_event, ask, register,
                                                       [present, switched_off, absent], present=2)
    assert _send(app) == 1
    assert _send(app) == 0  # idempotent
    mail = outbox(present.email, kind="event.survey")
    assert len(mail) == 1 and f"/events/{event.id}/survey" in mail[0].body
    assert "List-Unsubscribe" in mail[0].headers
    assert outbox(switched_off.email, kind="event.survey") == [] and outbox(absent.email, kind="event.survey") == []


def test_a_survey_is_not_mailed_before_the_end_or_without_questions(app, make_member, make_event, ask, register):
    member = make_member()
    upcoming = make_event()
    ask(upcoming, "rating", "満足度", purpose="survey")
    registration = register(upcoming, member)
    with app.app_context():
        db.session.get(Registration, registration.id).attendance = "attended"
        db.session.commit()
    plain = make_event()
    register(plain, member)
    now = utcnow()
    set_event(app, plain.id, starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
    assert _send(app) == 0


def test_a_person_present_answers_once_and_others_cannot(app, client, auth, make_member, make_event, ask, register):
    present, absent = make_member(), make_member()
    event, rating, comment = _past_event_with_survey(app, make_event, ask, register, [present, absent], present=1)
    auth.login(absent)
    assert client.get(f"/events/{event.id}/survey").status_code == 404
    assert client.post(f"/events/{event.id}/survey", data={f"q{rating}": "5"}).status_code == 404
    auth.logout()
    auth.login(present)
    assert "アンケートに回答する" in client.get(f"/events/{event.id}").get_data(as_text=True)
    response = client.post(f"/events/{event.id}/survey", data={f"q{comment}": "とても参考になりました"})
    assert response.status_code == 422 and "とても参考になりました" in response.get_data(as_text=True)
    assert client.post(f"/events/{event.id}/survey", data={f"q{rating}": "9"}).status_code == 422
    response = client.post(f"/events/{event.id}/survey", data={f"q{rating}": "4", f"q{comment}": "=1+1"})
    assert response.status_code == 200 and "送信しました" in response.get_data(as_text=True)
    again = client.post(f"/events/{event.id}/survey", data={f"q{rating}": "1"})
    assert "回答済み" in again.get_data(as_text=True)
    with app.app_context():
        assert sorted(map(str, db.session.scalars(sa.select(EventAnswer.value)).all())) == ["4", "=1+1"]
        assert surveys.average_rating() == (4.0, 1)


def test_a_double_submit_stores_one_set_of_answers(app, make_member, make_event, ask, register):
    member = make_member()
    event, rating, _comment = _past_event_with_survey(app, make_event, ask, register, [member])
    with app.app_context(), app.test_request_context():
        registration = db.session.scalars(sa.select(Registration)).one()
        form = questions.answers_form(registration.event.questions_for("survey"),
                                      formdata=MultiDict({f"q{rating}": "5"}), csrf=False)
        assert form.validate()
        assert surveys.record(registration, form) is True
        assert surveys.record(registration, form) is False
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EventAnswer)) == 1


def test_the_organiser_sees_results_with_a_chart_and_a_csv(app, client, auth, make_member, make_organiser,
                                                           make_event, ask, register):
    staff, organization = make_organiser()
    members = [make_member() for _ in range(3)]
    event, rating, comment = _past_event_with_survey(app, make_event, ask, register, members, organization)
    for member, (score, text) in zip(members, (("5", "=HYPERLINK(\"x\")"), ("4", ""), ("4", "次回も参加します")),
                                     strict=True):
        auth.login(member)
        client.post(f"/events/{event.id}/survey", data={f"q{rating}": score, f"q{comment}": text})
        auth.logout()
    auth.login(staff)
    html = client.get(f"/events/{event.id}/survey/results").get_data(as_text=True)
    assert "平均 4.3（5点満点）" in html and "次回も参加します" in html
    assert re.search(r'<svg class="bar-chart"[^>]*role="img"', html) and "<script" not in html.split("<main")[1]
    csv = client.get(f"/events/{event.id}/survey.csv").get_data().decode("utf-8")
    assert csv.startswith("\ufeff") and "'=HYPERLINK" in csv and members[0].display_name not in csv
    organisation_page = client.get(f"/alliance/{organization.slug}").get_data(as_text=True)
    assert "平均満足度：4.3" in organisation_page
    assert "平均満足度" in client.get("/impact").get_data(as_text=True)
    auth.logout()
    auth.login(members[0])
    assert client.get(f"/events/{event.id}/survey/results").status_code == 404


def test_materials_and_the_closing_report_become_a_knowhow_draft(app, client, auth, make_member, make_organiser,
                                                                 make_event):
    staff, organization = make_organiser()
    event = make_event(organization=organization)
    auth.login(staff)
    response = client.post(f"/events/{event.id}/followup", data={"slides_url": "http://insecure.example/slides",
                                                                 "report": "当日の様子"})
    assert response.status_code == 422 and "当日の様子" in response.get_data(as_text=True)
    client.post(f"/events/{event.id}/followup", data={
        "slides_url": "https://example.jp/slides", "recording_url": "https://example.jp/video",
        "report": "参加者同士の対話が活発でした。"})
    detail = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'href="https://example.jp/slides"' in detail and 'href="https://example.jp/video"' in detail
    response = client.post(f"/events/{event.id}/followup/knowhow")
    assert response.status_code == 302 and "/knowhow/" in response.headers["Location"]
    with app.app_context():
        article = db.session.scalars(sa.select(Article)).one()
        assert (article.kind, article.status, article.visibility) == ("report", "draft", "members")
        assert "参加者同士の対話が活発でした。" in article.body and "出席：0人" in article.body
    auth.logout()
    auth.login(make_member())
    assert client.get(f"/events/{event.id}/followup").status_code == 404
    assert client.post(f"/events/{event.id}/followup/knowhow").status_code == 404


# --- calendars, sharing, the event page -----------------------------------------------------


def test_an_event_page_shows_address_map_fee_contact_and_calendar_links(client, make_member, make_organiser,
                                                                        make_event):
    _staff, organization = make_organiser()
    event = make_event(organization=organization, address="宮城県石巻市中央1-1-1", fee="3,000円(当日払い)",
                       capacity=20, confirmed_count=18)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "宮城県石巻市中央1-1-1" in html and "3,000円(当日払い)" in html and "残りわずか" in html
    assert "https://www.google.com/maps/search/?api=1&amp;query=" in html
    assert f'href="/alliance/{organization.slug}#contact"' in html
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in html
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in html
    assert f'<meta property="og:title" content="{event.title}' in html
    assert '<meta property="og:type" content="article">' in html
    assert re.search(rf'<meta property="og:url" content="http[^"]+/events/{event.id}">', html)
    assert '<meta name="twitter:card" content="summary">' in html


def test_the_personal_calendar_follows_confirmed_registrations(app, client, auth, make_member, make_event, register):
    member, other = make_member(), make_member()
    going, full = make_event(title="参加する会"), make_event(title="補欠の会", capacity=1)
    register(going, member)
    register(full, other)
    register(full, member)
    auth.login(member)
    assert "カレンダー用のURLを発行する" in client.get("/members/me/calendar").get_data(as_text=True)
    client.post("/members/me/calendar")
    page = client.get("/members/me/calendar").get_data(as_text=True)
    url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)
    path = url.split("://", 1)[1].split("/", 1)[1]
    auth.logout()
    feed = client.get("/" + path)  # a calendar app fetches it without a login
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    titles = [str(item["summary"]) for item in icalendar.Calendar.from_ical(feed.data).walk("VEVENT")]
    assert titles == ["参加する会"]
    assert client.get("/members/me/calendar/" + "x" * 43 + ".ics").status_code == 404
    auth.login(member)
    client.post("/members/me/calendar")  # a new address: the old one stops working
    assert client.get("/" + path).status_code == 404
