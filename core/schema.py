"""What a comparison of the models with the database leaves out (Alembic's `include_object`).

Used by autogenerate (migrations/env.py) and by the test that the migrations build
exactly the models' schema: the search index's own tables and columns, and indexes
the models declare for the other engine only (`Index(...).ddl_if(dialect=...)`).
"""

from collections.abc import Callable

from core.search.index import UNMODELLED_NAMES, UNMODELLED_TABLE_PREFIX


def include_object_for(dialect: str) -> Callable[..., bool]:
    def include_object(obj, name, type_, reflected, compare_to) -> bool:
        if reflected and compare_to is None:
            if type_ == "table" and name.startswith(UNMODELLED_TABLE_PREFIX):
                return False
            if type_ in ("column", "index") and name in UNMODELLED_NAMES:
                return False
        ddl_if = getattr(obj, "_ddl_if", None)
        return not (not reflected and ddl_if is not None and ddl_if.dialect not in (None, dialect))

    return include_object
