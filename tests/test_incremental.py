"""Config edits rerun exactly what they touch (read from the jobs of a dry run)."""

import pytest

from tests.conftest import private_copy

VARIANTS = ("ae1", "ae2", "pca")

pytestmark = pytest.mark.workflow

FIGURES_OF_VARIANTS = {
    ("plot_loss_curves", ""),
    ("plot_latent_maps", ""),
    ("plot_decoder_sweeps", ""),
}
SUMMARY = {("evaluate", ""), ("summarise", "")}
BLOCK = "s0-2"  # the tiny run's one block of replicas (seeds 2, seeds_per_job 2)


def _trained(run):
    """A run trained again: its block, and the job that gathers it."""
    return {("train", f"run={run}, block={BLOCK}"), ("gather_run", f"run={run}")}


RETRAINED = {("retrain_encoder", f"variant=ae2, block={BLOCK}"), ("gather_retrain", "variant=ae2")}
PAGE = {("summarise", "")}  # the claims and pages alone (they embed the figures)


@pytest.fixture
def done(finished_workflow, tmp_path):
    """A private copy of the finished tiny run."""
    return private_copy(finished_workflow, tmp_path)


def _edit(wf, change):
    config = wf.read_config()
    change(config)
    wf.write_config(config)
    return wf.planned_jobs()


def _per_variant(variant):
    return _trained(variant) | {("analyse", f"variant={variant}")} | SUMMARY


def test_changing_one_variant_reruns_only_that_variant(done):
    jobs = _edit(done, lambda c: c["variants"]["ae1"].update(hidden=[8, 4]))
    assert jobs == _per_variant("ae1") | FIGURES_OF_VARIANTS


def test_changing_one_variants_learning_rate_reruns_only_that_variant(done):
    jobs = _edit(done, lambda c: c["variants"]["pca"].update(training={"learning_rate": 0.01}))
    assert jobs == _per_variant("pca") | FIGURES_OF_VARIANTS


def test_adding_a_variant_trains_only_the_new_one(done):
    jobs = _edit(done, lambda c: c["variants"].update(wide={"hidden": [64]}))
    assert jobs == _per_variant("wide") | FIGURES_OF_VARIANTS


def test_removing_a_variant_redraws_figures_without_training(done):
    jobs = _edit(done, lambda c: c["variants"].pop("ae1"))
    assert jobs == FIGURES_OF_VARIANTS | SUMMARY


def test_changing_the_sweep_range_reruns_the_analyses_and_their_figures_only(done):
    jobs = _edit(done, lambda c: c["decoder_sweep"].update(z_range=[-3.0, 3.0]))
    # The summary states how much of the codes in use each sweep spans; the latent maps
    # read the same (rerun) job's tables.
    assert (
        jobs
        == {("analyse", f"variant={v}") for v in ("ae1", "ae2", "pca")}
        | {("plot_decoder_sweeps", ""), ("plot_latent_maps", "")}
        | SUMMARY
    )


def test_changing_the_figure_format_redraws_figures_only(done):
    jobs = _edit(done, lambda c: c["figures"].update(format="svg"))
    # Figures, and the page that embeds them; nothing is evaluated again.
    assert jobs and all(rule.startswith("plot_") or (rule, w) in PAGE for rule, w in jobs)
    assert jobs >= PAGE


def test_changing_a_margin_reruns_the_claims_only(done):
    jobs = _edit(
        done,
        lambda c: c.setdefault("claims", {"margins": {}})["margins"].update(mse={"relative": 0.05}),
    )
    assert jobs == PAGE


def test_changing_the_retraining_init_reruns_only_the_retraining(done):
    jobs = _edit(done, lambda c: c["retrain"].update(init_std=0.5))
    assert jobs == RETRAINED | {("retrain_bound", "variant=ae2"), ("plot_retrain", "")} | SUMMARY


def test_changing_the_sgd_run_reruns_only_that_run(done):
    jobs = _edit(
        done,
        lambda c: c["optimizer_comparison"]["runs"]["sgd"]["training"].update(learning_rate=0.01),
    )
    assert jobs == _trained("ae2-sgd") | {("plot_optimizer_comparison", "")} | SUMMARY


