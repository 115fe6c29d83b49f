"""Referrals in the JSON API: the token holder's referrals (all of them for the secretariat).

Consultation contact data is in an answer only for admins and the organisation that
took the referral on; anyone else does not even learn that a referral exists (404).
"""

import sqlalchemy as sa
from flask import Blueprint, g, jsonify, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from alliance.referrals import services
from alliance.referrals.models import REFERRAL_STATUSES, Consultation, Referral
from core.api import (
    LIMIT_PARAMETERS,
    ApiError,
    arg,
    enum_schema,
    error_responses,
    id_parameter,
    json_content,
    list_of,
    list_page,
    query_parameter,
    token_required,
)
from core.db import db

bp = Blueprint("referrals_api", __name__, url_prefix="/api/v1")


def _organization(organization) -> dict | None:
    if organization is None:
        return None
    return {"slug": organization.slug, "name": organization.name}


def referral_json(referral: Referral, member) -> dict:
    """A referral as its parties see it."""
    outcome = referral.outcome
    consultation = referral.consultation
    answer = {
        "id": referral.id,
        "title": referral.title,
        "theme": referral.theme,
        "prefecture": referral.prefecture,
        "description": referral.description,
        "timing": referral.timing,
        "format": referral.format,
        "status": referral.status,
        "requester": _organization(referral.requester),
        "partner": _organization(referral.partner),
        "created_at": referral.created_at.isoformat(),
        "updated_at": referral.updated_at.isoformat(),
        "completed_at": referral.completed_at.isoformat() if referral.completed_at else None,
        "outcome": None if outcome is None else {
            "summary": outcome.summary,
            "people_supported": outcome.people_supported,
            "companies_supported": outcome.companies_supported,
            "hours": outcome.hours,
        },
        "consultation": None,
        "url": url_for("referrals.detail", referral_id=referral.id, _external=True),
    }
    if consultation is not None:
        answer["consultation"] = {"reference": consultation.reference, "prefecture": consultation.prefecture}
        if services.can_see_contact(consultation, member):
            answer["consultation"].update(
                organization_name=consultation.organization_name,
                contact_name=consultation.contact_name,
                email=consultation.email,
                message=consultation.message,
            )
    return answer


def _options():
    return (
        joinedload(Referral.requester),
        joinedload(Referral.partner),
        joinedload(Referral.outcome),
        joinedload(Referral.consultation).joinedload(Consultation.referral),
    )


@bp.get("/referrals")
@token_required
def referrals():
    """The referrals the token holder's organisations are party to, most recently changed first."""
    member = g.api_member
    status = arg("status")
    query = services.visible_query(member).options(*_options())
    if status:
        query = query.where(Referral.status == status)
    return list_page(query.order_by(Referral.updated_at.desc(), Referral.id.desc()),
                     lambda referral: referral_json(referral, member))


@bp.get("/referrals/<int:referral_id>")
@token_required
def referral(referral_id: int):
    """One referral, for its parties and the secretariat."""
    member = g.api_member
    found = db.session.scalars(
        sa.select(Referral).where(Referral.id == referral_id).options(*_options())
    ).unique().first()
    if found is None or not services.may(found, "view", member):
        raise ApiError(404, _("No such referral."))
    return jsonify(referral_json(found, member))


ORGANIZATION_REF = {"type": ["object", "null"], "properties": {"slug": {"type": "string"},
                                                               "name": {"type": "string"}}}
SCHEMAS = {
    "Referral": {
        "type": "object",
        "required": ["id", "title", "theme", "prefecture", "status", "requester", "partner", "url"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "theme": {"type": "string"},
            "prefecture": {"type": "string"},
            "description": {"type": "string"},
            "timing": {"type": "string"},
            "format": {"type": "string", "enum": ["onsite", "online", "either"]},
            "status": {"type": "string", "enum": list(REFERRAL_STATUSES)},
            "requester": ORGANIZATION_REF,
            "partner": ORGANIZATION_REF,
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "completed_at": {"type": ["string", "null"], "format": "date-time"},
            "outcome": {"type": ["object", "null"]},
            "consultation": {
                "type": ["object", "null"],
                "description": "Contact fields only for the secretariat and the organisation that took it on.",
            },
            "url": {"type": "string"},
        },
    }
}
PATHS = {
    "/referrals": {
        "get": {
            "summary": "Referrals of the token holder's organisations (all for admins)",
            "security": [{"bearer": []}],
            "parameters": [
                *LIMIT_PARAMETERS,
                query_parameter("status", enum_schema(REFERRAL_STATUSES)),
            ],
            "responses": {"200": {"description": "referrals", **json_content(list_of("Referral"))},
                          **error_responses(401)},
        }
    },
    "/referrals/{referral_id}": {
        "get": {
            "summary": "One referral (its parties and admins only)",
            "security": [{"bearer": []}],
            "parameters": [id_parameter("referral_id")],
            "responses": {"200": {"description": "referral", **json_content({"$ref": "#/components/schemas/Referral"})},
                          **error_responses(401, 404)},
        }
    },
}
