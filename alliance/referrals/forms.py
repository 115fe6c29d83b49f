"""Forms of referrals, their thread and outcome, consultations and the triage."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from alliance.referrals.models import REFERRAL_FORMATS, UNSURE_THEME
from alliance.referrals.services import FORMAT_LABELS
from core import refdata
from core.forms import EmailAddressField, MarkdownField, MultiCheckboxField, TextAreaField, choice_list

TITLE_MAX = 120
TEXT_MAX = 5000
MESSAGE_MAX = 4000
REASON_MAX = 1000
CONSULTATION_MESSAGE_MAX = 4000


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class ActionForm(FlaskForm):
    """A button that changes state: carries only the CSRF token."""


class ReferralForm(FlaskForm):
    """Ask the alliance for help in a theme (DESIGN: title, theme, prefecture, description)."""

    title = StringField(
        _l("Subject"),
        filters=[_stripped],
        validators=[DataRequired(_l("Please enter a subject.")),
                    Length(max=TITLE_MAX, message=_l("Please keep the subject within %(max)d characters."))],
    )
    theme = SelectField(
        _l("Theme"),
        choices=choice_list(refdata.theme_choices(), blank=_l("Select a theme")),
        validators=[DataRequired(_l("Please select a theme."))],
    )
    prefecture = SelectField(
        _l("Prefecture where help is needed"),
        choices=refdata.prefecture_choices(),
        validators=[DataRequired(_l("Please select a prefecture."))],
    )
    description = MarkdownField(
        _l("What do you need?"),
        filters=[_stripped],
        validators=[DataRequired(_l("Please describe what you need.")),
                    Length(max=TEXT_MAX, message=_l("Please keep this within %(max)d characters."))],
    )
    timing = StringField(
        _l("Desired timing"),
        filters=[_stripped],
        validators=[Optional(), Length(max=TITLE_MAX, message=_l("Please keep this within %(max)d characters."))],
    )
    format = SelectField(
        _l("Format"),
        choices=choice_list((value, FORMAT_LABELS[value]) for value in REFERRAL_FORMATS),
        default="either",
        validators=[DataRequired(_l("Please select a format."))],
    )
    organization = SelectField(_l("Requesting organisation"), choices=[], validate_choice=False)

    def validate_theme(self, field):
        if field.data not in refdata.THEMES_BY_SLUG:
            raise ValidationError(_l("Please select a theme."))

    def validate_prefecture(self, field):
        if field.data not in refdata.PREFECTURES_BY_CODE:
            raise ValidationError(_l("Please select a prefecture."))

    def validate_format(self, field):
        if field.data not in REFERRAL_FORMATS:
            raise ValidationError(_l("Please select a format."))


class ConvertForm(ReferralForm):
    """The secretariat's referral made from a consultation (it asks on the region's behalf)."""

    organization = None


class OfferForm(FlaskForm):
    organization = HiddenField(validators=[DataRequired()])


DECLINE_REASON_LABELS = {
    "capacity": _l("We cannot take on more right now"),
    "fit": _l("The request does not match what we are good at"),
    "timing": _l("The timing does not work for us"),
    "other": _l("Another reason"),
}


class DeclineForm(FlaskForm):
    reason_kind = RadioField(
        _l("Main reason"),
        choices=[SelectChoice(value, label) for value, label in DECLINE_REASON_LABELS.items()],
        validators=[InputRequired(_l("Please choose the main reason."))],
    )
    reason = TextAreaField(
        _l("Why can you not take it on?"),
        id="decline-reason",
        filters=[_stripped],
        validators=[DataRequired(_l("Please give a reason, so that the requester can plan.")),
                    Length(max=REASON_MAX, message=_l("Please keep this within %(max)d characters."))],
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        id="withdraw-reason",
        filters=[_stripped],
        validators=[Optional(), Length(max=REASON_MAX, message=_l("Please keep this within %(max)d characters."))],
    )


class MessageForm(FlaskForm):
    body = MarkdownField(
        _l("Message to the other party"),
        filters=[_stripped],
        validators=[DataRequired(_l("Please write a message.")),
                    Length(max=MESSAGE_MAX, message=_l("Please keep this within %(max)d characters."))],
    )


class CountField(IntegerField):
    """A whole number with a message in the user's language when it is not one (１２ is fine)."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] or "").strip() if valuelist else ""
        if not raw:
            self.data = None
            return
        try:
            self.data = int(raw)
        except ValueError:
            self.data = None
            raise ValueError(_l("Please enter a whole number (0 if none).")) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def _count_field(label):
    return CountField(
        label,
        default=0,
        validators=[InputRequired(_l("Please enter a whole number (0 if none).")),
                    NumberRange(min=0, max=100_000, message=_l("Please enter a number from 0 to 100,000."))],
    )