@pytest.mark.parametrize(
    "change", [{"seed": 1}, {"per_replica_samples": True}], ids=["seed", "per_replica_samples"]
)
def test_changing_the_data_reruns_everything_downstream(done, change):
    jobs = _edit(done, lambda c: c["data"].update(change))
    rules = {rule for rule, _ in jobs}
    runs = ("ae1", "ae2", "pca", "ae2-sgd", "ae2-gd", "ae2-gd_scaled")
    assert set().union(*(_trained(r) for r in runs)) <= jobs
    assert {"make_data", "analyse", "retrain_encoder", "plot_samples"} <= rules


# One train_capacity job per width and block trains the width's sizes; one gathers them.
def _capacity(width):
    return {
        ("train_capacity", f"width={width}, block={BLOCK}"),
        ("gather_capacity", f"width={width}"),
    }


CAPACITY_JOBS = _capacity(8) | _capacity(50)


def test_adding_a_capacity_width_trains_only_that_width(done):
    jobs = _edit(done, lambda c: c["capacity"].update(widths=[8, 50, 16]))
    assert jobs == _capacity(16) | {("plot_capacity", "")} | SUMMARY
    assert "ae2-w16-n24" in done.snakemake("--dry-run").stdout  # both sizes of width 16


def test_adding_a_training_set_size_retrains_every_width_and_nothing_else(done):
    # A width's job writes every size's files: a new size is a new output of each.
    jobs = _edit(done, lambda c: c["capacity"].update(n_train=["all", 12, 6]))
    assert jobs == CAPACITY_JOBS | {("plot_capacity", "")} | SUMMARY


def test_removing_a_capacity_width_trains_nothing(done):
    jobs = _edit(done, lambda c: c["capacity"].update(widths=[50]))
    assert jobs == {("plot_capacity", "")} | SUMMARY


def test_changing_the_capacity_variants_training_retrains_its_widths(done):
    # The capacity runs take the variant's seed; their own protocol sets the rest.
    jobs = _edit(done, lambda c: c["variants"]["ae2"].update(training={"seed": 1}))
    assert _trained("ae2") | {("plot_capacity", "")} | CAPACITY_JOBS <= jobs
    assert not _trained("ae1") & jobs
    # ae2's learning rate is the capacity protocol's own: it retrains ae2 only.
    jobs = _edit(done, lambda c: c["variants"]["ae2"].update(training={"learning_rate": 0.01}))
    assert _trained("ae2") <= jobs and not {r for r, _ in jobs} & {"train_capacity"}


def test_changing_the_capacity_protocol_retrains_the_capacity_runs_only(done):
    jobs = _edit(done, lambda c: c["capacity"]["stopping"].update(tolerance=0.05))
    assert jobs == CAPACITY_JOBS | {("plot_capacity", "")} | SUMMARY


def test_the_shared_activation_does_not_reach_the_linear_variant(done):
    jobs = _edit(done, lambda c: c["model"].update(activation="tanh"))
    trained = {wildcards for rule, wildcards in jobs if rule == "gather_run"}
    assert trained == {f"run={r}" for r in ("ae1", "ae2", "ae2-sgd", "ae2-gd", "ae2-gd_scaled")}
    assert not any("pca" in wildcards for _, wildcards in jobs)


# --- code changes: each rule's params carry a digest of the aeflow modules its script uses


def _edit_code(wf, relative: str, text: str):
    """Append ``text`` to a file of the copy; the jobs a dry run then plans."""
    path = wf.root / relative
    assert path.exists() or not relative.startswith("src/"), f"no module {relative}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((path.read_text() if path.exists() else "") + text)
    return wf.planned_jobs()


AUTOENCODER_FIGURES = {
    ("plot_samples", ""),
    ("plot_loss_curves", ""),
    ("plot_latent_maps", ""),
    ("plot_decoder_sweeps", ""),
    ("plot_retrain", ""),
    ("plot_optimizer_comparison", ""),
    ("plot_capacity", ""),
}


def test_editing_the_plotting_module_redraws_figures_only(done):
    jobs = _edit_code(done, "src/aeflow/autoencoder/plots.py", "\nEDITED = True\n")
    assert jobs == AUTOENCODER_FIGURES | PAGE  # the page embeds the figures


