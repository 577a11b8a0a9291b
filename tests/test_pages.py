"""The summary pages fit a 1280-pixel browser window (headless Chromium; skipped without it)."""

import pytest

from aeflow.autoencoder.findings import header, observations
from aeflow.autoencoder.summary import full_table, per_seed_table, shown_table, summary_table
from aeflow.core.pagecheck import WIDTH, chromium, page_width
from aeflow.core.report import to_html

from .test_summary import _capacity, _optimizer_runs, _retrained, _variants

pytestmark = pytest.mark.skipif(chromium() is None, reason="chromium not installed")


def test_the_autoencoder_page_fits_1280_px_and_a_wide_table_would_not(tmp_path):
    rows = _variants() + _optimizer_runs() + _retrained([0.0, 0.0, 0.0]) + _capacity()
    table, per_seed = summary_table(rows), per_seed_table(rows)
    page = tmp_path / "summary.html"
    sections, _ = observations(per_seed)  # the sheet's table first, then every family
    page.write_text(
        to_html(shown_table(table), sections, header=header(per_seed), full=full_table(table))
    )
    shot = tmp_path / "summary.1280.png"
    assert page_width(page, shot) <= WIDTH
    assert shot.stat().st_size > 10_000
    # The check does catch overflow: the full table shown open, as the pages once did.
    wide = tmp_path / "wide.html"
    wide.write_text(to_html(full_table(table), []).replace("<details>", "<div>"))
    assert page_width(wide) > WIDTH
