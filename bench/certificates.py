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
        print(f"{'weasyprint':<12} {'not installed: no comparison':>60}")
    else:
        print(f"{'weasyprint':<12} {'installed but not benchmarked: the service does not use it':>60}")


if __name__ == "__main__":
    main()
