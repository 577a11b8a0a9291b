"""The workflow end to end on a tiny config, in a temporary directory."""

import numpy as np
import pandas as pd
import pytest
import torch

from aeflow.autoencoder.checkpoints import load_autoencoder, load_replicas
from aeflow.core.claims import split_values
from tests.conftest import private_copy

pytestmark = pytest.mark.workflow

RUNS = ["ae1", "ae2", "pca", "ae2-sgd", "ae2-gd", "ae2-gd_scaled"]
VARIANTS = ["ae1", "ae2", "pca"]
FIGURES = [
    "samples",
    "loss_curves",
    "latent_maps",
    "decoder_sweeps",
    "reconstructions",
    "retrain_latent_shift",
    "retrain_losses",
    "sgd_vs_gd",
    "capacity",
]


def test_every_output_exists_and_parses(finished_workflow):
    results = finished_workflow.results
    samples = pd.read_csv(results / "data/samples/shared.csv")
    assert list(samples.columns) == ["x", "y", "split", "sample"]
    assert (samples["sample"] == 0).all()  # data.per_replica_samples off: one sample
    counts = samples["split"].value_counts().to_dict()
    assert counts == {"train": 24, "test": 40, "validation": 100}  # data.n_validation
    for run in RUNS:
        losses = pd.read_csv(results / f"losses/{run}.csv")
        assert list(losses.columns) == ["step", "epoch", "examples_seen", "loss", "seed"]
        assert losses["epoch"].max() == 2
        for stage in ("init", "trained"):
            model = load_autoencoder(results / f"models/{run}/{stage}.ckpt")
            assert model(torch.zeros(1, 2)).shape == (1, 2)
    # Full-batch GD: one step per epoch over all 24 training points (each of 2 seeds).
    gd = pd.read_csv(results / "losses/ae2-gd.csv")
    assert (
        gd["examples_seen"].tolist() == [24, 48, 72] * 2
        and gd["seed"].tolist() == [0] * 3 + [1] * 3
    )
    for variant in VARIANTS:
        embedding = pd.read_csv(results / f"embeddings/{variant}.csv")
        assert list(embedding.columns) == ["x", "y", "z"] and len(embedding) == 24
        sweep = pd.read_csv(results / f"decoder_sweep/{variant}.csv")
        assert sweep.groupby("stage").size().to_dict() == {"after": 16, "before": 16}
        # Part (c): each stage's code over a grid of the rectangle, and every replica's codes.
        grid = pd.read_csv(results / f"latent_grid/{variant}.csv")
        assert set(grid["stage"]) == {"before", "after"}
        assert (grid["x"].min(), grid["x"].max(), grid["y"].min(), grid["y"].max()) == (
            -2,
            2,
            -1,
            1,
        )
        codes = pd.read_csv(results / f"latent_codes/{variant}.csv")
        assert codes.groupby(["stage", "seed"]).size().to_dict() == {
            (stage, seed): 24 for stage in ("after", "before") for seed in (0, 1)
        }
        first = codes[(codes["stage"] == "after") & (codes["seed"] == 0)]
        np.testing.assert_array_equal(first["z"].to_numpy(), embedding["z"].to_numpy())
        # Part (d): the sweep spans the codes in use (auto range), the bounds every replica.
        after = sweep[sweep["stage"] == "after"]["z"]
        inside = first["z"].between(after.min(), after.max())
        assert inside.mean() >= 0.95
        bounds = pd.read_csv(results / f"bounds/{variant}.csv")
        assert len(bounds) == 2 * 2 * 2  # stages x seeds x splits
        assert (bounds.loc[bounds["split"] == "train", "sweep_coverage"] >= 0.95).all()
        assert (bounds["mse"] >= bounds["bound_mse"] - 1e-6).all()
        reconstructions = pd.read_csv(results / f"reconstructions/{variant}.csv")
        assert reconstructions["split"].value_counts().to_dict() == {"test": 40, "train": 24}
    assert len(pd.read_csv(results / "retrain/ae2/bounds.csv")) == 8
    shift = pd.read_csv(results / "retrain/ae2/latent_shift.csv")
    assert list(shift.columns) == ["x", "y", "z_before", "z_after", "seed"]
    for figure in FIGURES:
        assert (results / f"figures/{figure}.png").read_bytes()[:4] == b"\x89PNG"
    assert (results / "logs/train/ae2/s0-2.log").read_text().count("trained ae2") == 1


