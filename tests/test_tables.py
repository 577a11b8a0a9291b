"""Intermediate tables are checked against their writers' promises when read."""

import numpy as np
import pandas as pd
import pytest

from aeflow.autoencoder import tables as ae_tables
from aeflow.core.tables import TableError, read_table
from aeflow.playground import tables as pg_tables


def _losses(seeds: int = 2, steps: int = 5) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": np.tile(np.arange(steps), seeds),
            "epoch": np.tile(np.arange(steps) // 2, seeds),
            "examples_seen": np.tile(8 * (np.arange(steps) + 1), seeds),
            "loss": np.linspace(0.9, 0.1, seeds * steps),
            "seed": np.repeat(np.arange(seeds), steps),
        }
    )


@pytest.fixture
def losses_file(tmp_path):
    path = tmp_path / "ae1.csv"
    _losses().to_csv(path, index=False)
    return path


def test_a_sound_table_reads_back_with_its_kinds(losses_file):
    frame = read_table(losses_file, ae_tables.LOSSES)
    assert len(frame) == 10
    assert frame["step"].dtype == np.int64 and frame["seed"].dtype == np.int64
    assert frame["loss"].dtype == float
    np.testing.assert_allclose(frame["loss"], _losses()["loss"])


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda text: text + "not,a,csv\n", "column 'step', data row 11: 'not' is not int"),
        (lambda text: text + "1,0,8,0.5\n", "column 'seed' is empty in data row 11"),
        (lambda text: text.replace("step,", "stp,", 1), "missing column(s) step"),
        (lambda text: text.rsplit("\n", 2)[0] + "\n", "differ in length"),
        (lambda text: text + "5,2,48,0.05,1\n9,2,56,0.04,1\n", "without a gap at seed 1"),
        (lambda text: text.replace("0.9,0", "nan,0", 1), "is not finite"),
        (lambda text: text + "1,0,8,0.5,0,extra\n", "Expected 5 fields"),
        (lambda text: "step,epoch\n", "missing column(s) examples_seen"),
    ],
)
def test_a_damaged_table_is_refused_naming_the_file_and_the_problem(losses_file, damage, problem):
    losses_file.write_text(damage(losses_file.read_text()))
    with pytest.raises(TableError) as error:
        read_table(losses_file, ae_tables.LOSSES)
    assert str(error.value).startswith(f"{losses_file}: not a valid mini-batch losses table")
    assert problem in str(error.value)


def test_bytes_that_are_no_text_are_refused(losses_file):
    losses_file.write_bytes(losses_file.read_bytes() + b"\xff\xfe\x00\x81binary\n")
    with pytest.raises(TableError, match="not a valid mini-batch losses table"):
        read_table(losses_file, ae_tables.LOSSES)


def test_an_expected_row_count_is_checked(losses_file):
    assert len(read_table(losses_file, ae_tables.LOSSES, rows=10)) == 10
    with pytest.raises(TableError, match="10 rows, expected 12"):
        read_table(losses_file, ae_tables.LOSSES, rows=12)


def test_extra_columns_are_typed_as_pandas_would(tmp_path):
    path = tmp_path / "trials.csv"
    path.write_text(
        "point,trial,training.learning_rate,model.hidden,flag,seed,test_loss\n"
        '0,a,0.1,"[8, 8]",True,0,0.5\n1,b,,"[2]",False,0,nan\n'
    )
    frame = read_table(path, pg_tables.SWEEP_TRIALS)
    assert frame["training.learning_rate"].dtype == float
    assert np.isnan(frame["training.learning_rate"][1]) and np.isnan(frame["test_loss"][1])
    assert list(frame["model.hidden"]) == ["[8, 8]", "[2]"]
    assert list(frame["flag"]) == [True, False]


AE_FILES = {
    "data/samples/*.csv": ae_tables.SAMPLES,
    "blocks/*/*/losses.csv": ae_tables.LOSSES,
    "blocks/*/*/curves.csv": ae_tables.CURVES,
    "capacity/*/blocks/*/curves.csv": ae_tables.RECORDED_CURVES,
    "retrain/*/blocks/*/latent_shift.csv": ae_tables.LATENT_SHIFT,
    "losses/*.csv": ae_tables.LOSSES,
    "curves/*.csv": ae_tables.CURVES,
    "capacity/*/losses.csv": ae_tables.LOSSES,
    "capacity/*/curves.csv": ae_tables.RECORDED_CURVES,
    "embeddings/*.csv": ae_tables.EMBEDDING,
    "latent_grid/*.csv": ae_tables.LATENT_GRID,
    "latent_codes/*.csv": ae_tables.LATENT_CODES,
    "decoder_sweep/*.csv": ae_tables.DECODER_SWEEP,
    "bounds/*.csv": ae_tables.BOUNDS,
    "reconstructions/*.csv": ae_tables.RECONSTRUCTIONS,
    "retrain/*/losses.csv": ae_tables.LOSSES,
    "retrain/*/latent_shift.csv": ae_tables.LATENT_SHIFT,
    "retrain/*/bounds.csv": ae_tables.BOUNDS,
}
PG_FILES = {
    "playground/chunks/*/*/metrics.csv": pg_tables.METRICS,
    "playground/chunks/*/*/curves.csv": pg_tables.CURVES,
    "playground/chunks/*/*/points.csv": pg_tables.POINTS,
    "playground/chunks/*/*/boundary.csv": pg_tables.BOUNDARY,
    "playground/chunks/*/*/weights.csv": pg_tables.WEIGHTS,
    "playground/sweeps/*/trials.csv": pg_tables.SWEEP_TRIALS,
    "playground/summary.csv": pg_tables.SUMMARY,
}


def _check_every_intermediate(results, files: dict, at_least: int) -> None:
    checked = 0
    for pattern, table in files.items():
        paths = sorted(results.glob(pattern))
        assert paths, pattern
        for path in paths:
            read_table(path, table)
            checked += 1
    assert checked >= at_least


# The finished runs are named as fixtures (not looked up by name), so that the tests that
# read them share one pytest-xdist worker (conftest.RUN_GROUPS).
@pytest.mark.workflow
def test_every_autoencoder_intermediate_keeps_its_writers_promise(finished_workflow):
    _check_every_intermediate(finished_workflow.results, AE_FILES, 20)


@pytest.mark.workflow
def test_every_playground_intermediate_keeps_its_writers_promise(finished_playground):
    _check_every_intermediate(finished_playground.results, PG_FILES, 30)


@pytest.mark.workflow
def test_a_corrupt_loss_table_stops_its_readers_naming_the_file(finished_workflow, tmp_path):
    from tests.conftest import private_copy

    wf = private_copy(finished_workflow, tmp_path)
    before = wf.snapshot()
    losses = wf.results / "losses/ae1.csv"
    losses.write_bytes(losses.read_bytes() + b"not,a,csv\n\xff\x00\x81\n")
    # The edited table is newer than what reads it: a plain run reruns its readers.
    result = wf.snakemake("--keep-going", check=False)
    assert result.returncode != 0
    logs = "".join(
        (wf.results / f"logs/{name}.log").read_text() for name in ("evaluate", "plot_loss_curves")
    )
    assert logs.count("results/losses/ae1.csv: not a valid mini-batch losses table") == 2, logs
    # Snakemake removes a job's old outputs before it runs; none is rewritten from bad data.
    after = wf.snapshot()
    for name in ("summary.csv", "summary.md", "figures/loss_curves.png"):
        assert after.get(name) in (None, before[name]), name
