"""The participation certificate as a one-page A4 PDF.

fpdf2 and qrcode are imported inside the functions that need them: loading fpdf2 costs about
half a second, which every cold start of the certificates service would otherwise pay even for
requests that never draw a PDF.

The text is set in a Latin/Greek/Cyrillic subset of DejaVu Sans, shipped in `fonts/` beside this
module (licence and how it was made are there), because Lambda has no system fonts and the PDF
core fonts cannot show every name a participant may have.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Final

from samling.certificates import texts

if TYPE_CHECKING:  # pragma: no cover
    from fpdf import FPDF

FONT_DIR: Final = Path(__file__).with_name("fonts")
FONT_FAMILY: Final = "DejaVuSans"
_FONT_FILES: Final = {"": "DejaVuSansSamling.ttf", "B": "DejaVuSansSamling-Bold.ttf"}

PAGE_WIDTH: Final = 210.0
PAGE_HEIGHT: Final = 297.0
# Everything printed stays inside the inner frame, with room to breathe.
CONTENT_LEFT: Final = 25.0
CONTENT_RIGHT: Final = PAGE_WIDTH - 25.0
CONTENT_WIDTH: Final = CONTENT_RIGHT - CONTENT_LEFT

BODY_BOTTOM: Final = 190.0
QR_SIZE: Final = 34.0
QR_X: Final = CONTENT_RIGHT - QR_SIZE
QR_Y: Final = 241.0

_ACCENT: Final = (22, 84, 72)
_INK: Final = (33, 37, 41)
_MUTED: Final = (88, 96, 102)
_PT_TO_MM: Final = 25.4 / 72
_ELLIPSIS: Final = "\u2026"


@dataclass(frozen=True, slots=True)
class CertificateData:
    number: str  # e.g. "KL21-0042", see codes.certificate_number
    code: str  # e.g. "7KQ3M-XW0DR", see codes.new_verification_code
    verify_url: str  # the public check address the QR code points to
    name: str
    municipality: str | None  # a municipality's name ("Ålesund"), or None to leave the line out
    event_title: str  # already in the participant's language
    dates_text: str  # see rules.event_dates_text
    hours: int | float | None  # None leaves the line out
    organiser: str
    signer: str  # the signer's title, e.g. "Seksjonsleder"
    issued: date


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code's modules for `data`, row by row, True for dark, without the quiet zone."""
    import qrcode
    import qrcode.constants

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(data)
    qr.make(fit=True)
    return [list(map(bool, row)) for row in qr.get_matrix()]


def _line_height(size_pt: float) -> float:
    return size_pt * _PT_TO_MM * 1.3


def _split_words(text: str) -> list[str]:
    """Break points for wrapping: after spaces and after hyphens, so a double-barrelled name
    wraps as `Øvrebø-` / `Ærlandsen` rather than mid-syllable."""
    pieces: list[str] = []
    for word in text.split():
        parts = word.split("-")
        for i, part in enumerate(parts):
            piece = part + ("-" if i < len(parts) - 1 else "")
            if piece:
                pieces.append(piece)
        if pieces:
            pieces[-1] += " "
    if pieces:
        pieces[-1] = pieces[-1].rstrip()
    return pieces


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for piece in _split_words(text):
        candidate = current + piece
        if current and pdf.get_string_width(candidate.rstrip()) > width:
            lines.append(current.rstrip())
            current = piece
        else:
            current = candidate
        # A single piece wider than the line (a URL, a very long word) is broken by characters.
        while pdf.get_string_width(current.rstrip()) > width:
            cut = len(current)
            while cut > 1 and pdf.get_string_width(current[:cut]) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _truncate(pdf: FPDF, line: str, width: float) -> str:
    while line and pdf.get_string_width(line + _ELLIPSIS) > width:
        line = line[:-1]
    return line.rstrip() + _ELLIPSIS