def test_before_training_sweep_uses_the_saved_init_weights(finished_workflow):
    results = finished_workflow.results
    init = load_autoencoder(results / "models/ae1/init.ckpt")
    sweep = pd.read_csv(results / "decoder_sweep/ae1.csv")
    before = sweep[sweep["stage"] == "before"]
    z = torch.tensor(before["z"].to_numpy(), dtype=torch.float32).unsqueeze(1)
    with torch.no_grad():
        decoded = init.decoder(z).double().numpy()
    assert (abs(decoded[:, 0] - before["x"].to_numpy()) < 1e-6).all()
    assert (abs(decoded[:, 1] - before["y"].to_numpy()) < 1e-6).all()


def test_codes_and_bounds_reach_the_summary(finished_workflow):
    """Parts (c), (d), (g): the summary's numbers, recomputed from the tables."""
    from scipy import stats

    results = finished_workflow.results
    per_seed = pd.read_csv(results / "summary_per_seed.csv")
    variants = per_seed[per_seed["role"] == "variant"].set_index(["model", "seed"])
    for variant in VARIANTS:
        codes = pd.read_csv(results / f"latent_codes/{variant}.csv")
        bounds = pd.read_csv(results / f"bounds/{variant}.csv")
        for seed in (0, 1):
            row = variants.loc[(variant, seed)]
            after = codes[(codes["stage"] == "after") & (codes["seed"] == seed)]
            rho = stats.spearmanr(after["z"], after["x"]).statistic
            assert row["spearman_zx"] == pytest.approx(rho, abs=1e-12)
            mine = bounds[(bounds["stage"] == "after") & (bounds["seed"] == seed)]
            held_out = mine[mine["split"] == "test"].iloc[0]
            assert row["bound_test_mse"] == held_out["bound_mse"]
            assert row["bound_test_mse"] <= row["test_mse"] + 1e-6
            assert row["sweep_coverage"] >= 0.95
    retrained = per_seed[per_seed["role"] == "retrained"].set_index("seed")
    shift = pd.read_csv(results / "retrain/ae2/latent_shift.csv")
    frozen = pd.read_csv(results / "retrain/ae2/bounds.csv")
    for seed in (0, 1):
        mine = shift[shift["seed"] == seed]
        rho = stats.spearmanr(mine["z_before"], mine["z_after"]).statistic
        assert retrained.loc[seed, "spearman_old_new"] == pytest.approx(rho, abs=1e-12)
        train = frozen[(frozen["seed"] == seed) & (frozen["split"] == "train")]
        # One frozen decoder: one bound for the original and the retrained encoder.
        assert train["bound_mse"].nunique() == 1
        assert retrained.loc[seed, "bound_train_mse"] == train["bound_mse"].iloc[0]
        assert retrained.loc[seed, "train_mse"] >= train["bound_mse"].iloc[0] - 1e-6
    text = (results / "summary.md").read_text()
    assert "## Part (c): the trained code against untrained initialisations" in text
    assert "## Part (c): which axis the trained code follows" in text
    assert "## Part (d): the encoder's share of the error (nearest-point bound)" in text
    assert "Spearman's rank correlation of the new code with the old" in text


def test_a_second_dry_run_has_nothing_to_do(finished_workflow):
    assert finished_workflow.planned_jobs() == set()


