"""Knowhow forms: article (DESIGN field names), adoption, list filters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from core import refdata
from core.forms import MarkdownField, MultiCheckboxField, TextAreaField, choice_list
from core.pictures import picture_mixin
from knowhow.models import ADOPTION_STATUSES, ARTICLE_KINDS, STATUSES, VISIBILITIES

TITLE_MAX = 200
SUMMARY_MAX = 600
BODY_MAX = 50_000
PLAYBOOK_TEXT_MAX = 5_000


class StartDateField(DateField):
    """A date whose parse error speaks the form's words, not WTForms' generic message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_l("Please enter a valid start date."))) from error


class ArticleForm(picture_mixin(_l("Header image"), _l("Text for the header image")), FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Please enter a title.")),
                    Length(max=TITLE_MAX, message=_l("The title may have at most %(max)d characters."))],
    )
    kind = SelectField(_l("Kind"), choices=choice_list(ARTICLE_KINDS),
                       validators=[InputRequired(_l("Please choose a kind."))])
    visibility = SelectField(
        _l("Who can read it"), choices=choice_list(VISIBILITIES),
        validators=[InputRequired(_l("Please choose who can read it."))],
    )
    status = SelectField(_l("Status"), choices=choice_list(STATUSES), default="draft",
                         validators=[InputRequired(_l("Please choose a status."))])
    themes = MultiCheckboxField(_l("Themes"), choices=[])
    prefecture = SelectField(_l("Prefecture"), choices=[], validators=[Optional()])
    organization = SelectField(_l("Written for"), choices=[], validators=[Optional()])
    summary = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(_l("Please write a short summary.")),
                    Length(max=SUMMARY_MAX, message=_l("The summary may have at most %(max)d characters."))],
    )
    body = MarkdownField(
        _l("Body (Markdown)"),
        validators=[DataRequired(_l("Please write the article.")),
                    Length(max=BODY_MAX, message=_l("The body may have at most %(max)d characters."))],
    )
    goal = TextAreaField(_l("Goal"), validators=[Length(max=PLAYBOOK_TEXT_MAX)])
    audience = TextAreaField(_l("Audience"), validators=[Length(max=PLAYBOOK_TEXT_MAX)])
    duration = StringField(_l("Duration"), validators=[Length(max=200)])
    steps = MarkdownField(_l("Steps (Markdown list)"), validators=[Length(max=PLAYBOOK_TEXT_MAX * 2)])
    cost = StringField(_l("Cost"), validators=[Length(max=300)])
    materials = TextAreaField(_l("Materials"), validators=[Length(max=PLAYBOOK_TEXT_MAX)])

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.themes.choices = refdata.theme_choices()
        self.prefecture.choices = choice_list(refdata.prefecture_choices(blank=False),
                                              blank=_l("Not about one prefecture"))
        #: organisations the writer acts for; the field is shown only when there are some
        self.organization_options = list(organizations)
        self.organization.choices = choice_list(((o.slug, o.name) for o in self.organization_options),
                                                blank=_l("Myself (personal article)"))

    def validate_themes(self, field):
        if not field.data:
            raise ValidationError(_l("Please choose at least one theme."))

    def validate_goal(self, field):
        if self.kind.data == "playbook" and not (field.data or "").strip():
            raise ValidationError(_l("A programme needs its goal."))

    def validate_steps(self, field):
        if self.kind.data == "playbook" and not (field.data or "").strip():
            raise ValidationError(_l("A programme needs its steps."))

    def selected_organization(self):
        slug = self.organization.data or ""
        return next((o for o in self.organization_options if o.slug == slug), None)


class AdoptionForm(FlaskForm):
    organization = SelectField(_l("Organisation"), choices=[],
                               validators=[InputRequired(_l("Please choose the organisation."))])
    prefecture = SelectField(_l("Prefecture"), choices=[],
                             validators=[InputRequired(_l("Please choose the prefecture."))])
    started_on = StartDateField(_l("Start date"), validators=[InputRequired(_l("Please enter a valid start date."))])
    status = SelectField(_l("Status"), choices=choice_list(ADOPTION_STATUSES), default="running",
                         validators=[InputRequired()])
    outcome_notes = TextAreaField(
        _l("Outcome notes"),
        validators=[Length(max=PLAYBOOK_TEXT_MAX, message=_l("At most %(max)d characters."))],
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organization_options = list(organizations)
        self.organization.choices = choice_list((o.slug, o.name) for o in self.organization_options)
        self.prefecture.choices = refdata.prefecture_choices(blank=True)

    def validate_prefecture(self, field):
        if field.data not in refdata.PREFECTURES_BY_CODE:
            raise ValidationError(_l("Please choose the prefecture."))

    def selected_organization(self):
        return next((o for o in self.organization_options if o.slug == self.organization.data), None)
