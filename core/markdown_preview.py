"""POST /markdown/preview: what a Markdown field will look like, rendered by the server through the same
sanitiser as the published page (core.markdown), for the small script beside every MarkdownField."""

from flask import Blueprint, Response, abort, request
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup, escape

from core.markdown import render_markdown

bp = Blueprint("markdown", __name__)

#: the longest Markdown field of any form (a knowhow article's body)
PREVIEW_MAX = 50_000


@bp.post("/markdown/preview")
@login_required
def preview():
    """The text's HTML as a fragment (CSRF-checked like every POST; members only: only they write)."""
    text = request.form.get("text", "")
    if len(text) > PREVIEW_MAX:
        abort(413)
    html = render_markdown(text) if text.strip() else Markup('<p class="muted">{}</p>').format(
        escape(_("Nothing to preview yet.")))
    response = Response(str(html), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
