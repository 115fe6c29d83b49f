"""Knowhow pages: list and search, article, writing with history, programme adoptions, feed."""

import math
from dataclasses import dataclass
from xml.etree import ElementTree  # nosec B405 - only builds the Atom feed, never parses input

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from alliance.permissions import acting_organizations, staff_organization_ids
from core import fragments, pictures, refdata
from core.auth import admin_required, confirmed_required
from core.db import db
from core.markdown import markdown_to_text
from core.paging import check_page, paginate, requested_page
from knowhow import services
from knowhow.forms import AdoptionForm, ArticleForm
from knowhow.models import ARTICLE_KINDS, PLAYBOOK_FIELDS, Adoption, Article, ArticleRevision

bp = Blueprint("knowhow", __name__, url_prefix="/knowhow", template_folder="templates")

PER_PAGE = 20
FEED_SIZE = 30


@dataclass
class ListPage:
    """A page of a list whose items are already loaded (the `pagination` macro's interface)."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self, left_edge=1, left_current=2, right_current=2, right_edge=1):
        last = 0
        for number in range(1, self.pages + 1):
            if (number <= left_edge or self.page - left_current <= number <= self.page + right_current
                    or number > self.pages - right_edge):
                if last + 1 != number:
                    yield None
                yield number
                last = number


def list_filters() -> dict:
    """The list's filters, with unknown values dropped."""
    theme = request.args.get("theme", "")
    kind = request.args.get("kind", "")
    prefecture = request.args.get("prefecture", "")
    return {
        "q": request.args.get("q", "").strip()[:200],
        "theme": theme if theme in refdata.THEMES_BY_SLUG else "",
        "kind": kind if kind in ARTICLE_KINDS else "",
        "prefecture": prefecture if prefecture in refdata.PREFECTURES_BY_CODE else "",
        "mine": request.args.get("mine") == "1" and current_user.is_authenticated,
    }


def get_visible_article_or_404(slug: str) -> Article:
    article = services.article_by_slug(slug)
    if article is None or not services.can_view(article, current_user):
        abort(404)
    return article


def get_editable_article_or_404(slug: str) -> Article:
    article = services.article_by_slug(slug)
    if article is None or not services.can_edit(article, current_user):
        abort(404)
    return article


