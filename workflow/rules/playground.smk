# Part 2 (bonus): the Playground's MLP experiments. One training job per trial (the
# baseline and each new sweep point); figures and the summary read their cached CSVs.


rule playground_train:
    output:
        points=f"{PLAYGROUND}/{{trial}}/points.csv",
        curves=f"{PLAYGROUND}/{{trial}}/curves.csv",
        boundary=f"{PLAYGROUND}/{{trial}}/boundary.csv",
        weights=f"{PLAYGROUND}/{{trial}}/weights.csv",
        model=f"{PLAYGROUND}/{{trial}}/model.ckpt",
    params:
        code=code("playground_train.py"),
        settings=lambda w: pg.run_settings(config, w.trial),
    threads: 1
    resources:
        gpu=lambda w: gpus(pg.run_settings(config, w.trial)["training"]),
    conda:
        TORCH_ENV
    log:
        f"{RESULTS}/logs/playground/{{trial}}.log",
    script:
        "../scripts/playground_train.py"


rule summarise_playground:
    input:
        curves=trial_files("curves"),
        points=trial_files("points"),
        weights=trial_files("weights"),
    output:
        table=f"{PLAYGROUND}/summary.csv",
        markdown=f"{PLAYGROUND}/summary.md",
        html=report(
            f"{PLAYGROUND}/summary.html",
            caption="../report/playground_summary.rst",
            category="6 Playground (bonus)",
            labels={"item": "numbers and observations"},
        ),
    params:
        code=code("summarise_playground.py"),
        trials=PLAYGROUND_TRIALS,
        records=pg.sweep_table(config),
        baseline=pg.run_settings(config, pg.BASELINE),
    conda:
        PLOT_ENV
    log:
        f"{RESULTS}/logs/summarise_playground.log",
    script:
        "../scripts/summarise_playground.py"


rule plot_playground_baseline:
    input:
        points=f"{PLAYGROUND}/{pg.BASELINE}/points.csv",
        curves=f"{PLAYGROUND}/{pg.BASELINE}/curves.csv",
        boundary=f"{PLAYGROUND}/{pg.BASELINE}/boundary.csv",
    output:
        report(
            figure("playground_baseline"),
            caption="../report/playground_baseline.rst",
            category="6 Playground (bonus)",
        ),
    params:
        code=code("plot_playground_baseline.py"),
        settings=pg.run_settings(config, pg.BASELINE),
        dpi=config["figures"]["dpi"],
    conda:
        PLOT_ENV
    log:
        f"{RESULTS}/logs/plot_playground_baseline.log",
    script:
        "../scripts/plot_playground_baseline.py"


rule plot_playground_sweeps:
    input:
        table=rules.summarise_playground.output.table,
        boundaries=sweep_files("boundary"),
        points=sweep_files("points"),
        curves=sweep_files("curves"),
    output:
        losses=report(
            figure("playground_sweeps"),
            caption="../report/playground_sweeps.rst",
            category="6 Playground (bonus)",
        ),
        boundaries=report(
            figure("playground_boundaries"),
            caption="../report/playground_boundaries.rst",
            category="6 Playground (bonus)",
        ),
        curves=report(
            figure("playground_curves"),
            caption="../report/playground_curves.rst",
            category="6 Playground (bonus)",
        ),
    params:
        code=code("plot_playground_sweeps.py"),
        records=pg.sweep_table(config),
        dpi=config["figures"]["dpi"],
    conda:
        PLOT_ENV
    log:
        f"{RESULTS}/logs/plot_playground_sweeps.log",
    script:
        "../scripts/plot_playground_sweeps.py"


rule plot_playground_weights:
    input:
        [f"{PLAYGROUND}/{run}/weights.csv" for _, run in pg.regularization_runs(config)],
    output:
        report(
            figure("playground_weights"),
            caption="../report/playground_weights.rst",
            category="6 Playground (bonus)",
        ),
    params:
        code=code("plot_playground_weights.py"),
        labels=[label for label, _ in pg.regularization_runs(config)],
        features=pg.weight_map_features(config),
        dpi=config["figures"]["dpi"],
    conda:
        PLOT_ENV
    log:
        f"{RESULTS}/logs/plot_playground_weights.log",
    script:
        "../scripts/plot_playground_weights.py"
