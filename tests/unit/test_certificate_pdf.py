import io
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date

import pypdf
import pytest
import qrcode
import qrcode.constants
from pypdf.generic import ContentStream

from samling.certificates import pdf as certificate_pdf
from samling.certificates.pdf import CertificateData, qr_matrix, render_certificate

MM = 72 / 25.4
URL = "https://samling.example/certificates/verify/7KQ3M-XW0DR"
LONG_NAME = "Åse Marie Kristine Øvrebø-Ærlandsen Haugland-Sæterøy"

BASE = CertificateData(
    number="KL21-0042",
    code="7KQ3M-XW0DR",
    verify_url=URL,
    name="Åse Øvrebø-Ærlandsen",
    municipality="Ålesund",
    event_title="Klimakrønsj 2021",
    dates_text="22.–30. september 2021",
    hours=16,
    organiser="Miljødirektoratet",
    signer="Seksjonsleder",
    issued=date(2021, 10, 8),
)

EXTREME = replace(
    BASE,
    name=(LONG_NAME + " ") * 4,
    municipality="Guovdageaidnu - Kautokeino",
    event_title="Klimasamling for kommunane i Møre og Romsdal: klimatilpassing, utsleppskutt og "
    "toppleiarforum for ordførarar og kommunedirektørar",
    organiser="Miljødirektoratet, Direktoratet for forvaltning og økonomistyring (DFØ), "
    "Statsforvaltaren i Møre og Romsdal og Møre og Romsdal fylkeskommune",
    signer="Seksjonsleiar for klimatilpassing og utsleppskutt i kommunesektoren",
    verify_url="https://sertifikat.samling.kommune.example/certificates/verify/7KQ3M-XW0DR"
    "?utm_source=a-very-long-tracking-parameter-1234567890",
)


