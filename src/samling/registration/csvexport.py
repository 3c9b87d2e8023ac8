"""CSV files organisers open in a spreadsheet: UTF-8 with BOM (so Excel reads æøå right),
semicolon-separated (the list separator with Norwegian regional settings), CRLF line endings."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# A cell starting with one of these is run as a formula by spreadsheet programs; an
# applicant's free text must never be able to do that.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object, neutralise_formulas: bool) -> str:
    text = "" if value is None else str(value)
    if neutralise_formulas and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(rows: Iterable[Sequence[object]], *, neutralise_formulas: bool = True) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([_cell(v, neutralise_formulas) for v in row])
    return buffer.getvalue().encode("utf-8-sig")
