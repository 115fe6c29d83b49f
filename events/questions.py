"""Questions an organiser asks — at registration (申込時の質問) or in the survey after the event — and the answers.

One model serves both: a question has a purpose (signup, survey) and a kind. The answer form is built per event
from its questions (fields `q<id>`), for the HTML step and for the API alike, so both check the same rules.
Answers are read per event in one query and summarised per question for the organiser.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.db import db, utcnow
from core.forms import MultiCheckboxField, RadioField, TextAreaField, choice_list
from events.models import Event, EventAnswer, EventQuestion, Registration

KIND_LABELS = {
    "text": _l("Short text"),
    "textarea": _l("Long text"),
    "choice": _l("One choice"),
    "choices": _l("Several choices"),
    "rating": _l("Rating from 1 to 5"),
}
#: the kinds each purpose offers (a rating belongs to the survey)
PURPOSE_KINDS = {"signup": ("text", "textarea", "choice", "choices"),
                 "survey": ("rating", "choice", "choices", "text", "textarea")}
#: at most this many questions per purpose and event, this many options per question
MAX_QUESTIONS = 20
MAX_CHOICES = 20
TEXT_MAX = {"text": 200, "textarea": 2000}
RATINGS = ("1", "2", "3", "4", "5")
RATING_LABELS = {"1": _l("1 (poor)"), "2": "2", "3": "3", "4": "4", "5": _l("5 (excellent)")}
#: answers to text questions listed on the summary page (newest first)
TEXTS_SHOWN = 50


def field_name(question: EventQuestion) -> str:
    return f"q{question.id}"


def _required(question: EventQuestion):
    if question.kind == "choices":
        return DataRequired(_l("Please choose at least one option."))
    if question.kind in ("choice", "rating"):
        return InputRequired(_l("Please choose one of the options."))
    return DataRequired(_l("Please answer this question."))


def _field(question: EventQuestion):
    validators = [_required(question) if question.required else Optional()]
    if question.kind in TEXT_MAX:
        validators.append(Length(max=TEXT_MAX[question.kind]))
        cls = StringField if question.kind == "text" else TextAreaField
        return cls(question.label, validators=validators)
    if question.kind == "choices":
        return MultiCheckboxField(question.label, validators=validators,
                                  choices=choice_list((choice, choice) for choice in question.choices))
    options = RATING_LABELS.items() if question.kind == "rating" else ((choice, choice) for choice in question.choices)
    return RadioField(question.label, validators=validators, choices=choice_list(options))


def answers_form(questions: list, *, consent_note: str = "", formdata=None, csrf: bool = True):
    """The form asking `questions` (and for consent when the event has a note on how answers are used);
    `csrf=False` for the API, whose bearer token is the proof."""

    class AnswersForm(FlaskForm):
        pass

    for question in questions:
        setattr(AnswersForm, field_name(question), _field(question))
    if consent_note:
        AnswersForm.consent = BooleanField(
            _l("I agree to the use of my answers described above."),
            validators=[DataRequired(_l("Please agree to how your answers are used, or do not register."))])
    if not csrf:
        return AnswersForm(formdata=formdata, meta={"csrf": False})
    return AnswersForm() if formdata is None else AnswersForm(formdata=formdata)


def question_fields(form, questions: list) -> list:
    return [form[field_name(question)] for question in questions]


class UnknownQuestion(ValueError):
    """An API client answered a question the event does not ask."""


def api_formdata(questions: list[EventQuestion], answers, consent) -> MultiDict:
    """The API's `answers` ({question id: text, choice or list of choices}) as form data for `answers_form`."""
    by_id = {str(question.id): question for question in questions}
    data = MultiDict()
    for key, value in (answers or {}).items():
        question = by_id.get(str(key))
        if question is None:
            raise UnknownQuestion(str(key))
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is not None:
                data.add(field_name(question), str(item))
    if consent is True:
        data.add("consent", "y")
    return data


def _stored(question: EventQuestion, data):
    if question.kind == "choices":
        return list(data or [])
    if question.kind == "rating":
        return int(data) if data else None
    return (data or "").strip()