def test_a_private_copy_of_a_finished_run_has_nothing_to_do(finished_workflow, tmp_path):
    """What the tests that edit a copy (conftest.private_copy) start from."""
    assert private_copy(finished_workflow, tmp_path).planned_jobs() == set()


def test_a_private_copy_of_the_finished_playground_has_nothing_to_do(finished_playground, tmp_path):
    assert private_copy(finished_playground, tmp_path).planned_jobs("playground") == set()


def test_rerun_from_scratch_is_byte_identical(finished_workflow, workflow_dir):
    # Both optimisers (Adam, full-batch SGD), the retraining and one variant's analyses: each
    # kind of torch job once (the other runs differ from these in settings only).
    runs = ["ae2", "ae2-gd"]
    compared = (
        ["data/samples/shared.csv"]
        + [f"blocks/{run}/s0-2/{name}" for run in runs for name in ("losses.csv", "init.ckpt")]
        + [f"{kind}/{run}.csv" for kind in ("losses", "curves") for run in runs]
        + [f"models/{run}/{stage}.ckpt" for run in runs for stage in ("init", "trained")]
        + ["retrain/ae2/losses.csv", "retrain/ae2/retrained.ckpt"]
        + ["embeddings/ae2.csv", "latent_init/ae2.csv", "decoder_sweep/ae2.csv", "bounds/ae2.csv"]
    )
    workflow_dir.snakemake(*(f"results/{name}" for name in compared))
    ours, theirs = workflow_dir.snapshot(), finished_workflow.snapshot()
    for name in compared:
        assert ours[name] == theirs[name], name


def test_summary_has_a_row_per_trained_model_with_measured_checks(finished_workflow):
    summary = pd.read_csv(finished_workflow.results / "summary.csv")
    assert list(zip(summary["model"], summary["role"], strict=True)) == [
        ("ae1", "variant"),
        ("ae2", "variant"),
        ("pca", "variant"),
        ("ae2-sgd", "optimizer run"),
        ("ae2-gd", "optimizer run"),
        ("ae2-gd_scaled", "optimizer run"),
        ("ae2", "retrained"),
        ("ae2-w8-n24", "capacity"),
        ("ae2-w50-n24", "capacity"),
        ("ae2-w8-n12", "capacity"),
        ("ae2-w50-n12", "capacity"),
    ]
    assert summary.set_index("label")["parameters"].to_dict()["ae1"] == 563
    results = finished_workflow.results
    samples = pd.read_csv(results / "data/samples/shared.csv")
    train = samples.loc[samples["split"] == "train", ["x", "y"]].to_numpy()
    # The checks below recompute seed 0's numbers (the checkpoints' first replica).
    per_seed = pd.read_csv(results / "summary_per_seed.csv")
    per_seed = per_seed[per_seed["seed"] == 0]
    pca = per_seed[per_seed["model"] == "pca"].iloc[0]
    # The PCA numbers, recomputed here from the data and the checkpoint by other means
    # (SVD of the uncentred points; the decoder's column).
    _, singular, right = np.linalg.svd(train, full_matrices=False)
    assert pca["pca_optimum_mse"] == pytest.approx(singular[1] ** 2 / len(train) / 2)
    model = load_autoencoder(results / "models/pca/trained.ckpt")
    with torch.no_grad():
        points = torch.tensor(train, dtype=torch.float32)
        mse = float(((model(points) - points) ** 2).mean())
    assert pca["train_mse"] == pytest.approx(mse, rel=1e-5)
    assert pca["pca_ratio"] == pytest.approx(mse / pca["pca_optimum_mse"], rel=1e-5)
    column = model.decoder.weight.detach().double().numpy()[:, 0]
    cosine = abs(column @ right[0]) / np.linalg.norm(column)
    assert pca["pca_angle_deg"] == pytest.approx(np.degrees(np.arccos(min(cosine, 1.0))), abs=1e-4)
    # Order swaps, counted pair by pair from the latent-shift table.
    shift = pd.read_csv(results / "retrain/ae2/latent_shift.csv")
    shift = shift[shift["seed"] == 0]
    before, after = shift["z_before"].to_numpy(), shift["z_after"].to_numpy()
    pairs = [(i, j) for i in range(len(shift)) for j in range(i + 1, len(shift))]
    swapped = sum((before[i] - before[j]) * (after[i] - after[j]) < 0 for i, j in pairs)
    retrained = per_seed[per_seed["role"] == "retrained"].iloc[0]
    assert retrained["order_swaps"] == swapped
    assert retrained["order_swap_fraction"] == pytest.approx(swapped / len(pairs))
    # summary.csv: the mean over the 2 seeds, with std and range.
    mean = summary[summary["model"] == "pca"].iloc[0]
    both = pd.read_csv(results / "summary_per_seed.csv").query("model == 'pca'")["train_mse"]
    assert mean["train_mse"] == pytest.approx(both.mean())
    assert mean["train_mse_std"] == pytest.approx(both.std(ddof=1))  # the sample SD
    assert (mean["train_mse_min"], mean["train_mse_max"]) == (both.min(), both.max())
    text = (finished_workflow.results / "summary.md").read_text()
    assert "## Part (b): held-out reconstruction error of the variants" in text
    assert "Replicas: 2 per run." in text and "Bonferroni" in text
    assert f"{mean['train_mse']:.3g} ± {mean['train_mse_std']:.2g}" in text


