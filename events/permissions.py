"""Who may do what with an event."""

from alliance.permissions import staff_organization_ids
from core.auth import is_admin
from events.models import CONFIRMED, Event, EventSeries, Registration


def can_manage(event: Event | EventSeries, user=None) -> bool:
    """Staff of the organising organisation, or an admin (secretariat events: admins only)."""
    if is_admin(user):
        return True
    return event.organization_id is not None and event.organization_id in staff_organization_ids(user)


def can_create_events(user=None) -> bool:
    return is_admin(user) or bool(staff_organization_ids(user))


def is_visible(event: Event, user=None) -> bool:
    """Published and cancelled events are public; drafts and deleted events only to organisers/admins."""
    if event.deleted_at is not None:
        return is_admin(user)
    if event.status == "draft":
        return can_manage(event, user)
    return True


def may_see_online_url(event: Event, registration: Registration | None, user=None) -> bool:
    """Confirmed attendees, organisers and admins only."""
    if can_manage(event, user):
        return True
    return registration is not None and registration.status == CONFIRMED
