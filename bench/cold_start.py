"""Cold import of each function, as Lambda pays it on a cold start: a fresh interpreter loads
the service's app.py (median of 5), beside a bare Chalice + boto3 app in the same run.

    .venv/bin/python bench/cold_start.py
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
BARE = "import boto3\nfrom chalice import Chalice\napp = Chalice(app_name='bare')\n\n@app.route('/')\ndef index():\n    return {}\n"
PROBE = """
import importlib.util, sys, time
t = time.perf_counter()
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(time.perf_counter() - t)
"""


def cold(path: Path) -> float:
    times = []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bare_path = Path(tmp) / "app.py"
        bare_path.write_text(BARE)
        bare = cold(bare_path)
    print(f"{'function':<16} {'cold import ms':>14} {'vs bare':>8}")
    print(f"{'bare chalice+boto3':<16} {bare * 1000:14.0f} {1.0:8.2f}")
    for service in ("registration", "notifications", "certificates", "matching"):
        t = cold(ROOT / "services" / service / "app.py")
        print(f"{service:<16} {t * 1000:14.0f} {t / bare:8.2f}")
    # issuing a certificate also pays for the PDF stack, only on that code path
    probe = "import time; t=time.perf_counter(); import samling.certificates.pdf as p; import fpdf, qrcode; print(time.perf_counter()-t)"
    pdf = statistics.median(float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                                  check=True).stdout) for _ in range(RUNS))
    print(f"{'+ PDF libraries':<16} {pdf * 1000:14.0f}   (certificates, when it renders)")


if __name__ == "__main__":
    main()
