"""Why the rules refuse a signup or an organiser action: typed refusals with the message a person reads.

Services raise them; the HTML views turn them into a flash or a field error, the API into a 409/422.
"""

from flask_babel import lazy_gettext as _l

from events.models import Event

#: why a signup or cancellation is refused, with the message the member reads
REFUSALS = {
    "not_open": _l("This event is not open for registration."),
    "cancelled": _l("This event has been cancelled."),
    "closed": _l("Registration for this event has closed."),
    "started": _l("This event has already started."),
    "members_only": _l("This event is for RAN members only. Please log in."),
    "already": _l("You are already registered for this event."),
    "full": _l("This event is full and has no waitlist."),
    "company_cap": _l("The seats for members of your company at this event are all taken."),
    "not_registered": _l("You are not registered for this event."),
    "no_sessions": _l("This series has no upcoming session to register for."),
}

#: why an organiser action is refused
ACTION_ERRORS = {
    "not_lottery": _l("This event does not use a lottery."),
    "already_drawn": _l("The lottery of this event has already been drawn."),
    "too_early": _l("The lottery can be drawn only after the application deadline."),
    "not_open": _l("Only a published event can be drawn."),
    "already_cancelled": _l("This event has already been cancelled."),
    "not_started": _l("Attendance can be marked once the event has started."),
    "capacity_conflict": _l("The capacity is lower than the number of confirmed attendees."),
    "capacity_below_confirmed": _l("%(count)d members are already confirmed: the capacity cannot be lower."),
    "allocation_locked": _l("The allocation cannot change once members have registered."),
}
#: the form field an edit's refusal belongs to (the page shows the message there)
ACTION_FIELDS = {"capacity_below_confirmed": "capacity", "allocation_locked": "allocation"}


class RegistrationRefused(Exception):
    """A signup or cancellation that the rules do not allow."""

    def __init__(self, reason: str, event: Event | None = None):
        super().__init__(reason)
        self.reason = reason
        self.event = event

    @property
    def message(self) -> str:
        return str(REFUSALS[self.reason])


class ActionRefused(Exception):
    """An organiser action that the state of the event does not allow."""

    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details

    @property
    def message(self) -> str:
        return str(ACTION_ERRORS[self.reason]) % self.details if self.details else str(ACTION_ERRORS[self.reason])

    @property
    def field(self) -> str | None:
        """The form field the refusal is about, if any."""
        return ACTION_FIELDS.get(self.reason)
