"""Headless Chromium for the form tests: Debian's own build at /usr/bin/chromium (``make browser``
installs it), driven by Playwright. Playwright's bundled browsers are never used, so nothing is
downloaded at test time."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"

# No sandbox because tests may run as root in a container; the rest keep Chromium from phoning
# home (updates, sync, field trials) so a run is quiet, offline-safe and repeatable.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def chromium_page(profile: Path, locale: str = "nn-NO", width: int = 900, height: int = 900) -> Iterator[object]:
    """A fresh page in a fresh profile; the browser closes when the block ends."""
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"{CHROMIUM} is missing: run `make browser` to install Debian's Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # A persistent context is how Playwright takes a --user-data-dir of our choosing.
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=ARGS, locale=locale,
            viewport={"width": width, "height": height}, timeout=15_000)
        try:
            context.set_default_timeout(5_000)
            page = context.pages[0] if context.pages else context.new_page()
            yield page
        finally:
            context.close()
