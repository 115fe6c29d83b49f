"""Forms of the alliance: application, organisation page, contact, staff, secretariat."""

from datetime import date
from urllib.parse import urlsplit

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
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from alliance import services
from alliance.models import ORGANIZATION_KINDS, STAFF_ROLES, THEME_DEPTHS
from core import refdata
from core.forms import EmailAddressField, MarkdownField, MultiCheckboxField, TextAreaField, choice_list
from core.i18n import label_table
from core.pictures import picture_mixin

MAX_SERVICES = 12
MAX_RECORDS = 12

KIND_LABELS = {
    "npo": _l("NPO (特定非営利活動法人)"),
    "general-incorporated-association": _l("General incorporated association (一般社団法人)"),
    "general-incorporated-foundation": _l("General incorporated foundation (一般財団法人)"),
    "company": _l("Company"),
    "municipality": _l("Municipality"),
    "voluntary-group": _l("Voluntary group"),
    "other": _l("Other"),
}
DEPTH_LABELS = {
    "experienced": _l("Experienced"),
    "strong": _l("Strong"),
    "expert": _l("Specialist"),
}
ROLE_LABELS = {"owner": _l("Owner"), "editor": _l("Editor")}


kind_label = label_table(KIND_LABELS)
depth_label = label_table(DEPTH_LABELS)


