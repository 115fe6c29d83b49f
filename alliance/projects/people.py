"""The people directory: opt-in expertise profiles, as far as the viewer may see them.

Visitors and plain members see public profiles; alliance staff and admins also those
whose owners chose "alliance staff only". A profile the viewer may not see answers 404.
"""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from alliance.projects import services
from alliance.projects.forms import PeopleFilterForm
from core import refdata
from core.paging import paginate
from members.expertise import services as expertise

PEOPLE_PER_PAGE = 20

bp = Blueprint("people", __name__, url_prefix="/alliance/projects/people")


@bp.get("/")
def index():
    """Members who offer their skills, with filters (theme, where, skill, remote)."""
    filters = PeopleFilterForm(request.args)
    values = filters.data if filters.validate() else {}
    region, prefecture = values.get("region") or "", values.get("prefecture") or ""
    codes = [prefecture] if prefecture else (refdata.prefectures_in_region(region) if region else [])
    query = expertise.visible_profiles_query(
        include_alliance=services.sees_alliance_profiles(), theme=values.get("theme") or "",
        prefectures=codes, skill=(values.get("skill") or "").strip(), remote_only=bool(values.get("remote")),
    )
    page = paginate(query, PEOPLE_PER_PAGE)
    return render_template("projects/people.html", page=page, filters=filters,
                           sees_alliance=services.sees_alliance_profiles())


@bp.get("/<int:member_id>")
def person(member_id: int):
    """One expertise profile (404 unless the viewer may see it)."""
    profile = expertise.visible_profile(
        member_id, include_alliance=services.sees_alliance_profiles(),
        viewer_id=current_user.id if current_user.is_authenticated else None,
    )
    if profile is None:
        abort(404)
    return render_template("projects/person.html", profile=profile, member=profile.member)
