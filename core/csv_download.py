"""CSV downloads that Excel opens as they are: UTF-8 with a BOM, streamed row by row, and spreadsheet formulas
typed by members neutralised."""

import csv
import io
from collections.abc import Iterable

from flask import Response, stream_with_context


def safe_cell(value) -> str:
    """Neutralise spreadsheet formulas typed by members (=, +, -, @ at the start)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_download(filename: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    """`rows` (a generator may query as it goes: it runs inside the request) as the attachment `filename`."""

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def line(values) -> str:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([safe_cell(value) for value in values])
            return buffer.getvalue()

        yield "\ufeff" + line(header)
        for row in rows:
            yield line(row)

    return Response(stream_with_context(lines()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