def read(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def flat(text: str) -> str:
    """Extracted text with line breaks as spaces, and no space left after a wrapped hyphen."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))


@pytest.fixture(scope="module")
def nb_pdf() -> bytes:
    return render_certificate(BASE, "nb")


@pytest.fixture(scope="module")
def measurer():
    from fpdf import FPDF

    pdf = FPDF()
    for style, filename in certificate_pdf._FONT_FILES.items():
        pdf.add_font("M", style=style, fname=str(certificate_pdf.FONT_DIR / filename))
    return pdf


def text_runs(data: bytes):
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip() and font is not None:
            runs.append((text, tm[4], tm[5], "B" if "Bold" in font["/BaseFont"] else "", size))

    read(data).pages[0].extract_text(visitor_text=visit)
    return runs


def test_module_imports_without_loading_fpdf():
    code = ("import sys, samling.certificates.pdf, samling.certificates.rules, samling.certificates.codes; "
            "print('fpdf' in sys.modules, 'qrcode' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_one_a4_page(nb_pdf):
    assert nb_pdf.startswith(b"%PDF-")
    reader = read(nb_pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(210 * MM, abs=0.5)
    assert float(box.height) == pytest.approx(297 * MM, abs=0.5)


def test_content_is_all_there(nb_pdf):
    text = flat(read(nb_pdf).pages[0].extract_text())
    for expected in ["Deltakerbevis", "Dette bekrefter at", "Åse Øvrebø-Ærlandsen", "Ålesund kommune",
                     "har deltatt i", "Klimakrønsj 2021", "22.–30. september 2021", "Omfang: 16 timer",
                     "Miljødirektoratet", "Seksjonsleder", "Utstedt 8. oktober 2021", "KL21-0042",
                     "7KQ3M-XW0DR", URL]:
        assert expected in text, expected


def test_sami_and_other_european_letters_print():
    name = "Máret Čáhcegáddi-Đuolbasšŋŧž Łukasz Nguyễn Ölçer"
    text = flat(read(render_certificate(replace(BASE, name=name), "nb")).pages[0].extract_text())
    assert name in text


def test_metadata(nb_pdf):
    meta = read(nb_pdf).metadata
    assert meta.title == "Deltakerbevis for Åse Øvrebø-Ærlandsen"
    assert meta.author == "Miljødirektoratet"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nb", ["Deltakerbevis", "har deltatt i", "Utstedt 8. oktober 2021", "Kontrollkode"]),
        ("nn", ["Deltakarbevis", "Dette stadfestar at", "har delteke i", "Omfang: 16 timar",
                "Utferda 8. oktober 2021"]),
        ("en", ["Certificate of participation", "This is to certify that", "has taken part in",
                "Duration: 16 hours", "Issued on 8 October 2021", "Verification code",
                "Ålesund Municipality"]),
        ("de", ["Deltakerbevis", "har deltatt i"]),
    ],
)
def test_language(lang, expected):
    text = flat(read(render_certificate(BASE, lang)).pages[0].extract_text())
    for phrase in expected:
        assert phrase in text, phrase


def test_optional_lines_are_left_out():
    data = render_certificate(replace(BASE, municipality=None, hours=None), "nb")
    text = flat(read(data).pages[0].extract_text())
    assert "kommune" not in text
    assert "Omfang" not in text
    assert "Åse Øvrebø-Ærlandsen" in text


def test_same_certificate_gives_same_bytes(nb_pdf):
    assert render_certificate(BASE, "nb") == nb_pdf


def assert_inside_the_page(data: bytes, measurer) -> None:
    runs = text_runs(data)
    assert runs
    for text, x, y, style, size in runs:
        measurer.set_font("M", style, size)
        width = measurer.get_string_width(text) * MM
        assert x >= certificate_pdf.CONTENT_LEFT * MM - 0.01, text
        assert x + width <= certificate_pdf.CONTENT_RIGHT * MM + 0.01, text
        assert 20 * MM < y < (297 - 20) * MM, text
        in_qr_band = (297 - certificate_pdf.QR_Y - certificate_pdf.QR_SIZE) * MM <= y <= (297 - certificate_pdf.QR_Y + 5) * MM
        if in_qr_band:
            assert x + width <= certificate_pdf.QR_X * MM, text


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_long_name_shrinks_or_wraps_within_the_page(lang, measurer):
    data = render_certificate(replace(BASE, name=LONG_NAME), lang)
    assert len(read(data).pages) == 1
    assert flat(LONG_NAME) in flat(read(data).pages[0].extract_text())
    assert_inside_the_page(data, measurer)
    name_runs = [r for r in text_runs(data) if r[0].strip() and r[0].strip() in LONG_NAME and r[3] == "B"]
    assert len(name_runs) > 1 or name_runs[0][4] < 26


def test_absurd_lengths_never_overflow(measurer):
    for lang in ("nb", "nn", "en"):
        data = render_certificate(EXTREME, lang)
        assert len(read(data).pages) == 1
        assert_inside_the_page(data, measurer)


def drawn_qr(data: bytes) -> list[list[bool]]:
    """Rebuild the module grid from the filled rectangles on the page."""
    reader = read(data)
    rects = []
    path = []
    for operands, op in ContentStream(reader.pages[0].get_contents(), reader).operations:
        if op == b"re":
            path.append(tuple(float(v) for v in operands))
        elif op in (b"f", b"f*"):
            rects.extend(path)
            path = []
        elif op in (b"S", b"n", b"B", b"b"):
            path = []
    assert rects
    heights = [abs(h) for _, _, _, h in rects]
    module = min(heights)
    assert max(heights) == pytest.approx(module, rel=1e-3)
    left = min(x for x, _, _, _ in rects)
    top = max(max(y, y + h) for _, y, _, h in rects)
    size = round((max(x + w for x, _, w, _ in rects) - left) / module)
    grid = [[False] * size for _ in range(size)]
    for x, y, w, h in rects:
        row = round((top - max(y, y + h)) / module)
        first = round((x - left) / module)
        for col in range(first, first + round(w / module)):
            grid[row][col] = True
    return grid


def reference_matrix(url: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    return [[bool(v) for v in row] for row in qr.get_matrix()]


@pytest.mark.parametrize("certificate", [BASE, EXTREME], ids=["short-url", "long-url"])
def test_qr_drawn_is_the_qr_of_the_verification_url(certificate):
    data = render_certificate(certificate, "nb")
    expected = reference_matrix(certificate.verify_url)
    assert qr_matrix(certificate.verify_url) == expected
    assert drawn_qr(data) == expected
    assert certificate.verify_url in flat(read(data).pages[0].extract_text()).replace(" ", "")


def test_qr_fits_its_box():
    data = render_certificate(EXTREME, "nb")
    reader = read(data)
    xs = [float(o[0]) for o, op in ContentStream(reader.pages[0].get_contents(), reader).operations
          if op == b"re" and float(o[2]) < 20 * MM]
    assert min(xs) >= certificate_pdf.QR_X * MM - 0.01
    assert max(xs) <= (certificate_pdf.QR_X + certificate_pdf.QR_SIZE) * MM


def test_verification_url_is_a_link(nb_pdf):
    annots = read(nb_pdf).pages[0].get("/Annots")
    uris = {a.get_object()["/A"]["/URI"] for a in annots}
    assert uris == {URL}