def test_editing_the_training_loop_retrains_and_reruns_what_depends_on_it(done):
    jobs = _edit_code(done, "src/aeflow/autoencoder/training.py", "\nEDITED = True\n")
    runs = ("ae1", "ae2", "pca", "ae2-sgd", "ae2-gd", "ae2-gd_scaled")
    analyses = {("analyse", f"variant={v}") for v in VARIANTS}
    assert jobs == (
        set().union(*(_trained(r) for r in runs))
        | CAPACITY_JOBS
        | RETRAINED
        | {("retrain_bound", "variant=ae2")}
        | analyses
        | (AUTOENCODER_FIGURES - {("plot_samples", "")})
        | SUMMARY
    )
    # Snakemake names the reason: the params (the code digest) of those outputs changed.
    assert "reason: Params have changed" in done.snakemake("--dry-run").stdout
    status = {}
    for line in done.snakemake("--summary").stdout.splitlines()[1:]:
        fields = line.split("\t")
        status[fields[0]] = fields[4]
    assert status["results/blocks/ae1/s0-2/trained.ckpt"] == "params changed"
    assert status["results/data/samples/shared.csv"] == "ok"


def test_comments_docs_and_tests_rerun_nothing(done):
    assert _edit_code(done, "src/aeflow/autoencoder/training.py", "\n# a comment only\n") == set()
    assert _edit_code(done, "README.md", "\nMore words.\n") == set()
    assert _edit_code(done, "tests/test_new.py", "\ndef test_x():\n    pass\n") == set()


def test_a_plain_run_uses_the_workflow_profile(done):
    result = done.snakemake("--dry-run")
    assert "Using workflow specific profile profiles/default" in result.stderr


def test_new_mtimes_on_unchanged_scripts_rerun_nothing(done):
    # What `git checkout .` or `touch` leaves: the same content, newer modification times.
    for script in (done.root / "workflow/scripts").glob("*.py"):
        script.touch()
    assert done.planned_jobs() == set()


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("plot_samples.py", {("plot_samples", "")}),
        (
            "analyse.py",
            {("analyse", f"variant={v}") for v in VARIANTS}
            | {("plot_latent_maps", ""), ("plot_decoder_sweeps", "")}
            | SUMMARY,
        ),
    ],
)
def test_editing_a_script_reruns_the_jobs_of_that_script_only(done, script, expected):
    assert _edit_code(done, f"workflow/scripts/{script}", "\nEDITED = True\n") == expected


# --- deleted intermediates: every cached file is a target, so a plain run rebuilds it


@pytest.mark.parametrize(
    ("deleted", "rebuilt_by"),
    [
        ("data/samples/shared.csv", ("make_data", "block=shared")),
        ("blocks/ae2/s0-2/trained.ckpt", ("train", f"run=ae2, block={BLOCK}")),
        ("models/ae2/trained.ckpt", ("gather_run", "run=ae2")),
        ("models/pca/init.ckpt", ("gather_run", "run=pca")),
        ("curves/ae2-gd.csv", ("gather_run", "run=ae2-gd")),
        ("decoder_sweep/ae2.csv", ("analyse", "variant=ae2")),
        ("bounds/ae1.csv", ("analyse", "variant=ae1")),
        ("reconstructions/pca.csv", ("analyse", "variant=pca")),
        ("embeddings/ae1.csv", ("analyse", "variant=ae1")),
        ("latent_grid/pca.csv", ("analyse", "variant=pca")),
        ("latent_codes/ae2.csv", ("analyse", "variant=ae2")),
        ("retrain/ae2/bounds.csv", ("retrain_bound", "variant=ae2")),
        ("retrain/ae2/latent_shift.csv", ("gather_retrain", "variant=ae2")),
        ("capacity/ae2-w8-n12/losses.csv", ("gather_capacity", "width=8")),
        (
            "capacity/ae2-w8-n12/blocks/s0-2/losses.csv",
            ("train_capacity", f"width=8, block={BLOCK}"),
        ),
    ],
)
def test_a_deleted_intermediate_is_planned_again(done, deleted, rebuilt_by):
    (done.results / deleted).unlink()
    assert rebuilt_by in done.planned_jobs()


def test_a_deleted_checkpoint_is_rebuilt_with_the_same_results(done):
    before = done.snapshot()
    (done.results / "blocks/pca/s0-2/trained.ckpt").unlink()
    done.snakemake()
    after = done.snapshot()
    assert (done.results / "blocks/pca/s0-2/trained.ckpt").exists()
    for name in (
        "blocks/pca/s0-2/trained.ckpt",
        "models/pca/trained.ckpt",
        "losses/pca.csv",
        "curves/pca.csv",
        "embeddings/pca.csv",
        "summary.csv",
    ):
        assert after[name] == before[name], name
