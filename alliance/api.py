"""The alliance's part of /api/v1: member organisations (the contact address is never included)."""

import sqlalchemy as sa
from flask import Blueprint, jsonify
from flask_babel import gettext as _

from alliance import services
from alliance.models import THEME_DEPTHS, Organization
from core import refdata
from core.api import (
    LIMIT_PARAMETERS,
    PREFECTURE_SCHEMA,
    REGION_PARAMETER,
    THEME_PARAMETER,
    ApiError,
    api_url,
    arg,
    error_responses,
    json_content,
    list_of,
    list_page,
    query_parameter,
)

bp = Blueprint("alliance_api", __name__, url_prefix="/api/v1")


def organization_json(organization: Organization) -> dict:
    """The public fields of an organisation."""
    return {
        "slug": organization.slug,
        "name": organization.name,
        "kind": organization.kind,
        "prefecture": organization.prefecture,
        "region": refdata.PREFECTURES_BY_CODE[organization.prefecture].region
        if organization.prefecture in refdata.PREFECTURES_BY_CODE else None,
        "served_prefectures": list(organization.served_prefectures),
        "themes": [
            {"slug": row.theme, "depth": row.depth, "note": row.note} for row in organization.themes_by_depth
        ],
        "summary": organization.summary,
        "founded_year": organization.founded_year,
        "website": organization.website or None,
        "accepts_remote": organization.accepts_remote,
        "url": api_url("alliance.detail", slug=organization.slug),
    }


def organization_detail_json(organization: Organization) -> dict:
    return {
        **organization_json(organization),
        "description": organization.description,
        "services": [{"title": s.title, "description": s.description} for s in organization.services],
        "track_record": [{"value": r.value, "label": r.label} for r in organization.records],
    }


@bp.get("/organizations")
def organizations():
    """Live member organisations, newest first; filters `theme`, `prefecture`, `region` combine."""
    filters = services.DirectoryFilters.from_values(
        prefecture=arg("prefecture", ""), region=arg("region", ""), theme=arg("theme", ""),
    )
    return list_page(
        sa.select(Organization).where(*services.filter_clauses(filters)).options(*services.card_options())
        .order_by(Organization.created_at.desc(), Organization.id.desc()),
        organization_json, public_as="api.organizations",
    )


@bp.get("/organizations/<slug>")
def organization(slug):
    """One live organisation with its services and track record."""
    found = services.find_organization(slug, options=services.page_options())
    if found is None or not found.is_live:
        raise ApiError(404, _("No member organisation has this short name."))
    return jsonify(organization_detail_json(found))


_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}

OPENAPI_SCHEMAS = {
    "OrganizationTheme": {
        "type": "object",
        "required": ["slug", "depth", "note"],
        "properties": {
            "slug": _STRING,
            "depth": {"type": "string", "enum": list(THEME_DEPTHS),
                      "description": "experienced 実績あり < strong 得意 < expert 専門"},
            "note": _STRING,
        },
    },
    "Organization": {
        "type": "object",
        "required": ["slug", "name", "kind", "prefecture", "region", "served_prefectures", "themes", "summary",
                     "founded_year", "website", "accepts_remote", "url"],
        "properties": {
            "slug": _STRING,
            "name": _STRING,
            "kind": _STRING,
            "prefecture": {"type": "string", "description": "head office, JIS X 0401 code"},
            "region": _NULLABLE_STRING,
            "served_prefectures": {"type": "array", "items": _STRING},
            "themes": {"type": "array", "items": {"$ref": "#/components/schemas/OrganizationTheme"}},
            "summary": _STRING,
            "founded_year": {"type": ["integer", "null"]},
            "website": _NULLABLE_STRING,
            "accepts_remote": {"type": "boolean"},
            "url": _STRING,
        },
    },
    "OrganizationDetail": {
        "allOf": [
            {"$ref": "#/components/schemas/Organization"},
            {
                "type": "object",
                "required": ["description", "services", "track_record"],
                "properties": {
                    "description": {"type": "string", "description": "Markdown"},
                    "services": {"type": "array", "items": {
                        "type": "object", "properties": {"title": _STRING, "description": _STRING}}},
                    "track_record": {"type": "array", "items": {
                        "type": "object", "properties": {"value": _STRING, "label": _STRING}}},
                },
            },
        ]
    },
}

OPENAPI_PATHS = {
    "/organizations": {
        "get": {
            "summary": "Member organisations (newest first)",
            "parameters": [
                THEME_PARAMETER,
                query_parameter("prefecture", PREFECTURE_SCHEMA, "a served prefecture, JIS X 0401 code"),
                REGION_PARAMETER,
                *LIMIT_PARAMETERS,
            ],
            "responses": {
                "200": {"description": "organisations", **json_content(list_of("Organization"))},
                **error_responses(429),
            },
        }
    },
    "/organizations/{slug}": {
        "get": {
            "summary": "One member organisation",
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": _STRING}],
            "responses": {
                "200": {"description": "the organisation",
                        **json_content({"$ref": "#/components/schemas/OrganizationDetail"})},
                **error_responses(404),
            },
        }
    },
}