class OutcomeForm(FlaskForm):
    """The partner's report when the work is done."""

    summary = MarkdownField(
        _l("What was done"),
        filters=[_stripped],
        validators=[DataRequired(_l("Please describe what was done.")),
                    Length(max=TEXT_MAX, message=_l("Please keep this within %(max)d characters."))],
    )
    people_supported = _count_field(_l("People supported"))
    companies_supported = _count_field(_l("Companies and bodies supported"))
    hours = _count_field(_l("Hours spent"))


UNSURE_THEME_LABEL = _l("Not sure / other")


def consultation_theme_name(slug: str) -> str:
    """A theme ticked on a consultation, including "not sure"."""
    return str(UNSURE_THEME_LABEL) if slug == UNSURE_THEME else refdata.theme_name(slug)


class ConsultationForm(FlaskForm):
    """The public /consult form (DESIGN field names) with the `website` honeypot."""

    organization_name = StringField(
        _l("Company or municipality"),
        filters=[_stripped],
        validators=[DataRequired(_l("Please enter the name of your company or municipality.")),
                    Length(max=120, message=_l("Please keep this within %(max)d characters."))],
    )
    contact_name = StringField(
        _l("Your name"),
        filters=[_stripped],
        validators=[DataRequired(_l("Please enter your name.")),
                    Length(max=60, message=_l("Please keep this within %(max)d characters."))],
    )
    email = EmailAddressField(
        _l("Email address"),
        filters=[_stripped],
        validators=[DataRequired(_l("Please enter your email address.")),
                    Length(max=254, message=_l("Please keep this within %(max)d characters.")),
                    Email(message=_l("Please enter a valid email address."), check_deliverability=False)],
    )
    prefecture = SelectField(
        _l("Prefecture"),
        choices=refdata.prefecture_choices(),
        validators=[DataRequired(_l("Please select a prefecture."))],
    )
    themes = MultiCheckboxField(
        _l("Themes"),
        choices=[*refdata.theme_choices(), SelectChoice(UNSURE_THEME, UNSURE_THEME_LABEL)],
        validate_choice=False,
        validators=[DataRequired(_l("Please choose at least one theme."))],
    )
    message = TextAreaField(
        _l("What is your people problem?"),
        filters=[_stripped],
        validators=[DataRequired(_l("Please describe your situation.")),
                    Length(min=10, max=CONSULTATION_MESSAGE_MAX,
                           message=_l("Please write between %(min)d and %(max)d characters."))],
    )
    agree_privacy = BooleanField(
        _l("I agree to the handling of my personal data as the privacy policy describes"),
        validators=[DataRequired(_l("Please agree to the privacy policy so that we can take on your request."))],
    )
    #: honeypot: hidden from people, filled in by bots
    website = StringField(_l("Leave this field empty"))

    def validate_prefecture(self, field):
        if field.data not in refdata.PREFECTURES_BY_CODE:
            raise ValidationError(_l("Please select a prefecture."))

    def validate_themes(self, field):
        if any(slug not in refdata.THEMES_BY_SLUG and slug != UNSURE_THEME for slug in field.data):
            raise ValidationError(_l("Please choose themes from the list."))

    @property
    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())


class CloseForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for closing"),
        id="close-reason",
        filters=[_stripped],
        validators=[DataRequired(_l("Please give a reason for closing.")),
                    Length(max=REASON_MAX, message=_l("Please keep this within %(max)d characters."))],
    )


class SettingsForm(FlaskForm):
    retention_days = CountField(
        _l("Keep consultation contact data for (days)"),
        validators=[InputRequired(_l("Please enter a number of days.")),
                    NumberRange(min=30, max=3650, message=_l("Please enter a number from %(min)d to %(max)d."))],
    )
