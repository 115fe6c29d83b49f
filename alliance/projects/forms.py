"""Forms of projects: posting, applying, the selection steps, and the programme pages."""

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from alliance.projects import services
from alliance.projects.models import COMPENSATIONS, HOST_TYPES, PROJECT_KINDS
from core import refdata
from core.forms import ChoiceField, MarkdownField, TextAreaField, choice_list
from members.expertise.forms import WholeNumberField, validate_skill_tags
from members.expertise.models import parse_skills

TITLE_MAX = 120
HOST_MAX = 120
LOCATION_MAX = 60
PROGRAMME_MAX = 80
DESCRIPTION_MAX = 10_000
COMPENSATION_NOTE_MAX = 200
MOTIVATION_MAX = 3_000
MESSAGE_MAX = 2_000
NOTE_MAX = 5_000
REPORT_MAX = 20_000
HOURS_MAX = 200
MONTHS_MAX = 36
POSITIONS_MAX = 100
HOURS_CONTRIBUTED_MAX = 100_000


class DayField(DateField):
    """A date (2026-12-01, also 2026/12/01), with one clear message when it cannot be read."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%Y/%m/%d"], **kwargs)

    def process_formdata(self, valuelist):
        values = [unicodedata.normalize("NFKC", value or "").strip() for value in valuelist]
        if not any(values):
            # Empty: no date (InputRequired or Optional decide whether that is fine).
            self.data = None
            return
        try:
            super().process_formdata(values)
        except ValueError as error:
            raise ValueError(_l("Please enter a date such as 2026-12-01.")) from error

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def _length(maximum: int):
    return Length(max=maximum, message=_l("Use at most %(max)d characters."))


def _number(minimum: int, maximum: int):
    return NumberRange(min=minimum, max=maximum, message=_l("Please enter a number from %(min)d to %(max)d."))


class ProjectForm(FlaskForm):
    """A 募集, posted by alliance staff for a local host."""

    organization = ChoiceField(_l("Posting organisation"),
                               validators=[DataRequired(_l("Please choose the posting organisation."))])
    kind = ChoiceField(_l("Kind"), validators=[DataRequired(_l("Please choose the kind of project."))])
    title = StringField(_l("Title"), validators=[DataRequired(_l("Please enter a title.")), _length(TITLE_MAX)])
    host_name = StringField(_l("Host"), validators=[DataRequired(_l("Please enter the host's name.")),
                                                    _length(HOST_MAX)])
    host_type = ChoiceField(_l("Type of host"), validators=[DataRequired(_l("Please choose the type of host."))])
    theme = ChoiceField(_l("Theme"), validators=[DataRequired(_l("Please choose a theme."))])
    prefecture = ChoiceField(_l("Prefecture"), validators=[DataRequired(_l("Please choose a prefecture."))])
    location = StringField(_l("City or area"), validators=[Optional(), _length(LOCATION_MAX)])
    programme_name = StringField(_l("Programme"), validators=[Optional(), _length(PROGRAMME_MAX)])
    description = MarkdownField(_l("Description"), validators=[DataRequired(_l("Please describe the project.")),
                                                               _length(DESCRIPTION_MAX)])
    skills = StringField(_l("Skills hoped for"), validators=[Optional(), _length(800)],
                         render_kw={"placeholder": _l("e.g. recruiting, HR system design, marketing")})
    hours_per_month = WholeNumberField(_l("Hours a month"), validators=[
        InputRequired(_l("Please enter the hours a month.")), _number(1, HOURS_MAX)])
    duration_months = WholeNumberField(_l("Months"), validators=[
        InputRequired(_l("Please enter the number of months.")), _number(1, MONTHS_MAX)])
    remote_possible = BooleanField(_l("Remote work possible"))
    compensation = ChoiceField(_l("Compensation"), validators=[DataRequired(_l("Please choose the compensation."))])
    compensation_note = StringField(_l("About the compensation"), validators=[Optional(),
                                                                              _length(COMPENSATION_NOTE_MAX)])
    deadline = DayField(_l("Application deadline"), validators=[
        InputRequired(_l("Please enter the application deadline as a date."))])
    positions = WholeNumberField(_l("Number of people wanted"), validators=[
        InputRequired(_l("Please enter the number of people wanted.")), _number(1, POSITIONS_MAX)])

    def __init__(self, *args, organizations=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.organization.choices = choice_list(((o.slug, o.name) for o in organizations),
                                                blank=_l("Select an organisation"))
        self.kind.choices = choice_list(PROJECT_KINDS, blank=_l("Select a kind"))
        self.host_type.choices = choice_list(HOST_TYPES, blank=_l("Select a type"))
        self.theme.choices = choice_list(refdata.theme_choices(), blank=_l("Select a theme"))
        self.prefecture.choices = refdata.prefecture_choices()
        self.compensation.choices = choice_list(COMPENSATIONS, blank=_l("Select"))

    @property
    def skill_labels(self) -> list[str]:
        return parse_skills(self.skills.data)

    def validate_skills(self, field):
        validate_skill_tags(field)

    def validate_deadline(self, field):
        # An old project keeps its past deadline when edited; a new one cannot start closed.
        if not self.editing and field.data and field.data < services.today():
            raise ValidationError(_l("The deadline cannot be in the past."))

    def project_fields(self) -> dict:
        return {
            "kind": self.kind.data, "title": self.title.data.strip(), "host_name": self.host_name.data.strip(),
            "host_type": self.host_type.data, "theme": self.theme.data, "prefecture": self.prefecture.data,
            "location": (self.location.data or "").strip(), "programme_name": (self.programme_name.data or "").strip(),
            "description": self.description.data.strip(), "hours_per_month": self.hours_per_month.data,
            "duration_months": self.duration_months.data, "remote_possible": self.remote_possible.data,
            "compensation": self.compensation.data,
            "compensation_note": (self.compensation_note.data or "").strip(),
            "deadline": self.deadline.data, "positions": self.positions.data,
        }


class ApplyForm(FlaskForm):
    motivation = TextAreaField(_l("Motivation"), validators=[
        DataRequired(_l("Please tell the host why you would like to take part.")), _length(MOTIVATION_MAX)])


class MoveForm(FlaskForm):
    """One step of the selection, with a message mailed to the applicant."""

    status = ChoiceField(_l("Next step"), validators=[DataRequired(_l("Please choose the next step."))])
    message = TextAreaField(_l("Message to the applicant"), validators=[Optional(), _length(MESSAGE_MAX)])

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "interview": _l("Invite to an interview"),
            "matched": _l("Matched"),
            "not_matched": _l("Not matched this time"),
        }
        self.status.choices = choice_list(((status, labels[status]) for status in allowed), blank=_l("Select"))

    def validate_message(self, field):
        if self.status.data == "not_matched" and not (field.data or "").strip():
            raise ValidationError(_l("Please write a kind message to the applicant."))


class PhaseForm(Form):
    """The dates of one phase (a sub-form of PhasesForm: `phases-0-planned_start`, …)."""

    planned_start = DayField(_l("Planned start"), validators=[Optional()])
    planned_end = DayField(_l("Planned end"), validators=[Optional()])
    actual_start = DayField(_l("Actual start"), validators=[Optional()])
    actual_end = DayField(_l("Actual end"), validators=[Optional()])

    def validate_planned_end(self, field):
        if field.data and self.planned_start.data and field.data < self.planned_start.data:
            raise ValidationError(_l("The end cannot be before the start."))

    def validate_actual_end(self, field):
        if field.data and not self.actual_start.data:
            raise ValidationError(_l("Please enter the actual start too."))
        if field.data and self.actual_start.data and field.data < self.actual_start.data:
            raise ValidationError(_l("The end cannot be before the start."))


class PhasesForm(FlaskForm):
    phases = FieldList(FormField(PhaseForm), min_entries=1)

    def dates(self) -> list[dict]:
        return [entry.form.data for entry in self.phases]


class NoteForm(FlaskForm):
    held_on = DayField(_l("Date of the 1on1"), validators=[InputRequired(_l("Please enter the date as a date."))])
    body = MarkdownField(_l("Note"), validators=[DataRequired(_l("Please write the note.")), _length(NOTE_MAX)])


class ReportForm(FlaskForm):
    report = MarkdownField(_l("Final report"), validators=[Optional(), _length(REPORT_MAX)])
    save = SubmitField(_l("Save the draft"))
    submit = SubmitField(_l("Submit the final report"))

    def validate_report(self, field):
        if self.submit.data and not (field.data or "").strip():
            raise ValidationError(_l("Please write the report before submitting it."))


class ConsentForm(FlaskForm):
    listed_in_cohort = BooleanField(_l("Show my name, host and final report on the cohort page"))


class CompleteForm(FlaskForm):
    hours_contributed = WholeNumberField(_l("Hours given in total"), validators=[
        InputRequired(_l("Please enter the hours given.")), _number(0, HOURS_CONTRIBUTED_MAX)])


class ProjectFilterForm(FlaskForm):
    """The filters of the public list (GET, no CSRF)."""

    class Meta:
        csrf = False

    kind = ChoiceField(_l("Kind"), validators=[Optional()])
    theme = ChoiceField(_l("Theme"), validators=[Optional()])
    region = ChoiceField(_l("Region"), validators=[Optional()])
    prefecture = ChoiceField(_l("Prefecture"), validators=[Optional()])
    remote = BooleanField(_l("Remote work possible"))
    status = ChoiceField(_l("Status"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choice_list(PROJECT_KINDS, blank=_l("All kinds"))
        self.theme.choices = choice_list(refdata.theme_choices(), blank=_l("All themes"))
        self.region.choices = refdata.region_choices()
        self.prefecture.choices = choice_list(refdata.prefecture_choices(blank=False), blank=_l("All prefectures"))
        self.status.choices = choice_list({"open": _l("Accepting applications"), "past": _l("Past projects")})


class PeopleFilterForm(FlaskForm):
    class Meta:
        csrf = False

    theme = ChoiceField(_l("Theme"), validators=[Optional()])
    region = ChoiceField(_l("Region"), validators=[Optional()])
    prefecture = ChoiceField(_l("Prefecture"), validators=[Optional()])
    skill = StringField(_l("Skill"), validators=[Optional(), _length(40)])
    remote = BooleanField(_l("Works remotely"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = choice_list(refdata.theme_choices(), blank=_l("All themes"))
        self.region.choices = refdata.region_choices()
        self.prefecture.choices = choice_list(refdata.prefecture_choices(blank=False), blank=_l("All prefectures"))