def _fit(
    pdf: FPDF,
    text: str,
    *,
    style: str,
    size: float,
    min_size: float,
    width: float,
    max_lines: int,
) -> tuple[float, list[str]]:
    """Largest font size at which `text` fits `width`: on one line down to `min_size`, then on
    up to `max_lines` lines down to two thirds of `min_size`; beyond that the last line is cut
    with an ellipsis. Nothing printed is ever wider than `width`."""
    text = " ".join(text.split())
    step = 0.5
    current = size
    while current >= min_size:
        pdf.set_font(FONT_FAMILY, style, current)
        if pdf.get_string_width(text) <= width:
            return current, [text]
        current -= step
    floor = max(6.0, min_size * 2 / 3)
    current = min_size
    while True:
        pdf.set_font(FONT_FAMILY, style, current)
        lines = _wrap(pdf, text, width)
        if len(lines) <= max_lines:
            return current, lines
        if current - step < floor:
            kept = lines[:max_lines]
            joiner = "" if kept[-1].endswith("-") else " "
            kept[-1] = _truncate(pdf, kept[-1] + joiner + lines[max_lines], width)
            return current, kept
        current -= step


class _Page:
    """A cursor over the page that places centred or left-aligned text blocks."""

    def __init__(self, pdf: FPDF, *, draw: bool = True) -> None:
        self.pdf = pdf
        # A page that does not draw measures: the body is laid out once to learn its height.
        self.draw = draw

    def block(
        self,
        text: str,
        y: float,
        *,
        style: str = "",
        size: float,
        min_size: float | None = None,
        max_lines: int = 2,
        colour: tuple[int, int, int] = _INK,
        x: float = CONTENT_LEFT,
        width: float = CONTENT_WIDTH,
        align: str = "C",
        link: str = "",
    ) -> float:
        """Draw `text` from `y` down; returns the y just below it."""
        pdf = self.pdf
        used, lines = _fit(
            pdf, text, style=style, size=size, min_size=min_size or size, width=width,
            max_lines=max_lines,
        )
        pdf.set_font(FONT_FAMILY, style, used)
        pdf.set_text_color(*colour)
        height = _line_height(used)
        for line in lines:
            if self.draw:
                pdf.set_xy(x, y)
                pdf.cell(w=width, h=height, text=line, align=align, link=link)
            y += height
        return y


