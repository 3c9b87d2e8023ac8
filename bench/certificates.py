"""Certificate rendering throughput, single process.

Run: .venv/bin/python bench/certificates.py [count]

Prints one row per renderer: fpdf2 (what the service uses) and WeasyPrint as the HTML-to-PDF
alternative, reported as not installed when it is missing so the table keeps its shape.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from datetime import date

from samling.certificates.codes import certificate_number, new_verification_code, verification_url
from samling.certificates.pdf import CertificateData, render_certificate

FIRST_NAMES = ["Åse", "Kari", "Ola", "Sigrid", "Per Øystein", "Marit", "Eirik", "Ingrid Ærle"]
LAST_NAMES = ["Øvrebø-Ærlandsen", "Nordmann", "Haugland-Sæterøy", "Bø", "Lien", "Aasen"]
MUNICIPALITIES = ["Ålesund", "Oslo", "Eigersund", "Guovdageaidnu - Kautokeino", None]
LANGS = ["nb", "nn", "en"]


def certificates(count: int) -> list[tuple[CertificateData, str]]:
    out = []
    for i in range(count):
        code = new_verification_code()
        lang = LANGS[i % len(LANGS)]
        out.append((
            CertificateData(
                number=certificate_number("klimakronsj-2021", i + 1),
                code=code,
                verify_url=verification_url("https://samling.example", code),
                name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[i % len(LAST_NAMES)]}",
                municipality=MUNICIPALITIES[i % len(MUNICIPALITIES)],
                event_title="Climate workshop 2021" if lang == "en" else "Klimakrønsj 2021",
                dates_text="22 – 30 September 2021" if lang == "en" else "22.–30. september 2021",
                hours=16,
                organiser="Miljødirektoratet",
                signer="Seksjonsleder",
                issued=date(2021, 10, 8),
            ),
            lang,
        ))
    return out


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    batch = certificates(count)

    started = time.perf_counter()
    render_certificate(*batch[0])
    first = time.perf_counter() - started  # includes importing fpdf2 and qrcode

    sizes = []
    started = time.perf_counter()
    for data, lang in batch:
        sizes.append(len(render_certificate(data, lang)))
    elapsed = time.perf_counter() - started

    print(f"{'renderer':<12} {'certificates':>12} {'seconds':>9} {'PDFs/s':>8} {'ms each':>8} "
          f"{'first ms':>9} {'mean KiB':>9}")
    print(f"{'fpdf2':<12} {count:>12} {elapsed:>9.2f} {count / elapsed:>8.1f} "
          f"{1000 * elapsed / count:>8.1f} {1000 * first:>9.0f} {sum(sizes) / len(sizes) / 1024:>9.1f}")
    if importlib.util.find_spec("weasyprint") is None:
        print(f"{'weasyprint':<12} {'not installed (make bench installs it): no comparison':>60}")
        return
    from weasyprint import HTML

    wcount = min(count, int(sys.argv[2]) if len(sys.argv) > 2 else 200)
    started = time.perf_counter()
    HTML(string=html_page(*batch[0])).write_pdf()
    wfirst = time.perf_counter() - started
    wsizes = []
    started = time.perf_counter()
    for data, lang in batch[:wcount]:
        wsizes.append(len(HTML(string=html_page(data, lang)).write_pdf()))
    welapsed = time.perf_counter() - started
    print(f"{'weasyprint':<12} {wcount:>12} {welapsed:>9.2f} {wcount / welapsed:>8.1f} "
          f"{1000 * welapsed / wcount:>8.1f} {1000 * wfirst:>9.0f} {sum(wsizes) / len(wsizes) / 1024:>9.1f}")
    print(f"fpdf2 is {(count / elapsed) / (wcount / welapsed):.1f}x WeasyPrint's rate on the same page")


def html_page(c: CertificateData, lang: str) -> str:
    """The same certificate as HTML and CSS, the way an HTML-to-PDF engine such as Indico's
    would draw it: the same texts, sizes and QR code (as inline SVG)."""
    import html
    import io

    import qrcode
    import qrcode.image.svg

    from samling.certificates import texts

    svg = io.BytesIO()
    qrcode.make(c.verify_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=4).save(svg)
    t = lambda key: html.escape(texts.text(lang, key))
    esc = html.escape
    municipality = esc(texts.format_municipality(c.municipality, lang)) if c.municipality else ""
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 22mm; }}
body {{ font-family: "DejaVu Sans", sans-serif; color: #1b1b1b; text-align: center; }}
h1 {{ font-size: 30pt; margin: 40mm 0 10mm; letter-spacing: .04em; }}
.name {{ font-size: 24pt; font-weight: bold; margin: 6mm 0 2mm; }}
.event {{ font-size: 18pt; margin: 4mm 0; }} .meta {{ font-size: 11pt; color: #444; }}
.foot {{ position: absolute; bottom: 0; left: 0; right: 0; font-size: 9pt; text-align: left; }}
.qr {{ position: absolute; bottom: 0; right: 0; width: 32mm; }}
</style></head><body>
<h1>{t("title")}</h1>
<p class="name">{esc(c.name)}</p><p class="meta">{municipality}</p>
<p class="event">{esc(c.event_title)}</p>
<p class="meta">{esc(c.dates_text)} · {esc(texts.format_hours(c.hours, lang)) if c.hours else ""}</p>
<p class="meta">{esc(c.organiser)} · {esc(c.signer)} · {esc(texts.format_date(c.issued, lang))}</p>
<div class="foot">{esc(c.number)} · {esc(c.code)}<br>{esc(c.verify_url)}</div>
<div class="qr">{svg.getvalue().decode()}</div>
</body></html>"""


if __name__ == "__main__":
    main()