def _replace_answers(registration: Registration, given: list[tuple[EventQuestion, object]]) -> None:
    """Replace the registration's answers to the questions of `given` ((question, form data) pairs); an empty
    answer is not stored."""
    if not given:
        return
    db.session.execute(sa.delete(EventAnswer).where(EventAnswer.registration_id == registration.id,
                                                    EventAnswer.question_id.in_([q.id for q, _data in given])))
    for question, data in given:
        value = _stored(question, data)
        if value not in ("", [], None):
            db.session.add(EventAnswer(question_id=question.id, registration_id=registration.id, value=value))


def save_answers(registration: Registration, questions: list[EventQuestion], form) -> None:
    """Replace the registration's answers to `questions` with the form's."""
    _replace_answers(registration, [(question, form[field_name(question)].data) for question in questions])
    db.session.flush()


def answers_of(registration_ids, question_ids) -> dict[int, dict[int, object]]:
    """{registration id: {question id: value}} in one query."""
    registration_ids, question_ids = list(registration_ids), list(question_ids)
    if not registration_ids or not question_ids:
        return {}
    found: dict[int, dict[int, object]] = {}
    rows = db.session.execute(
        sa.select(EventAnswer.registration_id, EventAnswer.question_id, EventAnswer.value)
        .where(EventAnswer.registration_id.in_(registration_ids), EventAnswer.question_id.in_(question_ids))
    )
    for registration_id, question_id, value in rows:
        found.setdefault(registration_id, {})[question_id] = value
    return found