def _draw_qr(pdf: FPDF, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """Dark modules as filled rectangles, one per horizontal run: vector, so it stays sharp at
    any zoom or print resolution, and needs no imaging library."""
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")


def _new_document(c: CertificateData, lang: str) -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(CONTENT_LEFT, 20, PAGE_WIDTH - CONTENT_RIGHT)
    for style, filename in _FONT_FILES.items():
        pdf.add_font(FONT_FAMILY, style=style, fname=str(FONT_DIR / filename))
    # Fixed metadata keeps the same certificate byte-for-byte identical when it is rendered again.
    pdf.set_creation_date(datetime.combine(c.issued, time(12, 0), tzinfo=UTC))
    pdf.set_title(texts.text(lang, "document_title").format(name=" ".join(c.name.split())))
    pdf.set_subject(c.event_title)
    pdf.set_author(c.organiser)
    pdf.set_creator("Samling")
    pdf.set_lang({"nb": "nb-NO", "nn": "nn-NO", "en": "en"}[lang])
    pdf.add_page()
    return pdf


def _body(page: _Page, c: CertificateData, lang: str, y: float) -> float:
    t = texts.TEXTS[lang]
    y = page.block(t["certifies"], y, size=13, colour=_MUTED)
    y = page.block(c.name, y + 3, style="B", size=26, min_size=17, max_lines=3)
    if c.municipality:
        y = page.block(texts.format_municipality(c.municipality, lang), y + 1, size=14,
                       min_size=11, colour=_MUTED)
    y = page.block(t["took_part"], y + 10, size=13, colour=_MUTED)
    y = page.block(c.event_title, y + 3, style="B", size=20, min_size=14, max_lines=3)
    y = page.block(c.dates_text, y + 2, size=13, min_size=10)
    if c.hours is not None:
        y = page.block(texts.format_hours(c.hours, lang), y + 1, size=12, min_size=10)
    return page.block(f"{t['organiser']}: {c.organiser}", y + 1, size=12, min_size=9,
                      max_lines=2, colour=_MUTED)


def render_certificate(c: CertificateData, lang: str) -> bytes:
    """One A4 page in the participant's language (`nb`, `nn` or `en`; others fall back to `nb`)."""
    lang = texts.normalise_lang(lang)
    t = texts.TEXTS[lang]
    pdf = _new_document(c, lang)
    page = _Page(pdf)

    pdf.set_draw_color(*_ACCENT)
    pdf.set_line_width(0.8)
    pdf.rect(9, 9, PAGE_WIDTH - 18, PAGE_HEIGHT - 18, style="D")
    pdf.set_line_width(0.25)
    pdf.rect(12, 12, PAGE_WIDTH - 24, PAGE_HEIGHT - 24, style="D")

    y = page.block(t["title"], 40, style="B", size=32, min_size=20, max_lines=1, colour=_ACCENT)
    y += 5
    pdf.set_line_width(0.6)
    pdf.line(PAGE_WIDTH / 2 - 20, y, PAGE_WIDTH / 2 + 20, y)

    # The body is centred between the title and the signature, whatever its length.
    top, bottom = y + 6, BODY_BOTTOM
    height = _body(_Page(pdf, draw=False), c, lang, 0.0)
    _body(page, c, lang, top + max(0.0, (bottom - top - height) / 2))

    # Signature: the issue date on the left, the signer's title over the organiser on the right.
    column = 70.0
    left_x, right_x = CONTENT_LEFT, CONTENT_RIGHT - column
    sign_y = 212.0
    page.block(texts.text(lang, "issued").format(date=texts.format_date(c.issued, lang)),
               sign_y - 6, size=11, min_size=9, x=left_x, width=column, align="L")
    pdf.set_draw_color(*_MUTED)
    pdf.set_line_width(0.3)
    pdf.line(right_x, sign_y, CONTENT_RIGHT, sign_y)
    below = page.block(c.signer, sign_y + 2, style="B", size=11, min_size=9, x=right_x,
                       width=column)
    page.block(c.organiser, below, size=10, min_size=8, x=right_x, width=column,
               colour=_MUTED)

    # Verification panel.
    panel_top = QR_Y - 5
    pdf.set_draw_color(*_ACCENT)
    pdf.set_line_width(0.3)
    pdf.line(CONTENT_LEFT, panel_top, CONTENT_RIGHT, panel_top)
    text_width = QR_X - CONTENT_LEFT - 8
    y = page.block(f"{t['number']}: {c.number}", QR_Y, size=10, min_size=8, x=CONTENT_LEFT,
                   width=text_width, align="L", colour=_MUTED)
    y = page.block(t["code"], y + 2, size=10, x=CONTENT_LEFT, width=text_width, align="L",
                   colour=_MUTED)
    y = page.block(c.code, y, style="B", size=16, min_size=10, max_lines=1, x=CONTENT_LEFT,
                   width=text_width, align="L")
    y = page.block(t["verify"], y + 2, size=9, min_size=8, max_lines=3, x=CONTENT_LEFT,
                   width=text_width, align="L", colour=_MUTED)
    page.block(c.verify_url, y, size=9, min_size=7, max_lines=3, x=CONTENT_LEFT,
               width=text_width, align="L", colour=_ACCENT, link=c.verify_url)

    _draw_qr(pdf, qr_matrix(c.verify_url), QR_X, QR_Y, QR_SIZE)
    pdf.link(QR_X, QR_Y, QR_SIZE, QR_SIZE, c.verify_url)

    return bytes(pdf.output())
