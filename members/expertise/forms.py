"""The opt-in expertise profile form (and two helpers the project forms share)."""

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from core import refdata
from core.forms import ChoiceField, MarkdownField, MultiCheckboxField, choice_list
from members.expertise.models import MAX_SKILLS, SKILL_MAX_LENGTH, VISIBILITIES, parse_skills

SUMMARY_MAX = 1000
SKILLS_FIELD_MAX = 800
HOURS_MAX = 200


class WholeNumberField(IntegerField):
    """A whole number, also typed with full-width digits (１２), with one clear message when it is not."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = unicodedata.normalize("NFKC", valuelist[0] or "").strip()
        if not raw:
            self.data = None
            return
        try:
            self.data = int(raw)
        except ValueError as error:
            self.data = None
            raise ValueError(_l("Please enter a whole number, such as 10.")) from error

    def pre_validate(self, form):
        # A number that could not be read has its message already; the range check would add a second.
        if self.process_errors:
            raise StopValidation()


def validate_skill_tags(field) -> None:
    """Shared by the profile and the project form: at most MAX_SKILLS tags, each short."""
    labels = parse_skills(field.data)
    if len(labels) > MAX_SKILLS:
        raise ValidationError(_l("Please list at most %(max)d skills.", max=MAX_SKILLS))
    too_long = [label for label in labels if len(label) > SKILL_MAX_LENGTH]
    if too_long:
        raise ValidationError(_l("Each skill can have at most %(max)d characters: %(skill)s",
                                 max=SKILL_MAX_LENGTH, skill=too_long[0][:SKILL_MAX_LENGTH] + "…"))


def split_areas(codes: list[str]) -> tuple[list[str], list[str]]:
    """Stored prefectures as the form shows them: whole regions, and the other prefectures."""
    chosen = set(codes)
    regions = [r.slug for r in refdata.REGIONS if set(refdata.prefectures_in_region(r.slug)) <= chosen]
    covered = {code for slug in regions for code in refdata.prefectures_in_region(slug)}
    return regions, sorted(chosen - covered)


def merge_areas(regions: list[str], prefectures: list[str]) -> list[str]:
    codes = set(prefectures)
    for slug in regions:
        codes.update(refdata.prefectures_in_region(slug))
    return sorted(codes)


class ExpertiseForm(FlaskForm):
    themes = MultiCheckboxField(_l("Themes I can help with"),
                                validators=[DataRequired(_l("Please choose at least one theme."))])
    skills = StringField(
        _l("Skills"),
        validators=[Optional(), Length(max=SKILLS_FIELD_MAX, message=_l("Use at most %(max)d characters."))],
        render_kw={"placeholder": _l("e.g. recruiting, HR system design, marketing")},
    )
    summary = MarkdownField(
        _l("Career summary"),
        validators=[DataRequired(_l("Please describe your career in a few lines.")),
                    Length(max=SUMMARY_MAX, message=_l("Use at most %(max)d characters."))],
    )
    hours_per_month = WholeNumberField(
        _l("Hours a month"),
        validators=[InputRequired(_l("Please enter how many hours a month you can give.")),
                    NumberRange(min=1, max=HOURS_MAX, message=_l("Please enter a number from %(min)d to %(max)d."))],
    )
    remote = BooleanField(_l("I can work remotely (online)"))
    on_site = BooleanField(_l("I can work on site"))
    travel_regions = MultiCheckboxField(_l("Whole regions I can travel to"))
    travel_prefectures = MultiCheckboxField(_l("Prefectures I can travel to"))
    visibility = ChoiceField(_l("Who may see this profile"),
                             validators=[DataRequired(_l("Please choose who may see the profile."))])
    accepting = BooleanField(_l("I am open to new projects now"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.themes.choices = refdata.theme_choices()
        self.travel_regions.choices = refdata.region_choices(blank=False)
        self.travel_prefectures.choices = refdata.prefecture_choices(blank=False)
        self.visibility.choices = choice_list(VISIBILITIES)

    @property
    def skill_labels(self) -> list[str]:
        return parse_skills(self.skills.data)

    @property
    def travel_codes(self) -> list[str]:
        return merge_areas(self.travel_regions.data or [], self.travel_prefectures.data or [])

    def validate_skills(self, field):
        validate_skill_tags(field)

    def validate_on_site(self, field):
        if not field.data and not self.remote.data:
            raise ValidationError(_l("Please say whether you can work remotely, on site, or both."))


def form_data(profile) -> dict:
    """A saved profile as the form's initial data."""
    regions, prefectures = split_areas(list(profile.travel_prefectures))
    return {
        "themes": list(profile.themes), "skills": "、".join(profile.skills), "summary": profile.summary,
        "hours_per_month": profile.hours_per_month, "remote": profile.remote, "on_site": profile.on_site,
        "travel_regions": regions, "travel_prefectures": prefectures, "visibility": profile.visibility,
        "accepting": profile.accepting,
    }