def test_html_report_builds_with_every_figure_and_the_summary(finished_workflow, tmp_path):
    finished_workflow.snakemake("--report", str(tmp_path / "report.html"))
    report = (tmp_path / "report.html").read_text()
    for name in [*FIGURES, "summary"]:
        assert name in report, name
    assert "Encoder retraining" in report
    # Every caption renders: docutils writes its errors into the page as system messages.
    assert "System Message" not in report


def test_three_replicas_on_their_own_samples_flow_through_to_summary_and_report(
    finished_workflow, workflow_dir
):
    """training.seeds 3 and data.per_replica_samples on (one run for both): replica k of
    every run trains and is measured on sample k (data seed + k, sample 0 the one sample of
    the shared-sample default); the replicas reach the losses, summary, claims and report.
    With the seeds design on, as by default, from scratch: a pilot of all three seeds, the
    checkpoint's plan, then the final stage, which here adds no replica (the cap is the
    pilot)."""
    shared = pd.read_csv(finished_workflow.results / "summary_per_seed.csv")
    assert shared.groupby("model")["pca_optimum_mse"].nunique().max() == 1
    assert shared.groupby("model")["constant_mse"].nunique().max() == 1
    config = workflow_dir.read_config()
    config["training"].update(seeds=3, seeds_per_job=3)  # one block (several: test_seed_blocks)
    config["data"]["per_replica_samples"] = True
    config["capacity"]["widths"] = []  # part (e) has its own test; this one is about seeds
    runs = config["optimizer_comparison"]["runs"]  # part (h) with one run beside the variant
    config["optimizer_comparison"]["runs"] = {"gd": runs["gd"]}
    config["claims"]["design"].update(two_stage=True, pilot=3, max_seeds=3)
    workflow_dir.write_config(config)
    workflow_dir.snakemake()
    results = workflow_dir.results
    plan = pd.read_csv(results / "seeds.csv")
    assert plan["run"].tolist() == ["ae1", "ae2", "pca", "ae2-gd"]
    assert set(plan["seeds"]) == {3}
    # One optimiser run: no comparison of its own sizes it.
    reasons = plan.set_index("run")["reason"]
    assert reasons["ae2-gd"] == "not sized" and reasons["ae1"] in ("cap reached", "pilot enough")
    assert sorted(p.name for p in (results / "blocks/ae2").iterdir()) == ["s0-3"]
    # Three replicas everywhere.
    losses = pd.read_csv(results / "losses/ae1.csv")
    assert losses.groupby("seed").size().to_dict() == {0: 9, 1: 9, 2: 9}
    assert len(load_replicas(results / "models/ae1/trained.ckpt")) == 3
    summary = pd.read_csv(results / "summary.csv")
    variants = summary[summary["role"] == "variant"]
    assert (variants["seeds"] == 3).all() and (variants["test_mse_std"] > 0).all()
    per_seed_all = pd.read_csv(results / "summary_per_seed.csv")
    per_seed = per_seed_all[(per_seed_all["model"] == "ae1") & (per_seed_all["role"] == "variant")]
    assert per_seed["seed"].tolist() == [0, 1, 2]
    assert variants.set_index("model").loc["ae1", "test_mse"] == pytest.approx(
        per_seed["test_mse"].mean()
    )
    text = (results / "summary.md").read_text()
    assert "Replicas: 3 per run." in text and "in held-out MSE" in text
    assert "the data sample (data seed + k)" in text
    # Each replica its own sample: sample 0 is the shared default's.
    samples = pd.read_csv(results / "data/samples/s0-3.csv")
    assert samples.groupby("sample").size().to_dict() == {0: 164, 1: 164, 2: 164}  # 100 val.
    one = pd.read_csv(finished_workflow.results / "data/samples/shared.csv")
    pd.testing.assert_frame_equal(samples[samples["sample"] == 0], one)
    train = {k: part[part["split"] == "train"] for k, part in samples.groupby("sample")}
    pca = per_seed_all[per_seed_all["model"] == "pca"].set_index("seed")
    assert pca.loc[0, "pca_optimum_mse"] != pca.loc[1, "pca_optimum_mse"]
    for seed in (0, 1, 2):  # each replica's optimum and spread: its own sample's
        xy = train[seed][["x", "y"]].to_numpy()
        singular = np.linalg.svd(xy, compute_uv=False)
        assert pca.loc[seed, "pca_optimum_mse"] == pytest.approx(singular[1] ** 2 / len(xy) / 2)
        assert pca.loc[seed, "constant_mse"] == pytest.approx(xy.var(axis=0).mean())
    # Sample 0's replica is the default's seed 0: same data, same seed, same numbers.
    assert (
        pca.loc[0, "train_mse"] == shared.query("model == 'pca' and seed == 0")["train_mse"].iloc[0]
    )
    codes = pd.read_csv(results / "latent_codes/ae1.csv")
    for seed in (0, 1, 2):
        mine = codes[(codes["stage"] == "after") & (codes["seed"] == seed)]
        np.testing.assert_array_equal(mine["x"].to_numpy(), train[seed]["x"].to_numpy())
    # Part (g) per replica: replica k retrained against its own frozen decoder, on sample k.
    shift = pd.read_csv(results / "retrain/ae2/latent_shift.csv")
    assert shift.groupby("seed").size().to_dict() == {0: 24, 1: 24, 2: 24}
    np.testing.assert_array_equal(
        shift.loc[shift["seed"] == 1, "x"].to_numpy(), train[1]["x"].to_numpy()
    )
    retrained = per_seed_all[per_seed_all["role"] == "retrained"]
    assert retrained["seed"].tolist() == [0, 1, 2]
    # The sheet's (g) claim rests on the share of pairs whose order changes (mirror allowed).
    claims = pd.read_csv(results / "claims.csv")
    row = claims[claims["metric"] == "share of pairs"].iloc[0]
    swaps = retrained["order_swap_fraction"].to_numpy()
    np.testing.assert_allclose(split_values(row["subject_values"]), np.minimum(swaps, 1 - swaps))
    assert row["sentence"] + "." in text
    for figure in set(FIGURES) - {"capacity"}:  # no capacity widths in this run
        assert (results / f"figures/{figure}.png").read_bytes()[:4] == b"\x89PNG"
    assert not (results / "figures/capacity.png").exists()
    # The report of a run whose DAG the checkpoint completed.
    workflow_dir.snakemake("--report", str(workflow_dir.root / "report.html"))
    assert "latent_maps.png" in (workflow_dir.root / "report.html").read_text()


