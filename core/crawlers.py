"""What browsers and search engines ask every site for: /favicon.ico, /robots.txt, /sitemap.xml.

The sitemap lists the public pages: the site's own and what each room registers on
`hooks.SITEMAP_SOURCES` (live organisations, upcoming public events, public knowhow, open
projects), each source a bounded column-only query, so the whole file stays under the
protocol's 50,000 addresses and costs a handful of queries.
"""

from datetime import datetime

from flask import Blueprint, Response, current_app, send_from_directory
from markupsafe import escape

from core import hooks
from core.routing import site_url

bp = Blueprint("crawlers", __name__)

#: parts of the site no search engine should crawl: personal pages, staff tools, the API, forms' answers
PRIVATE_PATHS = ("/members/", "/alliance/secretariat/", "/alliance/referrals/", "/api/", "/search")
#: the site's own public pages, by endpoint
SITE_PAGES = ("core.home", "core.about", "core.privacy", "core.terms")
#: the sitemap protocol's limit for one file
MOST_ADDRESSES = 50_000


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.blueprints["core"].static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=7 * 24 * 3600)


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in PRIVATE_PATHS), "",
             f"Sitemap: {site_url('crawlers.sitemap')}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap():
    entries: list[tuple[str, datetime | None]] = [(site_url(endpoint), None) for endpoint in SITE_PAGES]
    for source in hooks.SITEMAP_SOURCES.implementations():
        entries.extend(source())
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for address, modified in entries[:MOST_ADDRESSES]:
        lastmod = f"<lastmod>{modified.date().isoformat()}</lastmod>" if modified else ""
        parts.append(f"<url><loc>{escape(address)}</loc>{lastmod}</url>")
    parts.append("</urlset>\n")
    return Response("\n".join(parts), mimetype="application/xml")
