"""Mail about an event to one member, in their language, with the event's link."""

from core.mail import send_template
from core.routing import site_url
from events.models import Event
from members.models import Member


def mail_member(member: Member | None, template: str, event: Event, **context) -> None:
    if member is None:
        return
    send_template(
        member.email, f"events/mail/{template}.txt", locale=member.locale, kind=template.replace("_", "."),
        event=event, member=member, event_url=site_url("events.detail", event_id=event.id), **context,
    )
