"""Event pages: list, detail, signup/cancel, organiser tools, calendars, series."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload, with_expression
from wtforms.fields import SelectChoice

from alliance.permissions import acting_organizations, staff_organization_ids
from core import fragments, pictures, refdata
from core.audit import audit
from core.auth import admin_required, confirmed_required, is_admin
from core.csv_download import csv_download
from core.db import db, utcnow
from core.forms import EmptyForm, choice_list
from core.i18n import format_local_datetime
from core.paging import paginate
from events import calendar, checkin, permissions, questions, refusals, services, surveys
from events.forms import (
    ATTENDANCE_LABELS,
    STATUS_LABELS,
    AttendanceForm,
    CancelEventForm,
    EventForm,
    MessageForm,
    SeriesForm,
    utc_to_tokyo,
)
from events.lottery import draw_lottery, verify_draw
from events.models import (
    APPLIED,
    AUDIENCES,
    CONFIRMED,
    FORMATS,
    KINDS,
    SIGNUP_QUESTIONS_ASKED,
    WAITLISTED,
    Event,
    EventSeries,
    Registration,
)
from events.registration import (
    cancel_registration,
    kept_registration_of,
    refusal_for,
    register,
    registration_of,
    waitlist_position,
)
from events.series import register_series, series_sessions
from members.models import Member

bp = Blueprint("events", __name__, url_prefix="/events", template_folder="templates")

PER_PAGE = 20
ATTENDEES_PER_PAGE = 100
#: the attendee list: confirmed first, then the waitlist in order, applicants, cancellations
STATUS_ORDER = sa.case(
    {CONFIRMED: 0, WAITLISTED: 1, APPLIED: 2}, value=Registration.status, else_=3
)


# --- loading --------------------------------------------------------------------


#: one event, built once (SQLAlchemy keeps its cache key with it), with whether it asks anything at signup; the
#: organiser, cover, themes, series and lottery record load where a page shows them (the event page's cached
#: part), not on every request
EVENT_QUERY = sa.select(Event).where(Event.id == sa.bindparam("event_id")).options(
    with_expression(Event.asks_signup_questions, SIGNUP_QUESTIONS_ASKED))


def get_visible_event_or_404(event_id: int) -> Event:
    """The event if this visitor may see it (drafts: organisers; deleted: admins), else 404."""
    return _visible_or_404(db.session.scalars(EVENT_QUERY, {"event_id": event_id}).first())


def _kept_visible_event_or_404(event_id: int) -> Event:
    """get_visible_event_or_404 for the event page, read most often: the event's row is kept per process until
    the event, its seats or its questions are written, so a warm page asks nothing."""
    return _visible_or_404(fragments.kept_row(
        "events.row", event_id, Event, lambda: db.session.scalars(EVENT_QUERY, {"event_id": event_id}).first()))


def _visible_or_404(event: Event | None) -> Event:
    if event is None or not permissions.is_visible(event):
        abort(404)
    return event


def get_managed_event_or_404(event_id: int) -> Event:
    """The event if the current user organises it (or is an admin), else 404."""
    event = get_visible_event_or_404(event_id)
    if not permissions.can_manage(event):
        abort(404)
    return event


def _organizer_choices() -> tuple[list[SelectChoice], dict]:
    """(choices, slug → id) of the organisers the current user may choose."""
    organizations = acting_organizations()
    choices = choice_list((o.slug, o.name) for o in organizations)
    ids: dict[str, int | None] = {o.slug: o.id for o in organizations}
    if is_admin():
        choices.insert(0, SelectChoice("", _("Secretariat")))
        ids[""] = None
    return choices, ids


def _series_choices() -> tuple[list[SelectChoice], dict]:
    query = sa.select(EventSeries).where(EventSeries.deleted_at.is_(None))
    if not is_admin():
        query = query.where(EventSeries.organization_id.in_(staff_organization_ids()))
    series = db.session.scalars(query.order_by(EventSeries.created_at.desc())).all()
    return (choice_list(((str(s.id), s.title) for s in series), blank=_("None")),
            {str(s.id): s.id for s in series})


def _flash_refusal(error: refusals.RegistrationRefused) -> None:
    flash(error.message, "error")


# --- list and detail ---------------------------------------------------------------


def _filter_value(name: str, allowed) -> str:
    value = request.args.get(name, "")
    return value if value in allowed else ""


@bp.get("/")
def index():
    """Upcoming events (or the past archive), filtered and paginated."""
    past = request.args.get("when") == "past"
    filters = {
        "theme": _filter_value("theme", refdata.THEMES_BY_SLUG),
        "prefecture": _filter_value("prefecture", refdata.PREFECTURES_BY_CODE),
        "format": _filter_value("format", FORMATS),
        "kind": _filter_value("kind", KINDS),
        "audience": _filter_value("audience", AUDIENCES),
    }

    def body() -> str:
        query = services.listed_events_query(utcnow(), past=past)
        if filters["theme"]:
            query = query.where(Event.theme_rows.any(theme=filters["theme"]))
        if filters["prefecture"]:
            query = query.where(Event.prefecture == filters["prefecture"])
        for name in ("format", "kind", "audience"):
            if filters[name]:
                query = query.where(getattr(Event, name) == filters[name])
        page = paginate(query, PER_PAGE, capped=True)
        return render_template("events/_index_body.html", page=page, past=past, filters=filters)

    return render_template(
        "events/index.html", past=past, body=fragments.cached("events.index", fragments.query_arguments(), body),
        can_create=permissions.can_create_events(),
    )


@bp.get("/<int:event_id>")
def detail(event_id: int):
    """The event with seats left, waitlist size, and the visitor's own status and button."""
    event = _kept_visible_event_or_404(event_id)
    registration = kept_registration_of(event, current_user)
    return render_template(
        "events/detail.html",
        event=event,
        registration=registration,
        position=waitlist_position(registration),
        refusal=refusal_for(event, current_user),
        can_manage=permissions.can_manage(event),
        show_online_url=permissions.may_see_online_url(event, registration),
        show_details=event.audience == "public" or current_user.is_authenticated,
        self_checkin=(registration is not None and registration.status == CONFIRMED
                      and registration.attendance != "attended" and checkin.self_checkin_open(event)),
        survey_open=surveys.may_answer(event, registration) is None,
    )


