"""Forms of the events blueprint: event, series, organiser message, attendance."""

from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    URLField,
)
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from core import refdata
from core.forms import MarkdownField, MultiCheckboxField, TextAreaField, choice_list
from core.pictures import picture_mixin
from events.questions import MAX_CHOICES, parse_choices
from events.services import MAX_EVENT_LENGTH

TOKYO = ZoneInfo("Asia/Tokyo")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
MAX_CAPACITY = 10_000

KIND_LABELS = {
    "seminar": _l("Seminar"),
    "consultation": _l("Consultation session"),
    "meeting": _l("Regular meeting"),
    "conference": _l("Conference"),
    "training": _l("Training"),
}
FORMAT_LABELS = {"venue": _l("At a venue"), "online": _l("Online"), "hybrid": _l("Hybrid")}
AUDIENCE_LABELS = {"public": _l("Open to everyone"), "members": _l("RAN members only")}
ALLOCATION_LABELS = {"first-come": _l("First come, first served"), "lottery": _l("Lottery")}
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"), "cancelled": _l("Cancelled")}


def tokyo_to_utc(value: datetime | None) -> datetime | None:
    """A naive Asia/Tokyo time from a form as an aware UTC datetime."""
    if value is None:
        return None
    return value.replace(tzinfo=TOKYO).astimezone(UTC)


def utc_to_tokyo(value: datetime | None) -> datetime | None:
    """An aware UTC datetime as the naive Asia/Tokyo time a form shows."""
    if value is None:
        return None
    return value.astimezone(TOKYO).replace(tzinfo=None)


class TokyoDateTimeField(DateTimeLocalField):
    """A datetime-local input (Asia/Tokyo) with a message that shows the expected shape."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Please enter the date and time like 2026-11-21T14:00.")) from None


class EventForm(picture_mixin(_l("Cover picture"), _l("Text for the cover picture")), FlaskForm):
    """Create or edit an event; times are typed in Asia/Tokyo."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Please enter a title.")), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=choice_list(KIND_LABELS),
                       validators=[DataRequired(_l("Please choose a kind."))])
    format = SelectField(_l("Format"), choices=choice_list(FORMAT_LABELS),
                         validators=[DataRequired(_l("Please choose a format."))])
    starts_at = TokyoDateTimeField(
        _l("Starts at"), format=DATETIME_FORMAT,
        validators=[InputRequired(_l("Please enter the start as date and time."))],
    )
    ends_at = TokyoDateTimeField(
        _l("Ends at"), format=DATETIME_FORMAT,
        validators=[InputRequired(_l("Please enter the end as date and time."))],
    )
    signup_deadline = TokyoDateTimeField(_l("Registration deadline"), format=DATETIME_FORMAT,
                                         validators=[Optional()])
    capacity = IntegerField(
        _l("Capacity"),
        validators=[InputRequired(_l("Please enter the number of seats.")),
                    NumberRange(1, MAX_CAPACITY, _l("Please enter a number from 1 to 10,000."))],
    )
    waitlist_enabled = BooleanField(_l("Keep a waitlist when the event is full"), default=True)
    allocation = SelectField(_l("Allocation"), choices=choice_list(ALLOCATION_LABELS), default="first-come")
    per_organization_cap = IntegerField(
        _l("Seats per company (optional)"),
        validators=[Optional(), NumberRange(1, MAX_CAPACITY, _l("Please enter a number from 1 to 10,000."))],
    )
    audience = SelectField(_l("Audience"), choices=choice_list(AUDIENCE_LABELS), default="public")
    prefecture = SelectField(_l("Prefecture"), choices=refdata.prefecture_choices(), default="")
    venue = StringField(_l("Venue"), validators=[Length(max=200)])
    address = StringField(_l("Venue address"), validators=[Length(max=200)])
    fee = StringField(_l("Fee"), validators=[Length(max=100)])
    online_url = URLField(_l("Online meeting URL"), validators=[Length(max=500)])
    themes = MultiCheckboxField(_l("Themes"), choices=refdata.theme_choices())
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(_l("Please enter a short summary.")),
                                                       Length(max=300)])
    body = MarkdownField(_l("Details (Markdown)"), validators=[Length(max=20_000)])
    consent_note = TextAreaField(_l("How registration answers are used (optional)"),
                                 validators=[Length(max=2000)])
    answer_retention_days = IntegerField(
        _l("Delete registration answers after the event (days, optional)"),
        validators=[Optional(), NumberRange(1, 3650, _l("Please enter a number of days from 1 to 3,650."))],
    )
    organization = SelectField(_l("Organiser"), choices=[], validate_choice=True)
    series = SelectField(_l("Series"), choices=[], default="")
    status = SelectField(_l("Status"), default="draft",
                         choices=choice_list((key, STATUS_LABELS[key]) for key in ("draft", "published")))

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))
        if self.starts_at.data and field.data and field.data - self.starts_at.data > MAX_EVENT_LENGTH:
            raise ValidationError(_l("An event can last at most %(days)d days; make a longer programme a series.",
                                     days=MAX_EVENT_LENGTH.days))

    def validate_signup_deadline(self, field):
        if field.data and self.starts_at.data and field.data > self.starts_at.data:
            raise ValidationError(_l("The deadline must not be after the start."))

    def validate_allocation(self, field):
        # Here rather than on the deadline field: Optional() stops that field's checks when it is empty.
        if field.data == "lottery" and not self.signup_deadline.data and not self.signup_deadline.errors:
            raise ValidationError(_l("A lottery needs an application deadline."))

    def validate_prefecture(self, field):
        if field.data and field.data not in refdata.PREFECTURES_BY_CODE:
            raise ValidationError(_l("Please choose a prefecture."))
        if self.format.data in ("venue", "hybrid") and not field.data:
            raise ValidationError(_l("Please choose the prefecture of the venue."))

    def validate_venue(self, field):
        if self.format.data in ("venue", "hybrid") and not (field.data or "").strip():
            raise ValidationError(_l("Please enter the venue."))

    def validate_online_url(self, field):
        url = (field.data or "").strip()
        if self.format.data in ("online", "hybrid") and not url:
            raise ValidationError(_l("Please enter the online meeting URL."))
        if url:
            parts = urlsplit(url)
            if parts.scheme != "https" or "." not in (parts.hostname or "") or any(c.isspace() for c in url):
                raise ValidationError(_l("Please enter a URL starting with https://."))

    def validate_per_organization_cap(self, field):
        if field.data and self.capacity.data and field.data > self.capacity.data:
            raise ValidationError(_l("The seats per company cannot exceed the capacity."))

    def validate_themes(self, field):
        if not field.data:
            raise ValidationError(_l("Please choose at least one theme."))

    def event_data(self, organization_ids: dict[str, int | None], series_ids: dict[str, int]) -> dict:
        """The validated values as event attributes (times in UTC)."""
        return {
            "title": self.title.data.strip(),
            "kind": self.kind.data,
            "format": self.format.data,
            "starts_at": tokyo_to_utc(self.starts_at.data),
            "ends_at": tokyo_to_utc(self.ends_at.data),
            "signup_deadline": tokyo_to_utc(self.signup_deadline.data),
            "capacity": self.capacity.data,
            "waitlist_enabled": bool(self.waitlist_enabled.data),
            "allocation": self.allocation.data,
            "per_organization_cap": self.per_organization_cap.data or None,
            "audience": self.audience.data,
            "prefecture": self.prefecture.data or None,
            "venue": (self.venue.data or "").strip(),
            "address": (self.address.data or "").strip(),
            "fee": (self.fee.data or "").strip(),
            "consent_note": (self.consent_note.data or "").strip(),
            "answer_retention_days": self.answer_retention_days.data or None,
            "online_url": (self.online_url.data or "").strip(),
            "themes": self.themes.data,
            "summary": self.summary.data.strip(),
            "body": self.body.data or "",
            "organization_id": organization_ids[self.organization.data],
            "series_id": series_ids.get(self.series.data),
            "status": self.status.data,
        }