def as_text(value) -> str:
    """An answer as one line of text (the attendee list, the CSV)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " / ".join(str(item) for item in value)
    return str(value)


# --- series: one step for every session --------------------------------------------------------


@dataclass
class SharedQuestion:
    """A question several sessions of a series ask alike (same kind, wording and options): asked once."""

    first: EventQuestion
    asked_by: list[EventQuestion]

    @property
    def id(self) -> int:
        return self.first.id

    @property
    def required(self) -> bool:
        return any(question.required for question in self.asked_by)

    def __getattr__(self, name):  # kind, label, choices: the same in every session that asks it
        return getattr(self.first, name)


def _sameness(question: EventQuestion) -> tuple:
    return question.kind, question.label.strip(), tuple(question.choices)


def shared_questions(events: list[Event]) -> list[SharedQuestion]:
    """The registration questions of `events`, each distinct one once (required when any session requires it)."""
    groups: dict[tuple, SharedQuestion] = {}
    for event in events:
        for question in event.questions_for("signup"):
            group = groups.setdefault(_sameness(question), SharedQuestion(question, []))
            group.asked_by.append(question)
    return list(groups.values())


def consent_notes(events: list[Event]) -> list[str]:
    return list(dict.fromkeys(event.consent_note for event in events if event.consent_note))


def series_form(shared: list[SharedQuestion], notes: list[str], formdata=None):
    return answers_form(shared, consent_note="\n\n".join(notes), formdata=formdata)


def save_series_answers(registrations: dict[int, Registration], shared: list[SharedQuestion], form) -> None:
    """Each new registration (event id → registration) gets the answers to the questions its session asks."""
    for event_id, registration in registrations.items():
        _replace_answers(registration, [(question, form[field_name(group)].data)
                                        for group in shared for question in group.asked_by
                                        if question.event_id == event_id])
    db.session.flush()


def copy_to_series(event: Event) -> int:
    """Give the other sessions of the event's series its registration questions (those they do not ask yet)
    and its consent note and retention when they have none; how many sessions changed."""
    if event.series is None:
        return 0
    changed = 0
    for other in event.series.events:
        if other.id == event.id or other.deleted_at is not None:
            continue
        present = {_sameness(question) for question in other.questions_for("signup")}
        added = False
        for question in event.questions_for("signup"):
            if _sameness(question) not in present:
                add_question(other, "signup", kind=question.kind, label=question.label,
                             choices=list(question.choices), required=question.required)
                added = True
        if event.consent_note and not other.consent_note:
            other.consent_note = event.consent_note
            other.answer_retention_days = other.answer_retention_days or event.answer_retention_days
            added = True
        changed += added
    return changed


# --- summaries ------------------------------------------------------------------------------


@dataclass
class Summary:
    """What the answers to one question add up to."""

    question: EventQuestion
    answered: int = 0
    #: (option, count) in the question's order, for choices and ratings
    counts: list[tuple[str, int]] = field(default_factory=list)
    #: text answers, newest first (TEXTS_SHOWN at most)
    texts: list[str] = field(default_factory=list)
    average: float | None = None

    @property
    def largest(self) -> int:
        return max((count for _, count in self.counts), default=0)


def summarise(event: Event, purpose: str) -> list[Summary]:
    questions = event.questions_for(purpose)
    if not questions:
        return []
    values: dict[int, list] = {question.id: [] for question in questions}
    rows = db.session.execute(
        sa.select(EventAnswer.question_id, EventAnswer.value)
        .join(Registration, Registration.id == EventAnswer.registration_id)
        .where(EventAnswer.question_id.in_(list(values)), Registration.status != "cancelled")
        .order_by(EventAnswer.id.desc())
    )
    for question_id, value in rows:
        values[question_id].append(value)
    summaries = []
    for question in questions:
        answers = values[question.id]
        summary = Summary(question, answered=len(answers))
        if question.kind == "rating":
            tally = Counter(int(value) for value in answers)
            summary.counts = [(rating, tally.get(int(rating), 0)) for rating in RATINGS]
            summary.average = round(sum(int(value) for value in answers) / len(answers), 1) if answers else None
        elif question.has_choices:
            tally = Counter(item for value in answers for item in (value if isinstance(value, list) else [value]))
            options = list(question.choices) + [item for item in tally if item not in question.choices]
            summary.counts = [(option, tally.get(option, 0)) for option in options]
        else:
            summary.texts = [str(value) for value in answers[:TEXTS_SHOWN]]
        summaries.append(summary)
    return summaries


# --- editing --------------------------------------------------------------------------------


def parse_choices(text: str) -> list[str]:
    """One option per line, blank lines and repeats dropped."""
    return list(dict.fromkeys(line.strip() for line in (text or "").splitlines() if line.strip()))


def add_question(event: Event, purpose: str, *, kind: str, label: str, choices: list[str], required: bool
                 ) -> EventQuestion:
    position = max((question.position for question in event.questions_for(purpose)), default=0) + 1
    question = EventQuestion(event=event, purpose=purpose, kind=kind, label=label.strip(),
                             choices=choices if kind in ("choice", "choices") else [], required=required,
                             position=position)
    db.session.add(question)
    db.session.flush()
    return question


def move_question(event: Event, question: EventQuestion, step: int) -> None:
    """Swap the question with its neighbour above (-1) or below (+1)."""
    siblings = event.questions_for(question.purpose)
    index = siblings.index(question)
    other = index + step
    if 0 <= other < len(siblings):
        for position, item in enumerate(siblings, start=1):
            item.position = position
        siblings[index].position, siblings[other].position = siblings[other].position, siblings[index].position


# --- retention and erasure ------------------------------------------------------------------


def purge_expired_answers(now: datetime | None = None) -> int:
    """Delete registration answers of events past their retention period; how many events were purged."""
    now = now or utcnow()
    due = db.session.execute(
        sa.select(Event.id, Event.ends_at, Event.answer_retention_days)
        .where(Event.answer_retention_days.is_not(None), Event.answers_purged_at.is_(None), Event.ends_at < now)
    ).all()
    purged = 0
    for event_id, ends_at, days in due:
        if ends_at + timedelta(days=days) > now:
            continue
        signup_questions = sa.select(EventQuestion.id).where(EventQuestion.event_id == event_id,
                                                             EventQuestion.purpose == "signup")
        db.session.execute(sa.delete(EventAnswer).where(EventAnswer.question_id.in_(signup_questions)))
        db.session.execute(sa.update(Event).where(Event.id == event_id).values(answers_purged_at=now))
        purged += 1
    return purged


def erase_answers_of(member_id: int) -> None:
    """A deleted account's answers (registration and survey) go with it."""
    registrations = sa.select(Registration.id).where(Registration.member_id == member_id)
    db.session.execute(sa.delete(EventAnswer).where(EventAnswer.registration_id.in_(registrations)))
