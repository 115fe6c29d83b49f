"""Cancelling a registration asks first: GET /events/<id>/cancel explains, the POST there cancels."""

from tests.conftest import csrf_token_from
from tests.events.conftest import set_event, soon


def test_detail_links_to_the_confirmation_instead_of_cancelling_at_once(client, auth, make_event, make_member,
                                                                        register):
    event = make_event()
    member = make_member()
    register(event, member)
    auth.login(member)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}/cancel"' in html and ">申し込みを取り消す</a>" in html
    assert f'action="/events/{event.id}/cancel"' not in html


def test_confirmation_page_changes_nothing_and_says_what_cancelling_does(client, auth, make_event, make_members,
                                                                         register, reload, outbox):
    event = make_event(title="石巻 同期研修 説明会", capacity=1)
    holder, waiting = make_members(2)
    register(event, holder)
    register(event, waiting)
    auth.login(holder)
    response = client.get(f"/events/{event.id}/cancel")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>申し込みを取り消しますか？</h1>" in html
    assert "石巻 同期研修 説明会" in html and "参加確定" in html
    assert "お席が解放されます。補欠の方がいる場合は、補欠1番目の方の参加が確定し" in html
    assert "補欠の最後尾になります" in html
    assert f'<form method="post" action="/events/{event.id}/cancel"' in html
    assert ">取り消しを確定する</button>" in html and f'href="/events/{event.id}">戻る</a>' in html
    assert (reload.status_of(event.id, holder), reload.status_of(event.id, waiting)) == ("confirmed", "waitlisted")
    assert outbox(waiting.email, kind="event.promoted") == []


def test_confirmation_page_for_a_waitlisted_member(client, auth, make_event, make_members, register):
    event = make_event(capacity=1)
    holder, first_waiting, second_waiting = make_members(3)
    for member in (holder, first_waiting, second_waiting):
        register(event, member)
    auth.login(second_waiting)
    html = client.get(f"/events/{event.id}/cancel").get_data(as_text=True)
    assert "補欠2番" in html and "補欠から外れ、後ろの方の順番が繰り上がります。" in html
    assert "お席が解放されます" not in html


def test_confirmation_page_for_a_lottery_application(client, auth, make_event, make_member, register):
    event = make_event(allocation="lottery", signup_deadline=soon(2))
    member = make_member()
    register(event, member)
    auth.login(member)
    html = client.get(f"/events/{event.id}/cancel").get_data(as_text=True)
    assert "抽選申込中" in html and "抽選へのお申し込みを取り下げ" in html
    assert "締め切りまでは、再度お申し込みいただけます。" in html


def test_confirmation_page_after_the_deadline_warns_there_is_no_way_back(app, client, auth, make_event,
                                                                          make_member, register):
    event = make_event(signup_deadline=soon(2))
    member = make_member()
    register(event, member)
    set_event(app, event.id, signup_deadline=soon(-1))
    auth.login(member)
    html = client.get(f"/events/{event.id}/cancel").get_data(as_text=True)
    assert "取り消した後に再度お申し込みいただくことはできません" in html
    assert "補欠の最後尾" not in html and ">取り消しを確定する</button>" in html


def test_confirmation_page_after_the_start_offers_no_button(app, client, auth, make_event, make_member, register):
    event = make_event()
    member = make_member()
    register(event, member)
    set_event(app, event.id, starts_at=soon(-0.01), ends_at=soon(0.1))
    auth.login(member)
    html = client.get(f"/events/{event.id}/cancel").get_data(as_text=True)
    assert "すでに開始しているため、申し込みを取り消すことはできません" in html
    assert "取り消しを確定する" not in html


def test_confirmation_page_is_only_for_members_with_an_active_registration(client, auth, make_event, make_member,
                                                                           register):
    event = make_event()
    member = make_member()
    response = client.get(f"/events/{event.id}/cancel")
    assert response.status_code == 302 and "/members/login" in response.headers["Location"]
    auth.login(member)
    assert client.get(f"/events/{event.id}/cancel").status_code == 404
    auth.logout()
    register(event, member)
    auth.login(member)
    client.post(f"/events/{event.id}/cancel")
    assert client.get(f"/events/{event.id}/cancel").status_code == 404
    assert client.get("/events/999999/cancel").status_code == 404


def test_the_confirmation_form_cancels_with_its_csrf_token(make_app, make_event, make_members, register, reload,
                                                            outbox):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    event = make_event(capacity=1)
    holder, waiting = make_members(2)
    register(event, holder)
    register(event, waiting)
    browser = csrf_app.test_client()
    token = csrf_token_from(browser.get("/members/login").get_data(as_text=True))
    browser.post("/members/login", data={"email": holder.email, "password": "correct-horse-battery-42",
                                         "csrf_token": token})
    confirmation = browser.get(f"/events/{event.id}/cancel")
    assert confirmation.status_code == 200
    page = confirmation.get_data(as_text=True)
    assert browser.post(f"/events/{event.id}/cancel").status_code == 400
    assert reload.status_of(event.id, holder) == "confirmed"
    response = browser.post(f"/events/{event.id}/cancel", data={"csrf_token": csrf_token_from(page)},
                            follow_redirects=True)
    assert "申し込みを取り消しました。" in response.get_data(as_text=True)
    assert (reload.status_of(event.id, holder), reload.status_of(event.id, waiting)) == ("cancelled", "confirmed")
    assert len(outbox(waiting.email, kind="event.promoted")) == 1
