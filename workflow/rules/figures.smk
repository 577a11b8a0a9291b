# Figures: matplotlib over cached CSVs only (no torch, no Lightning in these jobs).


rule plot_samples:
    input:
        all_data(),
    output:
        report(
            figure("samples"),
            caption="../report/samples.rst",
            category="1 Data",
        ),
    log:
        f"{RESULTS}/logs/plot_samples.log",
    conda:
        PLOT_ENV
    params:
        code=code("plot_samples.py"),
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_samples.py"


rule plot_loss_curves:
    input:
        samples=all_data(),
        losses=expand(f"{RESULTS}/losses/{{run}}.csv", run=VARIANTS),
        curves=expand(f"{RESULTS}/curves/{{run}}.csv", run=VARIANTS),
    output:
        report(
            figure("loss_curves"),
            caption="../report/loss_curves.rst",
            category="2 Training",
        ),
    log:
        f"{RESULTS}/logs/plot_loss_curves.log",
    conda:
        PLOT_ENV
    params:
        code=code("plot_loss_curves.py"),
        labels=VARIANTS,
        latent_dim=capacity.latent_dim(config),
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_loss_curves.py"


rule plot_latent_maps:
    input:
        plan=seeds_plan,  # its caption's replica counts (params shown)
        grids=expand(f"{RESULTS}/latent_grid/{{variant}}.csv", variant=VARIANTS),
        codes=expand(f"{RESULTS}/latent_codes/{{variant}}.csv", variant=VARIANTS),
    output:
        report(
            figure("latent_maps"),
            caption="../report/latent_maps.rst",
            category="3 Latent space",
        ),
    log:
        f"{RESULTS}/logs/plot_latent_maps.log",
    conda:
        PLOT_ENV
    params:
        code=code("plot_latent_maps.py"),
        labels=VARIANTS,
        shown=get_shown_replicas,
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_latent_maps.py"


rule plot_decoder_sweeps:
    input:
        samples=all_data(),
        sweeps=expand(f"{RESULTS}/decoder_sweep/{{variant}}.csv", variant=VARIANTS),
        reconstructions=expand(f"{RESULTS}/reconstructions/{{variant}}.csv", variant=VARIANTS),
    output:
        sweeps=report(
            figure("decoder_sweeps"),
            caption="../report/decoder_sweeps.rst",
            category="3 Latent space",
        ),
        reconstructions=report(
            figure("reconstructions"),
            caption="../report/reconstructions.rst",
            category="3 Latent space",
        ),
    log:
        f"{RESULTS}/logs/plot_decoder_sweeps.log",
    conda:
        PLOT_ENV
    params:
        code=code("plot_decoder_sweeps.py"),
        labels=VARIANTS,
        shown=get_shown_replicas,
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_decoder_sweeps.py"


rule plot_retrain:
    input:
        shift=f"{RESULTS}/retrain/{config['retrain']['variant']}/latent_shift.csv",
        original=f"{RESULTS}/losses/{config['retrain']['variant']}.csv",
        retrained=f"{RESULTS}/retrain/{config['retrain']['variant']}/losses.csv",
        bounds=f"{RESULTS}/retrain/{config['retrain']['variant']}/bounds.csv",
    output:
        shift=report(
            figure("retrain_latent_shift"),
            caption="../report/retrain_latent_shift.rst",
            category="4 Encoder retraining",
        ),
        losses=report(
            figure("retrain_losses"),
            caption="../report/retrain_losses.rst",
            category="4 Encoder retraining",
        ),
    log:
        f"{RESULTS}/logs/plot_retrain.log",
    conda:
        PLOT_ENV
    params:
        code=code("plot_retrain.py"),
        variant=config["retrain"]["variant"],
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_retrain.py"


rule plot_optimizer_comparison:
    input:
        samples=all_data(),
        curves=expand(f"{RESULTS}/curves/{{run}}.csv", run=ae.comparison_runs(config)),
        losses=expand(f"{RESULTS}/losses/{{run}}.csv", run=ae.comparison_runs(config)),
    output:
        report(
            figure("sgd_vs_gd"),
            caption="../report/sgd_vs_gd.rst",
            category="5 Optimisers",
        ),
    log:
        f"{RESULTS}/logs/plot_optimizer_comparison.log",
    conda:
        PLOT_ENV
    params:
        code=code("plot_optimizer_comparison.py"),
        labels=[ae.run_label(config, run) for run in ae.comparison_runs(config)],
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_optimizer_comparison.py"


rule plot_capacity:
    input:
        samples=all_data(),
        curves=[run["curves"] for run in capacity.capacity_runs(config, RESULTS)],
    output:
        report(
            figure("capacity"),
            caption="../report/capacity.rst",
            category="2 Training",
        ),
    log:
        f"{RESULTS}/logs/plot_capacity.log",
    conda:
        PLOT_ENV
    params:
        code=code("plot_capacity.py"),
        runs=[
            {key: run[key] for key in ("width", "n_train", "parameters")}
            for run in capacity.capacity_runs(config, RESULTS)
        ],
        cap=capacity.cap_epochs(config),
        variant=config["capacity"]["variant"],
        latent_dim=capacity.latent_dim(config),
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_capacity.py"
