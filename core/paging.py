"""One paging rule for every HTML list: `?page=` is a positive number, and a page past the end is 404.

A page number that is not a plain number (letters, a sign, 20 digits) is a page that
does not exist: 404, as for any unknown URL — never a 500 from an offset the
database cannot hold. The first page of an empty list is a page (it says so).
"""

import sqlalchemy as sa
from flask import abort, request
from flask_sqlalchemy.pagination import SelectPagination

from core.db import db

#: no list has a millionth page; a longer number is refused before any arithmetic
MAX_PAGE_DIGITS = 6
#: a long list counts at most this many rows ("1,000件以上"): its cost then stays the same
#: however large the table grows; the rest is reached through the filters
COUNT_CAP = 1000


def requested_page() -> int:
    """The `page` argument of the request: 1 when absent; 404 when it is not a page number."""
    raw = request.args.get("page", "")
    if raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit()) or len(raw) > MAX_PAGE_DIGITS or int(raw) < 1:
        abort(404)
    return int(raw)


def check_page(page: int, pages: int) -> None:
    """404 for a page after the last one (page 1 always exists)."""
    if page > max(pages, 1):
        abort(404)


def _counted(select: sa.Select) -> sa.Select:
    """`select`'s rows as a count's subquery: its FROM and WHERE, a constant for columns (a count reads no column
    it does not filter on — nor does a cached list then depend on them, core.dataversions)."""
    select = select.order_by(None)
    if select._distinct or select._distinct_on:  # noqa: SLF001 - the rows are those of the columns
        return select
    return select.with_only_columns(sa.literal_column("1"), maintain_column_froms=True)


class CountedPagination(SelectPagination):
    """A page of a list, counted without selecting the list's columns."""

    def _query_count(self) -> int:
        select = _counted(self._query_args["select"])
        return self._query_args["session"].execute(sa.select(sa.func.count()).select_from(select.subquery())
                                                   ).scalar_one()


class CappedPagination(SelectPagination):
    """A page of a list whose total stops at COUNT_CAP (`capped` tells whether more exist)."""

    capped = False

    def _query_count(self) -> int:
        select = _counted(self._query_args["select"]).limit(COUNT_CAP + 1)
        count = self._query_args["session"].execute(
            sa.select(sa.func.count()).select_from(select.subquery())
        ).scalar_one()
        self.capped = count > COUNT_CAP
        return min(count, COUNT_CAP)


def paginate(select: sa.Select, per_page: int, *, capped: bool = False) -> SelectPagination:
    """The requested page of `select` (404 past the end); `capped` for lists that may grow without bound."""
    page = requested_page()
    pagination_class = CappedPagination if capped else CountedPagination
    pagination = pagination_class(select=select, session=db.session(), page=page, per_page=per_page,
                                  max_per_page=None, error_out=False)
    check_page(page, pagination.pages)
    return pagination
