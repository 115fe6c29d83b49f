"""The member's own part of /api/v1: who am I (bearer token)."""

from flask import Blueprint, g, jsonify

from core.api import error_responses, json_content, token_required
from members import services

bp = Blueprint("members_api", __name__, url_prefix="/api/v1")


@bp.get("/me")
@token_required
def me():
    """The public profile of the token's member."""
    return jsonify(services.public_profile(g.api_member))


OPENAPI_PATHS = {
    "/me": {
        "get": {
            "summary": "The public profile of the member the token belongs to",
            "security": [{"bearer": []}],
            "responses": {
                "200": {"description": "the member", **json_content({"$ref": "#/components/schemas/MemberProfile"})},
                **error_responses(401, 429),
            },
        }
    },
}

OPENAPI_SCHEMAS = {
    "MemberProfile": {
        "type": "object",
        "required": ["id", "display_name", "prefecture", "affiliation", "themes"],
        "properties": {
            "id": {"type": "integer"},
            "display_name": {"type": "string"},
            "prefecture": {"type": "string", "description": "JIS X 0401 code, 01–47"},
            "affiliation": {
                "type": "string",
                "enum": ["company", "public-sector", "education", "npo", "individual"],
            },
            "themes": {"type": "array", "items": {"type": "string"}, "description": "theme slugs"},
        },
    },
}