@bp.get("/manage")
@login_required
def manage():
    """Events the current user organises, drafts included."""
    if not permissions.can_create_events():
        abort(404)
    query = (
        sa.select(Event)
        .where(Event.deleted_at.is_(None))
        .options(selectinload(Event.theme_rows), joinedload(Event.organization))
        .order_by(Event.starts_at.desc(), Event.id.desc())
    )
    if not is_admin():
        query = query.where(Event.organization_id.in_(staff_organization_ids()))
    page = paginate(query, PER_PAGE)
    return render_template("events/manage.html", page=page)


@bp.get("/trash")
@admin_required
def trash():
    """Deleted events, which an admin can restore."""
    query = (
        sa.select(Event)
        .where(Event.deleted_at.is_not(None))
        .options(selectinload(Event.theme_rows), joinedload(Event.organization))
        .order_by(Event.deleted_at.desc())
    )
    page = paginate(query, PER_PAGE)
    return render_template("events/trash.html", page=page, form=EmptyForm())


# --- member actions --------------------------------------------------------------------


def registration_message(registration: Registration, position: int | None) -> str:
    if registration.status == CONFIRMED:
        return _("Your place is confirmed.")
    if registration.status == WAITLISTED:
        return _("The event is full: you are number %(position)d on the waitlist.", position=position or 0)
    return _("Your application is received. The lottery is drawn after the deadline.")


@bp.route("/<int:event_id>/signup", methods=["GET", "POST"])
@login_required
@confirmed_required
def signup(event_id: int):
    """Register the current member, or put them on the waitlist; with the event's questions (and consent)
    answered on a step of their own when it asks any."""
    event = get_visible_event_or_404(event_id)
    asked = event.questions_for("signup")
    form = questions.answers_form(asked, consent_note=event.consent_note)
    if request.method == "GET" or not form.validate_on_submit():
        if request.method == "POST" and not asked and not event.consent_note:
            abort(400)  # only the CSRF token was checked
        if not event.asks_at_signup:
            return redirect(url_for("events.detail", event_id=event_id))
        status = 422 if form.errors else 200
        return render_template("events/signup.html", event=event, form=form,
                               fields=questions.question_fields(form, asked),
                               refusal=refusal_for(event, current_user),
                               registration=registration_of(event, current_user)), status
    try:
        registration = register(event, current_user)
        questions.save_answers(registration, asked, form)
        if event.consent_note:
            registration.consented_at = utcnow()
    except refusals.RegistrationRefused as refused:
        db.session.rollback()
        _flash_refusal(refused)
    else:
        position = waitlist_position(registration)
        db.session.commit()
        flash(registration_message(registration, position), "success")
    return redirect(url_for("events.detail", event_id=event_id))


