"""Claims of a finished tiny run: every row recomputes from the per-seed data with
scipy.stats on its own, its data are the per-seed CSV's, every statistical sentence of the
pages is a row, and every number prints as a number."""

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from aeflow.core.claims import VERDICTS, split_values
from aeflow.core.sheet import SHEET_VERDICTS

pytestmark = pytest.mark.workflow

REQUIRED = [
    "family",
    "subject",
    "reference",
    "metric",
    "seeds",
    "set_aside",
    "effect",
    "ci_low",
    "ci_high",
    "p",
    "p_adjusted",
    "margin",
    "verdict",
    "sentence",
]


@pytest.fixture(scope="module", params=["autoencoder", "playground"])
def finished(request):
    """The results of one part's finished run (only that run is built: the tests of each
    part run on the worker that builds it, conftest.RUN_PARAMETERS)."""
    if request.param == "autoencoder":
        return request.getfixturevalue("finished_workflow").results
    return request.getfixturevalue("finished_playground").results / "playground"


def _claims(results) -> pd.DataFrame:
    return pd.read_csv(results / "claims.csv", keep_default_na=False, na_values=[""])


def _recomputed(row) -> tuple[float, float, float, str]:
    """effect, interval and verdict from the row's own per-seed values, by scipy.stats."""
    a, b = split_values(row.subject_values), split_values(row.reference_values)
    keep = split_values(row.set_aside_seeds) == 0
    d = (a - b)[keep]
    level = 1 - 0.05 / row.family_size
    if np.ptp(d) == 0:
        low = high = float(d[0])
    else:
        ci = stats.ttest_1samp(d, 0.0).confidence_interval(level)
        low, high = max(ci.low, row.bound_low), min(ci.high, row.bound_high)
    if low > 0 or high < 0:
        verdict = "winner"
    elif -row.margin < low and high < row.margin:
        verdict = "equivalent"
    else:
        verdict = "undetermined"
    return float(d.mean()), low, high, verdict


def test_claims_csv_has_the_columns_and_verdicts(finished):
    claims = _claims(finished)
    assert set(REQUIRED) <= set(claims.columns)
    sheet = claims["family"] == "sheet"
    assert sheet.any() and (~sheet).sum() >= 5
    assert set(claims.loc[~sheet, "verdict"]) <= set(VERDICTS)
    assert set(claims.loc[sheet, "verdict"]) <= set(SHEET_VERDICTS)
    assert claims["id"].is_unique


def test_every_row_recomputes_from_its_values(finished):
    claims = _claims(finished)
    compared = claims[(claims["family"] != "sheet") & (claims["verdict"] != "not compared")]
    assert len(compared)
    for row in compared.itertuples():
        effect, low, high, verdict = _recomputed(row)
        assert row.effect == pytest.approx(effect, abs=1e-12), row.id
        assert (row.ci_low, row.ci_high) == (
            pytest.approx(low, abs=1e-12),
            pytest.approx(high, abs=1e-12),
        ), row.id
        assert row.verdict == verdict, row.id
        keep = split_values(row.set_aside_seeds) == 0
        d = (split_values(row.subject_values) - split_values(row.reference_values))[keep]
        if np.ptp(d) <= 1e-12 * np.abs(d).max():  # the same difference in every seed: no t
            p = 0.0 if d[0] != 0 else 1.0
        else:
            p = stats.ttest_1samp(d, 0.0).pvalue
        assert row.p_adjusted == pytest.approx(min(1.0, row.family_size * p), abs=1e-9)


def test_sheet_rows_rest_on_rows_that_exist(finished):
    claims = _claims(finished)
    ids = set(claims["id"])
    for row in claims[claims["family"] == "sheet"].itertuples():
        named = [i for i in str(row.reference).split(";") if i and i != "nan"]
        assert set(named) <= ids, row.id
        if row.verdict != "not measured":
            assert named, row.id


def test_rows_carry_the_per_seed_csvs_numbers(finished_workflow):
    results = finished_workflow.results
    claims, per_seed = _claims(results), pd.read_csv(results / "summary_per_seed.csv")
    variants = per_seed[per_seed["role"] == "variant"]
    rows = claims[claims["family"].str.startswith("Part (b): held-out")]
    assert len(rows) == 3  # every pair of the three variants
    for row in rows.itertuples():
        for name, values in (
            (row.subject, row.subject_values),
            (row.reference, row.reference_values),
        ):
            measured = variants[variants["model"] == name].sort_values("seed")["test_mse"]
            np.testing.assert_allclose(split_values(values), measured.to_numpy(), rtol=1e-15)


def _bullets(page: str) -> list[str]:
    return [line[2:] for line in page.splitlines() if line.startswith("- ")]


def test_every_statistical_sentence_of_the_page_is_a_row(finished):
    claims = _claims(finished)
    sentences = {f"{s}." for s in claims["sentence"]}
    stated = [b for b in _bullets((finished / "summary.md").read_text()) if " CI " in b]
    assert stated
    assert not [b for b in stated if b not in sentences]
    # ... and every row of a section is on the page.
    page = (finished / "summary.md").read_text()
    assert all(s in page for s in claims.loc[claims["family"] != "sheet", "sentence"])


def test_numbers_print_as_numbers(finished):
    claims = _claims(finished)
    page = (finished / "summary.md").read_text()
    for text in [*claims["sentence"], *_bullets(page)]:
        assert not re.search(r"(?<![\w.])-0(?![.\d,e])", text), text  # no signed zero
        assert "0% ± 0%" not in text and "nan" not in text.lower().split(), text
        for low, high in re.findall(r"CI (\S+) to (\S+?)[;,)]", text):
            assert low != high or float(low.rstrip("%").replace(",", "")) == 0, text
