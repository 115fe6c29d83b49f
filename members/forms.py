"""Account forms: login, signup, profile, password, deletion, API tokens."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from core import refdata
from core.forms import (
    ChoiceField,
    EmailAddressField,
    MarkdownField,
    MultiCheckboxField,
    choice_list,
)
from members import services
from members.models import AFFILIATIONS, LOCALES

EMAIL_MAX = 254
DISPLAY_NAME_MAX = 60
ORGANIZATION_NAME_MAX = 120
BIO_MAX = 2000
TOKEN_NAME_MAX = 60


def _email_field():
    return EmailAddressField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Length(max=EMAIL_MAX, message=_l("Use at most %(max)d characters.")),
            Email(_l("Please enter a valid email address, such as name@example.jp.")),
        ],
    )


def _new_password_fields():
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Please choose a password."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Password (again)"),
        validators=[
            DataRequired(_l("Please enter the password a second time.")),
            EqualTo("password", _l("The two passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def _current_password_field(label=None, required: bool = True):
    return PasswordField(
        label or _l("Current password"),
        # Not `Optional()` when optional: it would stop the form's own check of the field.
        validators=([DataRequired(_l("Please enter your current password."))] if required else [])
        + [Length(max=services.PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class _ProfileFields(FlaskForm):
    """What a member tells about themselves, shared by signup and the edit page."""

    display_name = StringField(
        _l("Display name"),
        validators=[
            DataRequired(_l("Please enter the name shown to other members.")),
            Length(max=DISPLAY_NAME_MAX, message=_l("Use at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "nickname"},
    )
    prefecture = ChoiceField(_l("Prefecture"), validators=[DataRequired(_l("Please choose your prefecture."))])
    affiliation = ChoiceField(_l("Affiliation"), validators=[DataRequired(_l("Please choose your affiliation."))])
    organization_name = StringField(
        _l("Workplace or organisation"),
        validators=[Optional(), Length(max=ORGANIZATION_NAME_MAX, message=_l("Use at most %(max)d characters."))],
        render_kw={"autocomplete": "organization"},
    )
    themes = MultiCheckboxField(_l("Themes you are interested in"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefecture.choices = refdata.prefecture_choices()
        self.affiliation.choices = choice_list(AFFILIATIONS, blank=_l("Select an affiliation"))
        self.themes.choices = refdata.theme_choices()


class LoginForm(FlaskForm):
    email = EmailAddressField(
        _l("Email address"),
        validators=[DataRequired(_l("Please enter your email address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Please enter your password.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )


class SignupForm(_ProfileFields):
    email = _email_field()
    password, password_confirm = _new_password_fields()
    digest = BooleanField(_l("Send me the weekly digest of new events and knowhow for my prefecture and themes"))
    agree_terms = BooleanField(
        _l("I agree to the terms of use and the privacy policy"),
        validators=[DataRequired(_l("Please agree to the terms of use to become a member."))],
    )

    # No check that the address is free: the page must not tell a stranger who is a member
    # (services.sign_up mails the owner instead).

    def validate_password(self, field):
        problem = services.password_problem(field.data, self.email.data or "")
        if problem:
            raise ValidationError(problem)


class ProfileForm(_ProfileFields):
    """The edit page; changing the email address needs the current password."""

    bio = MarkdownField(
        _l("Self-introduction"),
        validators=[Optional(), Length(max=BIO_MAX, message=_l("Use at most %(max)d characters."))],
    )
    locale = ChoiceField(_l("Language of emails"),
                         validators=[DataRequired(_l("Please choose a language."))])
    email = _email_field()
    current_password = _current_password_field(_l("Current password (only to change the email address)"),
                                                required=False)

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.locale.choices = choice_list(LOCALES)

    @property
    def email_changed(self) -> bool:
        return services.normalise_email(self.email.data) != self.member.email

    def validate_email(self, field):
        if self.email_changed and services.email_taken(field.data, except_member=self.member):
            raise ValidationError(_l("This email address is already used by another account."))

    def validate_current_password(self, field):
        if not self.email_changed:
            return
        if not field.data:
            raise ValidationError(_l("Please enter your current password to change the email address."))
        if not services.verify_password(self.member, field.data):
            raise ValidationError(_l("The current password is incorrect."))


class PasswordChangeForm(FlaskForm):
    current_password = _current_password_field()
    password, password_confirm = _new_password_fields()

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def validate_current_password(self, field):
        if not services.verify_password(self.member, field.data):
            raise ValidationError(_l("The current password is incorrect."))

    def validate_password(self, field):
        problem = services.password_problem(field.data, self.member.email)
        if problem:
            raise ValidationError(problem)
        if services.verify_password(self.member, field.data):
            raise ValidationError(_l("The new password must differ from the current one."))


class DeleteAccountForm(FlaskForm):
    current_password = _current_password_field()

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def validate_current_password(self, field):
        if not services.verify_password(self.member, field.data):
            raise ValidationError(_l("The current password is incorrect."))


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[
            DataRequired(_l("Please name the token, for example after the tool that will use it.")),
            Length(max=TOKEN_NAME_MAX, message=_l("Use at most %(max)d characters.")),
        ],
    )


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password, password_confirm = _new_password_fields()

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def validate_password(self, field):
        problem = services.password_problem(field.data, self.member.email)
        if problem:
            raise ValidationError(problem)