def _website_is_http(_form, field) -> None:
    if field.data and urlsplit(field.data).scheme not in ("http", "https"):
        raise ValidationError(_l("Please enter an address that starts with http:// or https://."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class OrganizationFieldsMixin:
    """Fields an application and the organisation page share."""

    name = StringField(
        _l("Organisation name"), filters=[_strip],
        validators=[DataRequired(_l("Please enter the organisation's name.")),
                    Length(max=120, message=_l("Please keep the name within %(max)d characters."))],
    )
    kind = SelectField(
        _l("Legal form"), validators=[DataRequired(_l("Please choose the legal form."))],
        validate_choice=True,
    )
    prefecture = SelectField(
        _l("Head office prefecture"), validators=[DataRequired(_l("Please choose a prefecture."))],
    )
    served_prefectures = MultiCheckboxField(_l("Prefectures served"))
    summary = TextAreaField(
        _l("Summary"), filters=[_strip],
        validators=[DataRequired(_l("Please write a short summary.")),
                    Length(max=400, message=_l("Please keep the summary within %(max)d characters."))],
    )
    website = URLField(
        _l("Website"), filters=[_strip],
        validators=[Optional(), Length(max=300, message=_l("The address is too long.")), _website_is_http],
    )
    contact_email = EmailAddressField(
        _l("Contact email address"), filters=[_strip],
        validators=[DataRequired(_l("Please enter the address that receives enquiries.")),
                    Email(_l("Please enter a valid email address.")),
                    Length(max=254, message=_l("The address is too long."))],
    )

    def _set_choices(self) -> None:
        self.kind.choices = choice_list(((k, KIND_LABELS[k]) for k in ORGANIZATION_KINDS), blank=_l("Choose…"))
        self.prefecture.choices = refdata.prefecture_choices()
        self.served_prefectures.choices = refdata.prefecture_choices(blank=False)


class ApplicationForm(OrganizationFieldsMixin, FlaskForm):
    """An organisation applies to join the alliance (field names fixed by DESIGN.md)."""

    slug = StringField(
        _l("Short name for the address"), filters=[_strip],
        validators=[DataRequired(_l("Please choose a short name for your page's address."))],
    )
    themes = MultiCheckboxField(
        _l("Themes of expertise"), validators=[DataRequired(_l("Please choose at least one theme."))]
    )
    motivation = TextAreaField(
        _l("Why do you want to join?"), filters=[_strip],
        validators=[DataRequired(_l("Please tell us why you want to join.")),
                    Length(max=2000, message=_l("Please keep this within %(max)d characters."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_choices()
        self.themes.choices = refdata.theme_choices()

    def validate_slug(self, field) -> None:
        problem = services.slug_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_name(self, field) -> None:
        if services.name_taken(field.data or ""):
            raise ValidationError(_l("An organisation with this name is already a member or has applied."))


class ThemeExpertiseForm(Form):
    """One theme's depth (blank = not a theme of the organisation) and a short note."""

    depth = SelectField(
        _l("Depth"), choices=lambda: choice_list(((d, DEPTH_LABELS[d]) for d in THEME_DEPTHS), blank=_l("—"))
    )
    note = StringField(
        _l("Note"), filters=[_strip],
        validators=[Length(max=200, message=_l("Please keep the note within %(max)d characters."))],
    )


class ServiceForm(Form):
    title = StringField(
        _l("Service"), filters=[_strip],
        validators=[Length(max=100, message=_l("Please keep the service name within %(max)d characters."))],
    )
    description = TextAreaField(
        _l("Description"), filters=[_strip],
        validators=[Length(max=1000, message=_l("Please keep the description within %(max)d characters."))],
    )

    def validate_title(self, field) -> None:
        if self.description.data and not field.data:
            raise ValidationError(_l("Please give this service a title."))


class RecordForm(Form):
    value = StringField(
        _l("Figure"), filters=[_strip],
        validators=[Length(max=40, message=_l("Please keep the figure within %(max)d characters."))],
    )
    label = StringField(
        _l("What it counts"), filters=[_strip],
        validators=[Length(max=120, message=_l("Please keep the label within %(max)d characters."))],
    )

    def validate_value(self, field) -> None:
        if self.label.data and not field.data:
            raise ValidationError(_l("Please enter the figure."))

    def validate_label(self, field) -> None:
        if self.value.data and not field.data:
            raise ValidationError(_l("Please say what the figure counts."))


#: the most referrals an organisation can say it takes at once
MAX_REFERRAL_CAPACITY = 50


class OrganizationForm(OrganizationFieldsMixin, picture_mixin(_l("Logo"), _l("Text for the logo")), FlaskForm):
    """The organisation page as its staff edit it."""

    description = MarkdownField(
        _l("Introduction"), filters=[_strip],
        validators=[Length(max=10_000, message=_l("Please keep the introduction within %(max)d characters."))],
    )
    founded_year = IntegerField(
        _l("Year founded"),
        validators=[Optional(), NumberRange(min=1868, max=date.today().year + 1,
                                            message=_l("Please enter a year between %(min)s and %(max)s."))],
    )
    accepts_remote = BooleanField(_l("We also take work outside our own prefectures (online or travelling)"))
    referral_capacity = IntegerField(
        _l("Referrals we can take at once"),
        validators=[Optional(), NumberRange(min=0, max=MAX_REFERRAL_CAPACITY,
                                            message=_l("Please enter a number between %(min)s and %(max)s."))],
    )
    referrals_paused = BooleanField(_l("Pause new referrals for now"))
    #: one entry per theme of refdata.THEMES, in that order (the index is the theme)
    expertise = FieldList(FormField(ThemeExpertiseForm), min_entries=len(refdata.THEMES),
                          max_entries=len(refdata.THEMES))
    services = FieldList(FormField(ServiceForm), max_entries=MAX_SERVICES)
    records = FieldList(FormField(RecordForm), max_entries=MAX_RECORDS)

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._organization = organization
        self._set_choices()

    def validate_name(self, field) -> None:
        exclude = self._organization.id if self._organization is not None else None
        if services.name_taken(field.data or "", exclude_organization_id=exclude):
            raise ValidationError(_l("An organisation with this name is already a member or has applied."))

    def validate_expertise(self, field) -> None:
        if not any(entry.form.depth.data for entry in field.entries):
            raise ValidationError(_l("Please choose a depth for at least one theme."))

    def theme_rows(self) -> list[tuple[refdata.Theme, FormField]]:
        """(theme, its sub-form) pairs for the template."""
        return list(zip(refdata.THEMES, self.expertise.entries, strict=False))


class MessageForm(FlaskForm):
    """A visitor writes to the secretariat (/contact): name, address, message and the honeypot."""

    name = StringField(
        _l("Your name"), filters=[_strip],
        validators=[DataRequired(_l("Please enter your name.")),
                    Length(max=60, message=_l("Please keep your name within %(max)d characters."))],
    )
    email = EmailAddressField(
        _l("Your email address"), filters=[_strip],
        validators=[DataRequired(_l("Please enter your email address.")),
                    Email(_l("Please enter a valid email address.")), Length(max=254)],
    )
    message = TextAreaField(
        _l("Your message"), filters=[_strip],
        validators=[DataRequired(_l("Please write your message.")),
                    Length(max=4000, message=_l("Please keep the message within %(max)d characters."))],
    )
    #: honeypot: hidden from people, filled in by bots
    website = StringField(_l("Leave this field empty"))

    @property
    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())


class ContactForm(MessageForm):
    """A visitor writes to an organisation; the address it goes to is never shown."""

    organization = StringField(
        _l("Company or organisation (optional)"), filters=[_strip],
        validators=[Length(max=120, message=_l("Please keep this within %(max)d characters."))],
    )


class InviteStaffForm(FlaskForm):
    email = EmailAddressField(
        _l("Email address of the member to invite"), filters=[_strip],
        validators=[DataRequired(_l("Please enter an email address.")),
                    Email(_l("Please enter a valid email address.")), Length(max=254)],
    )
    role = SelectField(_l("Role"), default="editor")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = choice_list((role, ROLE_LABELS[role]) for role in reversed(STAFF_ROLES))


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (sent to the applicant)"), filters=[_strip],
        validators=[DataRequired(_l("Please give the reason for the rejection.")),
                    Length(max=2000, message=_l("Please keep this within %(max)d characters."))],
    )


class SuspendForm(FlaskForm):
    reason = StringField(
        _l("Reason (kept in the audit log)"), filters=[_strip],
        validators=[Length(max=300, message=_l("Please keep this within %(max)d characters."))],
    )

