"""/members/me/export: everything the site holds about a member, as one JSON document.

The electronic disclosure (開示) the Act on the Protection of Personal Information
lets a person ask for; other rooms add their part through `hooks.MEMBER_DATA_EXPORTS`.
"""

import sqlalchemy as sa

from core import hooks
from core.db import db, json_row, utcnow
from core.mail import OutboxMessage
from members import notifications, services
from members.models import ApiToken, Member


def member_data(member: Member) -> dict:
    addresses = {member.email} | services.former_emails(member.id)
    mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address.in_(addresses))
                               .order_by(OutboxMessage.id))
    tokens = db.session.scalars(sa.select(ApiToken).where(ApiToken.member_id == member.id).order_by(ApiToken.id))
    data = {
        "exported_at": utcnow().isoformat(),
        "profile": {
            **json_row(member, "id", "email", "display_name", "prefecture", "affiliation", "organization_name", "bio",
                       "locale", "is_admin", "created_at", "password_changed_at", "email_verified_at"),
            "themes": list(member.themes),
            "former_emails": sorted(addresses - {member.email}),
        },
        "mail_preferences": notifications.preferences(member),
        "login_sessions": [json_row(row, "created_at", "last_seen_at", "user_agent", "ip_prefix")
                           for row in services.login_sessions(member)],
        "api_tokens": [json_row(token, "name", "prefix", "created_at", "revoked_at") for token in tokens],
        "mails": [json_row(mail, "created_at", "to_address", "subject", "body", "status", "sent_at")
                  for mail in mails],
    }
    for export in hooks.MEMBER_DATA_EXPORTS.implementations():
        data.update(export(member))
    return data