@bp.get("/<int:event_id>/cancel")
@login_required
def confirm_cancel(event_id: int):
    """Ask before cancelling: what giving up this registration does, and the form that does it."""
    event = get_visible_event_or_404(event_id)
    registration = registration_of(event, current_user)
    if registration is None or not registration.is_active:
        abort(404)
    return render_template(
        "events/cancel_registration.html",
        event=event,
        registration=registration,
        position=waitlist_position(registration),
        refusal=refusal_for(event, current_user),
        form=EmptyForm(),
    )


@bp.post("/<int:event_id>/cancel")
@login_required
def cancel(event_id: int):
    """Give up one's place; the first on the waitlist moves up."""
    event = get_visible_event_or_404(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        cancel_registration(event, current_user)
    except refusals.RegistrationRefused as refused:
        db.session.rollback()
        _flash_refusal(refused)
    else:
        db.session.commit()
        flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("events.detail", event_id=event_id))


# --- organiser: create, edit, cancel, delete ------------------------------------------


def _render_event_form(form: EventForm, event: Event | None):
    return render_template("events/form.html", form=form, event=event)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@confirmed_required
def new():
    """Create an event (staff of an alliance organisation, admins)."""
    if not permissions.can_create_events():
        abort(404)
    form = EventForm()
    form.organization.choices, organization_ids = _organizer_choices()
    form.series.choices, series_ids = _series_choices()
    if request.method == "GET" and request.args.get("series") in series_ids:
        form.series.data = request.args["series"]
    pictures.prepare_form(form, None)
    if form.validate_on_submit():
        event = services.create_event(form.event_data(organization_ids, series_ids), current_user)
        pictures.save_from_form(form, event, "cover", current_user)
        db.session.commit()
        flash(_("The event is saved."), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return _render_event_form(form, None)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
@confirmed_required
def edit(event_id: int):
    """Edit an event; more seats move the waitlist up at once."""
    event = get_managed_event_or_404(event_id)
    form = EventForm(obj=event if request.method == "GET" else None)
    form.organization.choices, organization_ids = _organizer_choices()
    form.series.choices, series_ids = _series_choices()
    current_slug = event.organization.slug if event.organization else ""
    if current_slug not in organization_ids and event.organization is not None:
        # An admin editing keeps every choice; staff keep the event's own organiser.
        form.organization.choices.append(SelectChoice(current_slug, event.organization.name))
        organization_ids[current_slug] = event.organization_id
    if event.series is not None and str(event.series_id) not in series_ids:
        form.series.choices.append(SelectChoice(str(event.series_id), event.series.title))
        series_ids[str(event.series_id)] = event.series_id
    if event.status != "draft":
        form.status.choices = choice_list({"published": STATUS_LABELS["published"]})
        if event.status == "cancelled":
            form.status.choices = choice_list({"cancelled": STATUS_LABELS["cancelled"]})
    if request.method == "GET":
        form.starts_at.data = utc_to_tokyo(event.starts_at)
        form.ends_at.data = utc_to_tokyo(event.ends_at)
        form.signup_deadline.data = utc_to_tokyo(event.signup_deadline)
        form.organization.data = current_slug
        form.series.data = str(event.series_id) if event.series_id else ""
        form.prefecture.data = event.prefecture or ""
        form.themes.data = list(event.themes)
    pictures.prepare_form(form, event.cover)
    if form.validate_on_submit():
        try:
            services.update_event(event, form.event_data(organization_ids, series_ids), current_user)
            pictures.save_from_form(form, event, "cover", current_user)
        except refusals.ActionRefused as refused:
            db.session.rollback()
            if refused.field:
                form[refused.field].errors.append(refused.message)
            else:
                flash(refused.message, "error")
        else:
            db.session.commit()
            flash(_("The event is saved."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return _render_event_form(form, event)


@bp.route("/<int:event_id>/cancel-event", methods=["GET", "POST"])
@login_required
def cancel_event(event_id: int):
    """Cancel the event (中止): registrants are mailed, nothing is deleted."""
    event = get_managed_event_or_404(event_id)
    form = CancelEventForm()
    if form.validate_on_submit():
        try:
            mailed = services.cancel_event(event, current_user, (form.reason.data or "").strip())
        except refusals.ActionRefused as refused:
            db.session.rollback()
            flash(refused.message, "error")
        else:
            db.session.commit()
            flash(_("The event is cancelled. %(count)d registrants were notified by mail.", count=mailed),
                  "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/cancel_event.html", event=event, form=form)


@bp.post("/<int:event_id>/delete")
@login_required
def delete(event_id: int):
    """Soft delete (an admin can restore it)."""
    event = get_managed_event_or_404(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_event(event, current_user)
    db.session.commit()
    flash(_("The event is deleted. The secretariat can restore it."), "success")
    return redirect(url_for("events.index"))


@bp.post("/<int:event_id>/restore")
@admin_required
def restore(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.restore_event(event, current_user)
    db.session.commit()
    flash(_("The event is restored."), "success")
    return redirect(url_for("events.detail", event_id=event.id))


# --- organiser: attendees, attendance, message, lottery ------------------------------------


def _attendee_query(event: Event):
    return (
        sa.select(Registration)
        .where(Registration.event_id == event.id)
        .options(joinedload(Registration.member))
        .order_by(STATUS_ORDER, Registration.queue_position, Registration.confirmed_at, Registration.id)
    )


@bp.get("/<int:event_id>/attendees")
@login_required
def attendees(event_id: int):
    """Attendee list with status and waitlist order, 出欠, message and lottery tools."""
    event = get_managed_event_or_404(event_id)
    return _render_attendees(event, MessageForm())


def _render_attendees(event: Event, message_form: MessageForm):
    page = paginate(_attendee_query(event), ATTENDEES_PER_PAGE)
    attendance_form = AttendanceForm(formdata=None)
    for registration in page.items:
        if registration.status == CONFIRMED:
            attendance_form.marks.append_entry(
                {"registration_id": registration.id, "attendance": registration.attendance or ""}
            )
    entries = {entry.form.registration_id.data: entry for entry in attendance_form.marks}
    asked = event.questions_for("signup")
    answers = questions.answers_of([registration.id for registration in page.items], [q.id for q in asked])
    now = utcnow()
    return render_template(
        "events/attendees.html", event=event, page=page, attendance_form=attendance_form, entries=entries,
        asked=asked, answers=answers,
        message_form=message_form, form=EmptyForm(), started=now >= event.starts_at,
        draw_open=event.awaiting_draw and now >= event.signup_closes_at(),
        first_waitlist_rank=_waitlist_rank_offset(event, page),
    )


def _waitlist_rank_offset(event: Event, page) -> int:
    """How many waitlisted members come before this page (positions continue across pages).

    The list shows every confirmed registration first, then the waitlist in order, so the
    counters tell it without a query.
    """
    before_page = (page.page - 1) * page.per_page
    return min(max(before_page - event.confirmed_count, 0), event.waitlist_count)


@bp.get("/<int:event_id>/attendees.csv")
@login_required
def attendees_csv(event_id: int):
    """All registrations as CSV, UTF-8 with BOM so that Excel reads the Japanese."""
    event = get_managed_event_or_404(event_id)
    status_names = {
        CONFIRMED: _("Confirmed"), WAITLISTED: _("Waitlisted"), APPLIED: _("Applied (lottery)"),
        "cancelled": _("Cancelled"),
    }
    attendance_names = ATTENDANCE_LABELS
    asked = event.questions_for("signup")
    header = [_("No."), _("Name"), _("Email address"), _("Company or organisation"), _("Status"),
              _("Waitlist position"), _("Registered at"), _("Attendance"), _("Reception code"),
              *(question.label for question in asked)]
    question_ids = [question.id for question in asked]

    def rows():
        waitlist_rank = 0
        result = db.session.scalars(_attendee_query(event).execution_options(yield_per=500))
        for batch in result.partitions():
            # the answers of each batch of 500 in one query
            answers = questions.answers_of([registration.id for registration in batch], question_ids)
            for registration in batch:
                member = registration.member
                position = ""
                if registration.status == WAITLISTED:
                    waitlist_rank += 1
                    position = waitlist_rank
                given = answers.get(registration.id, {})
                yield (
                    registration.id,
                    member.display_name if member else _("(deleted account)"),
                    member.email if member else "",
                    member.organization_name if member else "",
                    status_names.get(registration.status, registration.status),
                    position,
                    format_local_datetime(registration.created_at),
                    str(attendance_names.get(registration.attendance or "", "")),
                    registration.ticket_code if registration.status == CONFIRMED else "",
                    *(questions.as_text(given.get(question_id)) for question_id in question_ids),
                )

    return csv_download(f"event-{event.id}-attendees.csv", header, rows())


@bp.post("/<int:event_id>/attendance")
@login_required
def attendance(event_id: int):
    """Record 出欠 after the event."""
    event = get_managed_event_or_404(event_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        flash(_("The attendance could not be saved. Please try again."), "error")
        return redirect(url_for("events.attendees", event_id=event.id))
    marks = {entry.form.registration_id.data: (entry.form.attendance.data or None) for entry in form.marks}
    try:
        changed = services.mark_attendance(event, marks, current_user)
    except refusals.ActionRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    else:
        db.session.commit()
        flash(_("Attendance saved (%(count)d changed).", count=changed), "success")
    return redirect(url_for("events.attendees", event_id=event.id, page=request.args.get("page")))


@bp.post("/<int:event_id>/message")
@login_required
def message(event_id: int):
    """Mail every confirmed attendee."""
    event = get_managed_event_or_404(event_id)
    form = MessageForm()
    if form.validate_on_submit():
        sent = services.message_attendees(event, form.subject.data.strip(), form.body.data, current_user)
        db.session.commit()
        flash(_("Your message was sent to %(count)d confirmed attendees.", count=sent), "success")
        return redirect(url_for("events.attendees", event_id=event.id))
    return _render_attendees(event, form)


@bp.post("/<int:event_id>/draw")
@login_required
def draw(event_id: int):
    """Draw the lottery (抽選) after the deadline."""
    event = get_managed_event_or_404(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        record = draw_lottery(event, current_user)
    except refusals.ActionRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for("events.attendees", event_id=event.id))
    db.session.commit()
    flash(_("The lottery is drawn: %(winners)d confirmed, %(waitlisted)d on the waitlist.",
            winners=len(record.winner_ids), waitlisted=len(record.drawn_order) - len(record.winner_ids)),
          "success")
    return redirect(url_for("events.lottery", event_id=event.id))


@bp.get("/<int:event_id>/lottery")
@login_required
def lottery(event_id: int):
    """The record of the draw and its re-check."""
    event = get_managed_event_or_404(event_id)
    if event.draw is None:
        abort(404)
    record = event.draw
    names = dict(db.session.execute(
        sa.select(Registration.id, Member.display_name)
        .outerjoin(Registration.member)
        .where(Registration.id.in_(record.drawn_order))
    ).all())
    return render_template(
        "events/lottery.html", event=event, record=record, verified=verify_draw(record),
        names=names, winners=set(record.winner_ids),
    )


# --- calendars ---------------------------------------------------------------------------------


@bp.get("/<int:event_id>.ics")
def event_ics(event_id: int):
    """One event as iCalendar."""
    event = get_visible_event_or_404(event_id)
    if event.status == "draft" or event.deleted_at is not None:
        abort(404)
    return calendar.ics_response(calendar.build_calendar([event]), f"event-{event.id}.ics")


@bp.get("/calendar.ics")
def calendar_ics():
    """Every published event (upcoming and the last months) as an iCalendar feed."""
    return calendar.ics_response(calendar.build_calendar(calendar.feed_events()), "ran-events.ics")


# --- series ---------------------------------------------------------------------------------


def get_series_or_404(series_id: int) -> EventSeries:
    series = db.session.scalars(
        sa.select(EventSeries)
        .where(EventSeries.id == series_id, EventSeries.deleted_at.is_(None))
        .options(
            joinedload(EventSeries.organization),
            # the themes each session shows, the questions the signup step asks (no query per session)
            selectinload(EventSeries.events).options(selectinload(Event.theme_rows), selectinload(Event.questions)),
        )
    ).first()
    if series is None:
        abort(404)
    return series


@bp.get("/series/<int:series_id>")
def series_detail(series_id: int):
    """A series (連続講座): its sessions and one button for all of them."""
    series = get_series_or_404(series_id)
    sessions = [e for e in series_sessions(series)]
    if not sessions and not permissions.can_manage(series):
        abort(404)
    mine = {}
    if current_user.is_authenticated and sessions:
        mine = {
            r.event_id: r
            for r in db.session.scalars(
                sa.select(Registration).where(
                    Registration.member_id == current_user.id,
                    Registration.event_id.in_([e.id for e in sessions]),
                )
            )
        }
    now = utcnow()
    upcoming = [e for e in sessions if e.starts_at > now]
    open_to_me = [e for e in upcoming if not (mine.get(e.id) and mine[e.id].is_active)]
    return render_template(
        "events/series.html", series=series, sessions=sessions, mine=mine, now=now,
        asks=any(event.asks_at_signup for event in upcoming),
        upcoming=upcoming, open_to_me=open_to_me, can_manage=permissions.can_manage(series), form=EmptyForm(),
        drafts=[e for e in series.events if e.status == "draft" and e.deleted_at is None]
        if permissions.can_manage(series) else [],
    )


@bp.route("/series/<int:series_id>/signup", methods=["GET", "POST"])
@login_required
@confirmed_required
def series_signup(series_id: int):
    """Register for every upcoming session at once, or for none; the sessions' questions are asked once on a
    step of their own when they ask any."""
    series = get_series_or_404(series_id)
    upcoming = [event for event in series_sessions(series) if event.starts_at > utcnow()]
    shared, notes = questions.shared_questions(upcoming), questions.consent_notes(upcoming)
    form = questions.series_form(shared, notes)
    if request.method == "GET" or not form.validate_on_submit():
        if request.method == "POST" and not shared and not notes:
            abort(400)  # only the CSRF token was checked
        if not shared and not notes:
            return redirect(url_for("events.series_detail", series_id=series.id))
        return render_template("events/series_signup.html", series=series, upcoming=upcoming, form=form,
                               fields=questions.question_fields(form, shared),
                               notes=notes), 422 if form.errors else 200
    try:
        outcomes = register_series(series, current_user)
    except refusals.RegistrationRefused as refused:
        db.session.rollback()
        if refused.event is not None:
            flash(_("Nothing was registered: %(title)s — %(reason)s",
                    title=refused.event.title, reason=refused.message), "error")
        else:
            _flash_refusal(refused)
        return redirect(url_for("events.series_detail", series_id=series.id))
    new = {outcome.event.id: outcome.registration for outcome in outcomes if outcome.new}
    questions.save_series_answers(new, shared, form)
    for outcome in outcomes:
        if outcome.new and outcome.event.consent_note:
            outcome.registration.consented_at = utcnow()
    confirmed = sum(1 for o in outcomes if o.new and o.registration.status == CONFIRMED)
    waitlisted = sum(1 for o in outcomes if o.new and o.registration.status == WAITLISTED)
    applied = sum(1 for o in outcomes if o.new and o.registration.status == APPLIED)
    db.session.commit()
    flash(_("You are registered for %(count)d sessions: %(confirmed)d confirmed, %(waitlisted)d on the "
            "waitlist, %(applied)d lottery applications.",
            count=confirmed + waitlisted + applied, confirmed=confirmed, waitlisted=waitlisted,
            applied=applied), "success")
    return redirect(url_for("events.series_detail", series_id=series.id))


@bp.route("/series/new", methods=["GET", "POST"])
@login_required
@confirmed_required
def series_new():
    """Create a series."""
    if not permissions.can_create_events():
        abort(404)
    form = SeriesForm()
    form.organization.choices, organization_ids = _organizer_choices()
    if form.validate_on_submit():
        series = EventSeries(
            title=form.title.data.strip(), summary=form.summary.data.strip(), body=form.body.data or "",
            organization_id=organization_ids[form.organization.data], created_by_id=current_user.id,
        )
        db.session.add(series)
        db.session.flush()
        audit("event_series.create", series)
        db.session.commit()
        flash(_("The series is saved. Now add its sessions."), "success")
        return redirect(url_for("events.series_detail", series_id=series.id))
    return render_template("events/series_form.html", form=form, series=None)


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
@login_required
@confirmed_required
def series_edit(series_id: int):
    """Edit a series."""
    series = get_series_or_404(series_id)
    if not permissions.can_manage(series):
        abort(404)
    form = SeriesForm(obj=series if request.method == "GET" else None)
    form.organization.choices, organization_ids = _organizer_choices()
    current_slug = series.organization.slug if series.organization else ""
    if current_slug not in organization_ids and series.organization is not None:
        form.organization.choices.append(SelectChoice(current_slug, series.organization.name))
        organization_ids[current_slug] = series.organization_id
    if request.method == "GET":
        form.organization.data = current_slug
    if form.validate_on_submit():
        series.title = form.title.data.strip()
        series.summary = form.summary.data.strip()
        series.body = form.body.data or ""
        series.organization_id = organization_ids[form.organization.data]
        audit("event_series.update", series)
        db.session.commit()
        flash(_("The series is saved."), "success")
        return redirect(url_for("events.series_detail", series_id=series.id))
    return render_template("events/series_form.html", form=form, series=series)

