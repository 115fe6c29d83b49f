"""Mail a member can switch off: their choices, the one-click unsubscribe link (RFC 8058), and sending.

Mail that answers the member's own action (a signup confirmation, a password
reset) is always sent; the kinds below are the rest. A switched-off kind is not
queued at all.
"""

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from core.db import db
from core.mail import OutboxMessage, send_template
from core.routing import site_url
from members.models import MailPreference, Member

#: kind -> (label, what it is); the order of the notifications page
KINDS = {
    "event_reminders": (_l("Event reminders"),
                        _l("A reminder the day before an event you registered for.")),
    "organiser_messages": (_l("Messages from organisers"),
                           _l("News an event's organiser sends to its attendees.")),
    "event_surveys": (_l("Surveys after events"),
                      _l("A short survey after an event you attended.")),
    "staff_updates": (_l("Referral and project updates"),
                      _l("For staff of alliance organisations: new steps in referrals, applications and reports.")),
    "digest": (_l("Weekly digest"),
               _l("Once a week: new events and knowhow for your prefecture and themes.")),
}
#: switched on unless the member says otherwise; the digest is asked for
DEFAULTS = {kind: kind != "digest" for kind in KINDS}
_SALT = "ranhub.unsubscribe"


def preferences(member: Member) -> dict[str, bool]:
    chosen = dict(db.session.execute(
        sa.select(MailPreference.kind, MailPreference.enabled).where(MailPreference.member_id == member.id)
    ).all())
    return {kind: chosen.get(kind, DEFAULTS[kind]) for kind in KINDS}


def wanted(member: Member, kind: str) -> bool:
    enabled = db.session.scalar(sa.select(MailPreference.enabled).where(
        MailPreference.member_id == member.id, MailPreference.kind == kind))
    return DEFAULTS[kind] if enabled is None else enabled


def wanting(kind: str, member_ids) -> set[int]:
    """Those of `member_ids` who receive `kind` (one query, for mail sent to many)."""
    ids = set(member_ids)
    if not ids:
        return set()
    chosen = dict(db.session.execute(
        sa.select(MailPreference.member_id, MailPreference.enabled)
        .where(MailPreference.kind == kind, MailPreference.member_id.in_(ids))
    ).all())
    return {member_id for member_id in ids if chosen.get(member_id, DEFAULTS[kind])}


def set_preference(member_id: int, kind: str, enabled: bool) -> None:
    row = db.session.get(MailPreference, (member_id, kind))
    if row is None:
        db.session.add(MailPreference(member_id=member_id, kind=kind, enabled=enabled))
    else:
        row.enabled = enabled


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(member: Member, kind: str) -> str:
    """Signed, so the link names the member without an id anyone could change."""
    return _serializer().dumps([member.id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        member_id, kind = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(member_id, int) or kind not in KINDS:
        return None
    return member_id, kind


def unsubscribe_url(member: Member, kind: str) -> str:
    return site_url("members.unsubscribe", token=unsubscribe_token(member, kind))


def send(recipient: Member, kind: str, template: str, /, *, mail_kind: str = "", wants: bool | None = None,
         **context) -> OutboxMessage | None:
    """Queue a mail of a kind the member can switch off (nothing when they did), with List-Unsubscribe.

    `wants`: the member's choice when the caller read it already (`wanting`, for many recipients).
    """
    if not (wanted(recipient, kind) if wants is None else wants):
        return None
    url = unsubscribe_url(recipient, kind)
    with force_locale(recipient.locale or "ja"):
        footer = render_template("members/mail/_unsubscribe_footer.txt", kind_label=KINDS[kind][0],
                                 unsubscribe_url=url, settings_url=site_url("members.notifications"))
    return send_template(
        recipient.email, template, locale=recipient.locale, kind=mail_kind, footer=footer,
        headers={"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        **context,
    )
