"""Shared form fields: textareas store LF line breaks, choices are SelectChoices, in every form of the site."""

import pytest
import wtforms
from werkzeug.datastructures import MultiDict
from wtforms.fields import SelectChoice

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


class _Pick(wtforms.Form):
    kind = wtforms.SelectField()


def test_choice_list_builds_select_choices_with_an_optional_blank_first():
    from_mapping = forms.choice_list({"a": "A", "b": "B"}, blank="—")
    assert [(c.value, c.label) for c in from_mapping] == [("", "—"), ("a", "A"), ("b", "B")]
    assert all(isinstance(c, SelectChoice) for c in from_mapping)
    kept = SelectChoice("c", "C")
    assert forms.choice_list([("a", "A"), kept]) == [SelectChoice("a", "A"), kept]
    assert forms.choice_list([("a", "A"), kept])[1] is kept


def test_choice_labels_are_translated_for_each_request(app):
    """Lazy labels stay lazy: a list built once (at import) renders in each request's language."""
    from events.forms import EventForm

    with app.test_request_context("/?lang=en"):
        form = EventForm(meta={"csrf": False})
        assert '<option value="01">Hokkaido</option>' in form.prefecture()
        assert '<option value="seminar">Seminar</option>' in form.kind()
        assert "Retaining young employees" in form.themes()
    with app.test_request_context("/"):
        form = EventForm(meta={"csrf": False})
        assert '<option value="01">北海道</option>' in form.prefecture()
        assert '<option value="seminar">セミナー</option>' in form.kind()


def test_every_declared_choice_list_is_select_choices(app):
    """Tuples are deprecated (wtforms 3.3) and go in 3.4; declare choices with `choice_list`."""
    tuples = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _all_form_classes()
        if not form.__module__.startswith(("wtforms", "flask_wtf", "tests"))
        for name, value in vars(form).items()
        if isinstance(value, wtforms.fields.core.UnboundField)
        and isinstance(value.kwargs.get("choices"), list | tuple)
        and not all(isinstance(choice, SelectChoice) for choice in value.kwargs["choices"])
    ]
    assert tuples == []


def test_tuple_choices_set_at_run_time_fail_the_suite():
    """tests/conftest.py makes WTForms warn for them too, and pyproject turns the warning into an error."""
    form = _Pick()
    form.kind.choices = [("a", "A")]
    with pytest.raises(DeprecationWarning, match="choices as tuples"):
        form.kind()
    form.kind.choices = forms.choice_list({"a": "A"})
    assert '<option value="a">A</option>' in form.kind()
