"""Does a summary page fit a browser window? Headless Chromium measures it.

``python -m aeflow.core.pagecheck PAGE.html ...`` (``make check-pages``) writes a screenshot
at 1280 px next to each page (``PAGE.1280.png``) and fails where the page is wider than the
window (horizontal scrolling). Without Chromium it says so and exits 0 (nothing checked).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WIDTH = 1280
_MEASURE = (
    "<script>window.addEventListener('load',()=>{document.body.setAttribute('data-scroll',"
    "document.documentElement.scrollWidth)})</script>"
)


def chromium() -> str | None:
    """The Chromium executable on PATH, if any."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


def _run(browser: str, *args: str) -> str:
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    done = subprocess.run(
        [*command, f"--window-size={WIDTH},900", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def page_width(page: str | Path, screenshot: str | Path | None = None) -> int:
    """The page's full width in CSS pixels in a window ``WIDTH`` pixels wide (more than
    ``WIDTH`` means horizontal scrolling); optionally a screenshot of its top."""
    browser = chromium()
    if browser is None:
        raise FileNotFoundError("chromium not found (Debian: apt-get install chromium)")
    page = Path(page).resolve()
    with tempfile.TemporaryDirectory() as scratch:
        measured = Path(scratch) / page.name
        measured.write_text(page.read_text().replace("</body>", _MEASURE + "</body>"))
        dom = _run(browser, "--virtual-time-budget=2000", "--dump-dom", measured.as_uri())
    if screenshot is not None:
        _run(browser, f"--screenshot={Path(screenshot).resolve()}", page.as_uri())
    match = re.search(r'data-scroll="(\d+)"', dom)
    if match is None:
        raise RuntimeError(f"{page}: chromium returned no measurement")
    return int(match.group(1))


def main(pages: list[str]) -> int:
    if chromium() is None:
        print("chromium not found: pages not checked (Debian: apt-get install chromium)")
        return 0
    failures = 0
    for page in pages:
        shot = Path(page).with_suffix(f".{WIDTH}.png")
        width = page_width(page, shot)
        fits = width <= WIDTH
        failures += not fits
        print(
            f"{page}: {width} px wide in a {WIDTH} px window "
            f"({'fits' if fits else 'OVERFLOWS'}); {shot}"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
