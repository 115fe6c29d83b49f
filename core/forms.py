"""Form fields every blueprint shares: checkbox lists, selects with clear messages, textareas."""

import unicodedata
from collections.abc import Iterable, Mapping

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField
from wtforms.fields import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, RadioInput


class _Select(wtforms.widgets.Select):
    """HTML allows `required` on a single select only when its first option is an empty placeholder; a select
    without one always has a value, so it is not marked required (the Nu checker reports it otherwise)."""

    def __call__(self, field, **kwargs):
        if not self.multiple and "required" not in kwargs and not (hasattr(field, "has_groups") and field.has_groups()):
            first = next(iter(field.iter_choices()), None)
            if first is not None and first[0] not in ("", None):
                kwargs["required"] = False
        return super().__call__(field, **kwargs)


# Every single select of every form (they are WTForms' SelectField, or ChoiceField below).
SelectField.widget = _Select()


class EmptyForm(FlaskForm):
    """A button that changes state (withdraw, close, send again…): carries only the csrf_token."""


def choice_list(options: Mapping | Iterable = (), *, blank=None) -> list[SelectChoice]:
    """The `choices` of a select, radio or checkbox-list field, as WTForms' `SelectChoice`s.

    `options` is a mapping {value: label}, (value, label) pairs or `SelectChoice`s (kept
    as they are). `blank` is the label of an empty-valued first option. Labels may be
    `lazy_gettext` strings: they stay lazy and are translated when the field is rendered.
    """
    pairs = options.items() if isinstance(options, Mapping) else options
    choices = [SelectChoice("", blank)] if blank is not None else []
    for option in pairs:
        if isinstance(option, SelectChoice):
            choices.append(option)
        else:
            value, label = option
            choices.append(SelectChoice(value, label))
    return choices


def _allowed_values(field) -> set[str]:
    return {str(choice.value) for choice in field.choices or ()}


class MultiCheckboxField(SelectMultipleField):
    """A multi-valued choice shown as a list of checkboxes (the `field` macro knows this type).

    Repeated form keys (`themes=seniors&themes=women`) give the values; duplicates
    are dropped so a crafted request cannot insert the same row twice.
    """

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        super().process_formdata(list(dict.fromkeys(valuelist)))

    def pre_validate(self, form):
        allowed = _allowed_values(self)
        if any(str(value) not in allowed for value in self.data or ()):
            raise ValidationError(_l("Please choose only from the options shown."))


class ChoiceField(SelectField):
    """A select whose unknown values get a clear message (empty values are left to
    `DataRequired`/`Optional`)."""

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        if str(self.data) not in _allowed_values(self):
            raise ValidationError(_l("Please choose one of the options shown."))


class RadioField(ChoiceField):
    """One choice shown as radio buttons (the `field` macro knows this type), with ChoiceField's checks."""

    widget = ListWidget(prefix_label=False)
    option_widget = RadioInput()


class TextAreaField(wtforms.TextAreaField):
    """A textarea whose line breaks are stored as LF, whichever a client sends.

    Browsers submit a textarea's line breaks as CRLF: kept as sent, an unchanged
    text would differ from the stored one, and `Length` would count each break twice
    where the browser's `maxlength` counts it once. Every form uses this field.
    """

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data:
            self.data = self.data.replace("\r\n", "\n").replace("\r", "\n")


class MarkdownField(TextAreaField):
    """A textarea written in Markdown: the form macro adds a preview (rendered by the server, through the same
    sanitiser as the page) and a short syntax help."""


def normalise_email_input(value: str | None) -> str:
    """An address as typed on a Japanese keyboard, made comparable: full-width letters and ＠ become
    ASCII (NFKC), surrounding spaces (also the full-width one) go, and case is folded."""
    return unicodedata.normalize("NFKC", value or "").strip().lower()


class EmailAddressField(wtforms.StringField):
    """An email address field that accepts full-width input (ｔａｒｏ＠ｅｘａｍｐｌｅ.jp) and normalises it.

    Rendered as a text input with the email keyboard: a browser's own `type=email`
    check would refuse the full-width ＠ before the form could normalise it.
    """

    def __init__(self, *args, render_kw=None, **kwargs):
        render_kw = {"inputmode": "email", "autocomplete": "email", "spellcheck": "false", **(render_kw or {})}
        super().__init__(*args, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = normalise_email_input(self.data)
