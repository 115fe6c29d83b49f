"""Mail about an event to one member, in their language, with the event's link."""

from core.mail import send_template
from core.routing import site_url
from events.models import Event
from members import notifications
from members.models import Member


def mail_member(member: Member | None, template: str, event: Event, *, notification: str = "",
                wants: bool | None = None, **context) -> bool:
    """Queue the mail; whether it was queued. `notification`: the kind of mail the member can switch off
    (members.notifications), if it is one; `wants` their choice when the caller read it for many."""
    if member is None:
        return False
    context.update(event=event, member=member, event_url=site_url("events.detail", event_id=event.id),
                   ticket_url=site_url("checkin.ticket", event_id=event.id))
    path, kind = f"events/mail/{template}.txt", template.replace("_", ".")
    if notification:
        return notifications.send(member, notification, path, mail_kind=kind, wants=wants, **context) is not None
    send_template(member.email, path, locale=member.locale, kind=kind, **context)
    return True