class SeriesForm(FlaskForm):
    """Create or edit a series of sessions (連続講座)."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Please enter a title.")), Length(max=120)])
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(_l("Please enter a short summary.")),
                                                       Length(max=300)])
    body = MarkdownField(_l("Details (Markdown)"), validators=[Length(max=20_000)])
    organization = SelectField(_l("Organiser"), choices=[], validate_choice=True)


class CancelEventForm(FlaskForm):
    reason = TextAreaField(_l("Message to the registrants (optional)"), validators=[Length(max=2000)])


class MessageForm(FlaskForm):
    """A message from the organiser to every confirmed attendee."""

    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Please enter a subject.")), Length(max=150)])
    body = TextAreaField(_l("Message text"), validators=[DataRequired(_l("Please enter a message.")),
                                                    Length(max=10_000)])


ATTENDANCE_LABELS = {"": _l("Not marked"), "attended": _l("Attended"), "absent": _l("Absent")}


class AttendanceEntry(Form):
    """One confirmed attendee's 出欠."""

    registration_id = IntegerField(validators=[InputRequired()], widget=HiddenInput())
    attendance = SelectField(_l("Attendance"), choices=choice_list(ATTENDANCE_LABELS), default="")


class AttendanceForm(FlaskForm):
    marks = FieldList(FormField(AttendanceEntry), max_entries=500)


class QuestionForm(FlaskForm):
    """One question of the registration step or the survey; `kind`'s choices are set per purpose."""

    kind = SelectField(_l("Kind of answer"), choices=[], validate_choice=True)
    label = StringField(_l("Question"), validators=[DataRequired(_l("Please enter the question.")), Length(max=200)])
    choices = TextAreaField(_l("Options (one per line)"), validators=[Length(max=2000)])
    required = BooleanField(_l("An answer is required"))

    def validate_choices(self, field):
        if self.kind.data not in ("choice", "choices"):
            return
        options = parse_choices(field.data)
        if len(options) < 2:
            raise ValidationError(_l("Please enter at least two options, one per line."))
        if len(options) > MAX_CHOICES:
            raise ValidationError(_l("Please enter at most %(count)d options.", count=MAX_CHOICES))
        if any(len(option) > 100 for option in options):
            raise ValidationError(_l("Each option can be at most 100 characters long."))


class FollowUpForm(FlaskForm):
    """What the organiser adds after the event: materials and the closing report."""

    slides_url = URLField(_l("Slides (link)"), validators=[Length(max=500)])
    recording_url = URLField(_l("Recording (link)"), validators=[Length(max=500)])
    report = MarkdownField(_l("Closing report (Markdown)"), validators=[Length(max=20_000)])

    def _https(self, field):
        url = (field.data or "").strip()
        if url:
            parts = urlsplit(url)
            if parts.scheme != "https" or "." not in (parts.hostname or "") or any(c.isspace() for c in url):
                raise ValidationError(_l("Please enter a URL starting with https://."))

    def validate_slides_url(self, field):
        self._https(field)

    def validate_recording_url(self, field):
        self._https(field)


class CheckInForm(FlaskForm):
    code = StringField(_l("Reception code"), validators=[DataRequired(_l("Please enter the code.")), Length(max=200)])


class SelfCheckInForm(FlaskForm):
    code = StringField(_l("Attendance code"), validators=[DataRequired(_l("Please enter the code.")), Length(max=20)])