def test_capacity_runs_figure_and_observation(finished_workflow):
    results = finished_workflow.results
    # Every width at both sizes (2 seeds), ae2's own width too: the protocol is not ae2's.
    # Records every 2 epochs up to the cap of 6, unless every seed plateaued before.
    curves = pd.read_csv(results / "capacity/ae2-w8-n12/curves.csv")
    stop = int(curves["epoch"].max())
    assert stop in (4, 6) and curves.groupby("seed")["epoch"].max().to_dict() == {0: stop, 1: stop}
    assert sorted(curves["epoch"].unique()) == list(range(0, stop + 1, 2))
    losses = pd.read_csv(results / "capacity/ae2-w8-n12/losses.csv")
    # Full batch: one update per epoch over the first 12 training points.
    assert losses["examples_seen"].tolist()[:3] == [12, 24, 36]
    assert len(load_replicas(results / "capacity/ae2-w50-n24/trained.ckpt")) == 2
    summary = pd.read_csv(results / "summary.csv").set_index(["model", "role"])
    w8, w50 = summary.loc[("ae2-w8-n12", "capacity")], summary.loc[("ae2-w50-n24", "capacity")]
    assert (w8["width"], w8["n_train"], w8["parameters"], w50["parameters"]) == (8, 12, 211, 5503)
    assert (w8["batch_size"], w8["epochs"], w8["schedule"]) == (12, 6, "cosine")
    # The final record of each curve is the checkpoint's own MSE, over its own 12 points.
    last = curves[curves["epoch"] == stop]
    assert w8["train_mse"] == pytest.approx(last["train_loss"].mean(), rel=1e-5)
    assert w8["test_mse"] == pytest.approx(last["test_loss"].mean(), rel=1e-5)
    assert w8["stop_epoch"] == stop
    best = curves.loc[curves.groupby("seed")["test_loss"].idxmin()]
    assert w8["best_test_mse"] == pytest.approx(best["test_loss"].mean())
    assert w8["best_test_epoch"] == pytest.approx(best["epoch"].mean())
    # Chosen on the validation points (data.n_validation), never on the held-out ones.
    assert curves["validation_loss"].notna().all()
    chosen = curves.loc[curves.groupby("seed")["validation_loss"].idxmin()]
    assert w8["best_validation_epoch"] == pytest.approx(chosen["epoch"].mean())
    assert w8["test_at_best_validation"] == pytest.approx(chosen["test_loss"].mean())
    assert w8["validation_mse"] == pytest.approx(last["validation_loss"].mean())
    text = (results / "summary.md").read_text()
    assert "## Part (e): memorisation, 24 training points" in text
    assert "## Part (e): memorisation, 12 training points" in text
    assert "## Part (e): does memorising cost generalisation, 12 training points" in text
    assert "ae2 at hidden [w, w] on the first 12 training points: adam" in text
    assert "| w=8 | 211 | 2 |" in text
    assert (
        "(e), the sheet says 'a network wide enough memorises its training points'"
        in (results / "claims.csv").read_text()
    )


def test_every_training_job_leaves_its_seconds_and_peak_memory(finished_workflow):
    bench = finished_workflow.results / "benchmarks"
    files = sorted(p.relative_to(bench).as_posix() for p in bench.rglob("*.tsv"))
    assert files == sorted(
        [
            "retrain_encoder/ae2/s0-2.tsv",
            *[f"train/{run}/s0-2.tsv" for run in RUNS],
            *[f"train_capacity/w{w}/s0-2.tsv" for w in (8, 50)],
        ]
    )
    header, row = (bench / "train/ae2/s0-2.tsv").read_text().splitlines()[:2]
    assert header.split("\t")[:3] == ["s", "h:m:s", "max_rss"]
    assert float(row.split("\t")[0]) > 0
