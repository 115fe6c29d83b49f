"""Projects and people in /api/v1: open projects, applying with a token, public expertise profiles.

Only public profiles are ever answered here, whoever's token it is: "alliance staff
only" profiles stay on the site, behind the staff's login.
"""

import sqlalchemy as sa
from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from alliance.projects import services
from alliance.projects.forms import MOTIVATION_MAX
from alliance.projects.models import PROJECT_KINDS, Project, ProjectApplication
from core import refdata
from core.api import (
    LIMIT_PARAMETERS,
    NOT_BLANK,
    PREFECTURE_PARAMETER,
    REGION_PARAMETER,
    THEME_PARAMETER,
    ApiError,
    api_url,
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
from members.expertise import services as expertise
from members.expertise.models import SKILL_MAX_LENGTH

bp = Blueprint("projects_api", __name__, url_prefix="/api/v1")


def project_data(project: Project) -> dict:
    return {
        "id": project.id,
        "title": project.title,
        "kind": project.kind,
        "host_name": project.host_name,
        "host_type": project.host_type,
        "organization": project.organization.slug,
        "theme": project.theme,
        "prefecture": project.prefecture,
        "location": project.location,
        "programme": project.programme_name,
        "skills": project.skills,
        "hours_per_month": project.hours_per_month,
        "duration_months": project.duration_months,
        "remote_possible": project.remote_possible,
        "compensation": project.compensation,
        "compensation_note": project.compensation_note,
        "deadline": project.deadline.isoformat(),
        "positions": project.positions,
        "accepting_applications": services.accepts_applications(project),
        "url": api_url("projects.detail", project_id=project.id),
    }


def application_data(application: ProjectApplication) -> dict:
    return {
        "id": application.id,
        "project_id": application.project_id,
        "status": application.status,
        "message": application.message,
        "created_at": application.created_at.isoformat(),
        "url": api_url("projects.application", application_id=application.id),
    }


@bp.get("/projects")
def projects():
    """Projects accepting applications, deadline soonest first."""
    region, prefecture = arg("region"), arg("prefecture")
    codes = [prefecture] if prefecture else (refdata.prefectures_in_region(region) if region else [])
    return list_page(services.project_list_query(kind=arg("kind", ""), theme=arg("theme", ""), prefectures=codes),
                     project_data, public_as="api.projects")


def _visible_project(project_id: int) -> Project:
    project = db.session.scalar(
        sa.select(Project).where(Project.id == project_id)
        .options(joinedload(Project.organization), selectinload(Project.skill_rows)))
    if project is None or not project.organization.is_live:
        raise ApiError(404, _("No such project."))
    return project


@bp.get("/projects/<int:project_id>")
def project(project_id: int):
    return jsonify(project_data(_visible_project(project_id)))


@bp.post("/projects/<int:project_id>/applications")
@token_required
def apply(project_id: int):
    """Apply to a project in the token's name, with {"motivation": "…"}."""
    project = _visible_project(project_id)
    payload = request.get_json(silent=True)
    motivation = payload.get("motivation") if isinstance(payload, dict) else None
    if not isinstance(motivation, str) or not motivation.strip():
        raise ApiError(422, _("Please tell the host why you would like to take part."))
    if len(motivation) > MOTIVATION_MAX:
        raise ApiError(422, _("Use at most %(max)d characters.", max=MOTIVATION_MAX))
    try:
        application = services.apply(project, g.api_member, motivation)
    except services.ProjectError as error:
        db.session.rollback()
        raise ApiError(409, str(error.message)) from error
    db.session.commit()
    return jsonify(application_data(application)), 201


@bp.get("/me/applications")
@token_required
def my_applications():
    """The token member's applications, newest first."""
    return list_page(services.my_applications_query(g.api_member), application_data)


@bp.get("/people")
def people():
    """Public expertise profiles (never "alliance staff only" ones), newest change first."""
    prefecture = arg("prefecture")
    query = expertise.visible_profiles_query(
        include_alliance=False, theme=arg("theme", ""), prefectures=[prefecture] if prefecture else [],
        skill=arg("skill", ""),
    )
    return list_page(query, expertise.public_profile_data)


@bp.get("/people/<int:member_id>")
def person(member_id: int):
    profile = expertise.visible_profile(member_id, include_alliance=False)
    if profile is None:
        raise ApiError(404, _("No such profile."))
    return jsonify(expertise.public_profile_data(profile))



PATHS = {
    "/projects": {"get": {
        "summary": "Projects accepting applications (side jobs, secondments, facilitator dispatches)",
        "parameters": [THEME_PARAMETER, PREFECTURE_PARAMETER, query_parameter("kind", enum_schema(PROJECT_KINDS)),
                       REGION_PARAMETER, *LIMIT_PARAMETERS],
        "responses": {"200": {"description": "projects", **json_content(list_of("Project"))}},
    }},
    "/projects/{project_id}": {"get": {
        "summary": "A project",
        "parameters": [id_parameter("project_id")],
        "responses": {"200": {"description": "the project", **json_content({"$ref": "#/components/schemas/Project"})},
                      **error_responses(404)},
    }},
    "/projects/{project_id}/applications": {"post": {
        "summary": "Apply to a project",
        "security": [{"bearer": []}],
        "parameters": [id_parameter("project_id")],
        "requestBody": {"required": True, **json_content({
            "type": "object", "required": ["motivation"],
            "properties": {"motivation": {"type": "string", "minLength": 1, "maxLength": MOTIVATION_MAX,
                                          "pattern": NOT_BLANK}}})},
        "responses": {"201": {"description": "the application",
                              **json_content({"$ref": "#/components/schemas/ProjectApplication"})},
                      **error_responses(401, 404, 409, 422)},
    }},
    "/me/applications": {"get": {
        "summary": "My applications to projects",
        "security": [{"bearer": []}],
        "parameters": LIMIT_PARAMETERS,
        "responses": {"200": {"description": "applications", **json_content(list_of("ProjectApplication"))},
                      **error_responses(401)},
    }},
    "/people": {"get": {
        "summary": "Public expertise profiles of members",
        "parameters": [THEME_PARAMETER, PREFECTURE_PARAMETER,
                       query_parameter("skill", {"type": "string", "maxLength": SKILL_MAX_LENGTH},
                                       "part of a skill tag"),
                       *LIMIT_PARAMETERS],
        "responses": {"200": {"description": "profiles", **json_content(list_of("ExpertiseProfile"))}},
    }},
    "/people/{member_id}": {"get": {
        "summary": "A public expertise profile",
        "parameters": [id_parameter("member_id")],
        "responses": {"200": {"description": "the profile",
                              **json_content({"$ref": "#/components/schemas/ExpertiseProfile"})},
                      **error_responses(404)},
    }},
}

_string, _integer, _boolean = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
SCHEMAS = {
    "Project": {
        "type": "object",
        "required": ["id", "title", "kind", "host_name", "organization", "theme", "prefecture", "deadline", "url"],
        "properties": {
            "id": _integer, "title": _string, "kind": {"type": "string", "enum": list(PROJECT_KINDS)},
            "host_name": _string, "host_type": _string, "organization": _string, "theme": _string,
            "prefecture": _string, "location": _string, "programme": _string,
            "skills": {"type": "array", "items": _string}, "hours_per_month": _integer,
            "duration_months": _integer, "remote_possible": _boolean, "compensation": _string,
            "compensation_note": _string, "deadline": {"type": "string", "format": "date"},
            "positions": _integer, "accepting_applications": _boolean, "url": _string,
        },
    },
    "ProjectApplication": {
        "type": "object",
        "required": ["id", "project_id", "status"],
        "properties": {
            "id": _integer, "project_id": _integer,
            "status": {"type": "string", "enum": ["screening", "interview", "matched", "not_matched", "withdrawn"]},
            "message": _string, "created_at": {"type": "string", "format": "date-time"}, "url": _string,
        },
    },
    "ExpertiseProfile": {
        "type": "object",
        "required": ["member_id", "display_name", "themes", "skills"],
        "properties": {
            "member_id": _integer, "display_name": _string, "prefecture": _string,
            "themes": {"type": "array", "items": _string}, "skills": {"type": "array", "items": _string},
            "summary": _string, "hours_per_month": _integer, "remote": _boolean, "on_site": _boolean,
            "travel_prefectures": {"type": "array", "items": _string}, "accepting": _boolean,
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
}
