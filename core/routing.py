"""URL converters shared by every blueprint."""

from werkzeug.routing import IntegerConverter

#: the largest primary key a 32-bit INTEGER column holds (PostgreSQL `integer`)
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` for database ids: one too large for a key becomes 0, which no row has.

    The view then answers 404 as for any unknown id, instead of the database
    failing on an integer it cannot bind (a 500).
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else 0
