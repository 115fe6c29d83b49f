"""/contact: anyone writes to the secretariat; the message lands in its inbox and in every admin's mail."""

import logging

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from alliance.forms import MessageForm
from alliance.models import ContactMessage
from core.audit import audit
from core.auth import admin_required, is_admin
from core.db import db
from core.forms import EmptyForm
from core.hooks import Link, render_section
from core.mail import send_template
from core.paging import paginate
from core.routing import site_url
from core.security import limiter
from members.models import Member
from members.services import secretariat

log = logging.getLogger(__name__)
INBOX_PER_PAGE = 30
#: session key: the contact form was sent (the thank-you page shows only then)
SENT_KEY = "contact_sent"

bp = Blueprint("contact", __name__)
FOOTER_LINK = Link("contact.new", _l("Contact"), order=90)


def submit(*, name: str, email: str, message: str, member: Member | None) -> ContactMessage:
    """Keep the message in the secretariat's inbox and mail it to every admin."""
    contact = ContactMessage(name=name, email=email, message=message, member_id=member.id if member else None)
    db.session.add(contact)
    db.session.flush()
    for admin in secretariat():
        send_template(admin.email, "alliance/mail/secretariat_contact.txt", locale=admin.locale,
                      kind="secretariat.contact", contact=contact,
                      inbox_url=site_url("contact.inbox"))
    return contact


@bp.route("/contact", methods=["GET", "POST"], endpoint="new")
@limiter.limit("5 per hour;20 per day", methods=["POST"])
def contact():
    """Write to the secretariat (運営事務局へのお問い合わせ)."""
    form = MessageForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.name.data = current_user.display_name
        form.email.data = current_user.email
    if form.validate_on_submit():
        if form.is_bot:
            # Answered as usual so the bot learns nothing; nothing is kept or sent.
            log.info("contact honeypot filled from %s", request.remote_addr)
        else:
            submit(name=form.name.data, email=form.email.data, message=form.message.data,
                   member=current_user if current_user.is_authenticated else None)
            db.session.commit()
        session[SENT_KEY] = True
        return redirect(url_for("contact.sent"))
    return render_template("alliance/contact.html", form=form)


@bp.get("/contact/sent")
def sent():
    if not session.pop(SENT_KEY, False):
        return redirect(url_for("contact.new"))
    return render_template("alliance/contact_sent.html")


@bp.get("/alliance/secretariat/contact")
@admin_required
def inbox():
    """Messages sent through /contact, the open ones first."""
    query = sa.select(ContactMessage).order_by((ContactMessage.status == "done"), ContactMessage.created_at.desc(),
                                               ContactMessage.id.desc())
    page = paginate(query, per_page=INBOX_PER_PAGE)
    return render_template("alliance/secretariat/contact.html", page=page, form=EmptyForm())


@bp.post("/alliance/secretariat/contact/<int:message_id>/done")
@admin_required
def mark_done(message_id: int):
    message = db.session.get(ContactMessage, message_id)
    if message is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    message.status = "done"
    audit("contact.done", message)
    db.session.commit()
    flash(_("The message is marked as answered."), "success")
    return redirect(url_for("contact.inbox"))


def erase_member(member: Member) -> None:
    """Account deletion: the messages the member sent to the secretariat go too (they carry name and address)."""
    db.session.execute(sa.delete(ContactMessage).where(
        sa.or_(ContactMessage.member_id == member.id, ContactMessage.email == member.email)))


def secretariat_section():
    """The secretariat's home: how many messages wait for an answer."""
    if not is_admin():
        return None
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(ContactMessage)
                                .where(ContactMessage.status == "new"))
    return render_section("alliance/secretariat/_contact_section.html", waiting=waiting)
