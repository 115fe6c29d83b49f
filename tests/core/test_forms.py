"""Shared form fields: textareas store LF line breaks, in every form of the site."""

import wtforms
from werkzeug.datastructures import MultiDict

from core import forms


class _Note(wtforms.Form):
    body = forms.TextAreaField()


def test_textarea_line_breaks_become_lf():
    assert _Note(MultiDict({"body": "a\r\nb\rc\nd"})).body.data == "a\nb\nc\nd"


def _all_form_classes(cls=wtforms.Form):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _all_form_classes(subclass)


def test_every_form_uses_the_shared_textarea(app):
    """A plain wtforms.TextAreaField would store a browser's CRLF as sent."""
    plain = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _all_form_classes()
        if not form.__module__.startswith(("wtforms", "flask_wtf", "tests"))
        for name, value in vars(form).items()
        if isinstance(value, wtforms.fields.core.UnboundField) and value.field_class is wtforms.TextAreaField
    ]
    assert plain == []
    assert any(form.__module__ == "members.forms" for form in _all_form_classes())  # the app's forms were seen
