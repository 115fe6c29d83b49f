"""Mail about an event to one member, in their language, with the event's link."""

from core.mail import send_template
from core.routing import site_url
from events.models import Event
from members import notifications
from members.models import Member


def mail_member(member: Member | None, template: str, event: Event, *, notification: str = "", **context) -> None:
    """`notification`: the kind of mail the member can switch off (members.notifications), if it is one."""
    if member is None:
        return
    context.update(event=event, member=member, event_url=site_url("events.detail", event_id=event.id))
    path, kind = f"events/mail/{template}.txt", template.replace("_", ".")
    if notification:
        notifications.send(member, notification, path, mail_kind=kind, **context)
    else:
        send_template(member.email, path, locale=member.locale, kind=kind, **context)