@bp.get("/")
def index():
    """Articles, newest first, or the best matches of `q`; filters theme, kind, prefecture."""
    filters = list_filters()
    page = requested_page()

    def body() -> str:
        hits = {}
        if filters["q"] and not filters["mine"]:
            results = services.search_articles(
                filters["q"], current_user, theme=filters["theme"] or None, kind=filters["kind"] or None,
                prefecture=filters["prefecture"] or None, limit=PER_PAGE, offset=(page - 1) * PER_PAGE,
            )
            found = services.articles_for_hits(results.hits, current_user)
            items = [found[hit.object_id] for hit in results.hits if hit.object_id in found]
            hits = {hit.object_id: hit for hit in results.hits}
            listing = ListPage(items, page, PER_PAGE, results.total)
            more = results.more
        else:
            query = sa.select(Article).where(services.visible_clause(current_user, published_only=not filters["mine"]))
            if filters["mine"]:
                query = query.where(
                    sa.or_(Article.author_id == current_user.id,
                           Article.organization_id.in_(staff_organization_ids(current_user)))
                )
            if filters["theme"]:
                query = query.where(Article.theme_rows.any(theme=filters["theme"]))
            if filters["kind"]:
                query = query.where(Article.kind == filters["kind"])
            if filters["prefecture"]:
                query = query.where(Article.prefecture == filters["prefecture"])
            if filters["q"]:
                like = "%" + filters["q"].replace("%", "").replace("_", "") + "%"
                query = query.where(Article.title.like(like))
            query = query.options(*services.article_options()).order_by(
                Article.published_at.desc().nulls_first(), Article.id.desc()
            )
            paginated = paginate(query, PER_PAGE)
            listing = ListPage(list(paginated.items), page, PER_PAGE, paginated.total or 0)
            more = False
        check_page(page, listing.pages)
        return render_template("knowhow/_index_body.html", listing=listing, filters=filters, hits=hits, more=more,
                               kinds=ARTICLE_KINDS)

    # A signed-in member's search finds their own drafts too: their lists are theirs.
    readers = f"member:{current_user.id}" if current_user.is_authenticated else "public"
    return render_template(
        "knowhow/index.html", filters=filters, body=fragments.cached("knowhow.index", fragments.query_arguments(),
                                                                     body, viewers=readers),
        can_write=current_user.is_authenticated,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
@confirmed_required
def new():
    """Write an article (any member)."""
    form = ArticleForm(organizations=acting_organizations(current_user))
    pictures.prepare_form(form, None)
    if form.validate_on_submit():
        article = services.create_article(current_user, article_data(form))
        pictures.save_from_form(form, article, "header", current_user)
        db.session.commit()
        flash(_("The article was saved.") if article.status == "draft" else _("The article was published."),
              "success")
        return redirect(url_for("knowhow.detail", slug=article.slug))
    return render_template("knowhow/form.html", form=form, article=None)


def article_data(form: ArticleForm) -> services.ArticleData:
    organization = form.selected_organization()
    values = {name: getattr(form, name).data for name in (
        "title", "kind", "visibility", "status", "themes", "prefecture", "summary", "body", *PLAYBOOK_FIELDS)}
    values["organization_id"] = organization.id if organization else None
    return services.ArticleData.from_mapping(values)


@bp.get("/<slug>")
def detail(slug):
    """An article; a programme shows where it runs."""
    article = get_visible_article_or_404(slug)
    adoptions = services.live_adoptions(article) if article.is_playbook else []
    counts: dict[str, int] = {}
    for adoption in adoptions:
        counts[adoption.prefecture] = counts.get(adoption.prefecture, 0) + 1
    manageable = {a.id for a in adoptions if services.can_manage_adoption(a, current_user)}
    return render_template(
        "knowhow/detail.html",
        article=article,
        related=services.related_articles(article, current_user),
        adoptions=adoptions,
        adoption_counts=counts,
        manageable_adoptions=manageable,
        can_edit=services.can_edit(article, current_user),
        can_adopt=article.is_playbook and article.is_published and article.deleted_at is None
        and bool(acting_organizations(current_user)),
        prefecture_url=lambda code: url_for("knowhow.index", prefecture=code),
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@confirmed_required
def edit(slug):
    """Edit an article; the previous version is kept."""
    article = get_editable_article_or_404(slug)
    organizations = acting_organizations(current_user)
    if article.organization is not None and article.organization not in organizations:
        organizations.append(article.organization)
    form = ArticleForm(obj=article, organizations=organizations)
    if request.method == "GET":
        form.themes.data = list(article.themes)
        form.prefecture.data = article.prefecture or ""
        form.organization.data = article.organization.slug if article.organization else ""
    pictures.prepare_form(form, article.header)
    if form.validate_on_submit():
        changed = services.update_article(article, current_user, article_data(form))
        changed = pictures.save_from_form(form, article, "header", current_user) or changed
        db.session.commit()
        flash(_("The article was updated.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("knowhow.detail", slug=article.slug))
    return render_template("knowhow/form.html", form=form, article=article)


@bp.post("/<slug>/delete")
def delete(slug):
    """Delete an article (soft: an admin can restore it)."""
    article = get_editable_article_or_404(slug)
    services.delete_article(article)
    db.session.commit()
    flash(_("The article was deleted."), "success")
    return redirect(url_for("knowhow.index"))


@bp.post("/<slug>/undelete")
@admin_required
def undelete(slug):
    """Bring back a deleted article (admins)."""
    article = services.article_by_slug(slug)
    if article is None or article.deleted_at is None:
        abort(404)
    services.undelete_article(article)
    db.session.commit()
    flash(_("The article was restored."), "success")
    return redirect(url_for("knowhow.detail", slug=article.slug))


@bp.get("/deleted")
@admin_required
def deleted():
    """Deleted articles, for an admin to restore."""
    query = (
        sa.select(Article).where(Article.deleted_at.is_not(None))
        .options(*services.article_options()).order_by(Article.deleted_at.desc())
    )
    paginated = paginate(query, PER_PAGE)
    return render_template("knowhow/deleted.html", listing=paginated)


@bp.get("/<slug>/history")
def history(slug):
    """Every saved version of an article."""
    article = get_editable_article_or_404(slug)
    return render_template(
        "knowhow/history.html", article=article, revisions=services.revisions_of(article),
        can_restore=services.can_restore_revision(article, current_user),
    )


def get_revision_or_404(article: Article, version: int) -> ArticleRevision:
    revision = db.session.scalar(
        sa.select(ArticleRevision)
        .where(ArticleRevision.article_id == article.id, ArticleRevision.version == version)
        .options(joinedload(ArticleRevision.editor))
    )
    if revision is None:
        abort(404)
    return revision


@bp.get("/<slug>/history/<int:version>")
def revision(slug, version):
    """One earlier version, as it read."""
    article = get_editable_article_or_404(slug)
    return render_template(
        "knowhow/revision.html", article=article, revision=get_revision_or_404(article, version),
        can_restore=services.can_restore_revision(article, current_user),
    )


@bp.post("/<slug>/history/<int:version>/restore")
def restore(slug, version):
    """Make an earlier version current (the author or an admin)."""
    article = get_editable_article_or_404(slug)
    if not services.can_restore_revision(article, current_user):
        abort(404)
    services.restore_revision(article, get_revision_or_404(article, version), current_user)
    db.session.commit()
    flash(_("Version %(version)d was restored.", version=version), "success")
    return redirect(url_for("knowhow.detail", slug=article.slug))


# --- adoptions ------------------------------------------------------------------------------------


def get_adoptable_article_or_404(slug: str) -> Article:
    article = get_visible_article_or_404(slug)
    if not article.is_playbook or not article.is_published or article.deleted_at is not None:
        abort(404)
    return article


def adoption_data(form: AdoptionForm) -> services.AdoptionData:
    return services.AdoptionData(
        organization_id=form.selected_organization().id, prefecture=form.prefecture.data,
        started_on=form.started_on.data, status=form.status.data, outcome_notes=form.outcome_notes.data or "",
    )


@bp.route("/<slug>/adoptions/new", methods=["GET", "POST"])
def new_adoption(slug):
    """An organisation records that it runs this programme in a region."""
    article = get_adoptable_article_or_404(slug)
    organizations = acting_organizations(current_user)
    if not organizations:
        abort(404)
    form = AdoptionForm(organizations=organizations)
    if request.method == "GET" and not form.prefecture.data:
        form.prefecture.data = organizations[0].prefecture
    if form.validate_on_submit():
        services.record_adoption(article, adoption_data(form), current_user)
        db.session.commit()
        flash(_("Thank you: the adoption was recorded."), "success")
        return redirect(url_for("knowhow.detail", slug=article.slug, _anchor="adoptions"))
    return render_template("knowhow/adoption_form.html", form=form, article=article, adoption=None)


def get_manageable_adoption_or_404(article: Article, adoption_id: int) -> Adoption:
    adoption = db.session.get(Adoption, adoption_id)
    if (adoption is None or adoption.article_id != article.id or adoption.deleted_at is not None
            or not services.can_manage_adoption(adoption, current_user)):
        abort(404)
    return adoption


@bp.route("/<slug>/adoptions/<int:adoption_id>/edit", methods=["GET", "POST"])
def edit_adoption(slug, adoption_id):
    """Update where and how a programme runs."""
    article = get_adoptable_article_or_404(slug)
    adoption = get_manageable_adoption_or_404(article, adoption_id)
    organizations = acting_organizations(current_user)
    if adoption.organization not in organizations:
        organizations.append(adoption.organization)
    form = AdoptionForm(obj=adoption, organizations=organizations)
    if request.method == "GET":
        form.organization.data = adoption.organization.slug
    if form.validate_on_submit():
        services.update_adoption(adoption, adoption_data(form))
        db.session.commit()
        flash(_("The adoption was updated."), "success")
        return redirect(url_for("knowhow.detail", slug=article.slug, _anchor="adoptions"))
    return render_template("knowhow/adoption_form.html", form=form, article=article, adoption=adoption)


@bp.post("/<slug>/adoptions/<int:adoption_id>/delete")
def delete_adoption(slug, adoption_id):
    """Remove an adoption record."""
    article = get_adoptable_article_or_404(slug)
    services.delete_adoption(get_manageable_adoption_or_404(article, adoption_id))
    db.session.commit()
    flash(_("The adoption was removed."), "success")
    return redirect(url_for("knowhow.detail", slug=article.slug, _anchor="adoptions"))


# --- feed -----------------------------------------------------------------------------------------

ATOM = "http://www.w3.org/2005/Atom"


@bp.get("/feed.atom")
def feed():
    """The newest public articles as an Atom feed."""
    articles = db.session.scalars(
        sa.select(Article)
        .where(Article.deleted_at.is_(None), services.PUBLISHED, Article.visibility == "public")
        .options(*services.article_options())
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(FEED_SIZE)
    ).all()
    site = current_app.config["SITE_URL"]
    ElementTree.register_namespace("", ATOM)
    root = ElementTree.Element(f"{{{ATOM}}}feed", {"xml:lang": "ja"})
    _sub(root, "title", _("RAN hub knowhow"))
    _sub(root, "id", f"{site}/knowhow/")
    ElementTree.SubElement(root, f"{{{ATOM}}}link", rel="self", href=f"{site}{url_for('knowhow.feed')}")
    ElementTree.SubElement(root, f"{{{ATOM}}}link", rel="alternate", href=f"{site}{url_for('knowhow.index')}")
    updated = max((a.updated_at for a in articles), default=None)
    _sub(root, "updated", (updated.isoformat() if updated else "1970-01-01T00:00:00+00:00"))
    for article in articles:
        entry = ElementTree.SubElement(root, f"{{{ATOM}}}entry")
        url = f"{site}{url_for('knowhow.detail', slug=article.slug)}"
        _sub(entry, "title", article.title)
        _sub(entry, "id", url)
        ElementTree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=url)
        _sub(entry, "published", article.published_at.isoformat())
        _sub(entry, "updated", article.updated_at.isoformat())
        author = ElementTree.SubElement(entry, f"{{{ATOM}}}author")
        _sub(author, "name", article.organization.name if article.organization else
             (article.author.display_name if article.author else _("RAN member")))
        for theme in article.themes:
            ElementTree.SubElement(entry, f"{{{ATOM}}}category", term=theme, label=refdata.theme_name(theme))
        _sub(entry, "summary", article.summary or markdown_to_text(article.body)[:200])
    body = ElementTree.tostring(root, encoding="unicode", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")


def _sub(parent, tag: str, text: str):
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = text
    return element
