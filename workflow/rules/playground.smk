# Part 2 (bonus): the Playground's MLP experiments. Trials that share a network shape and
# schedule are trained together, in chunks of at most playground.trials_per_chunk trials;
# small shape groups share a chunk, trained one group after another (aeflow.core.planner).
# One job per chunk and block of playground.seeds_per_job replicas (aeflow.core.blocks):
# raising the seeds adds blocks. Figures and the summary read every block's CSVs, and keep
# the seeds of the final stage (the seeds design: pilot.smk, aeflow.stages).
# Params that grow with the trials are digested (aeflow.core.params): Snakemake records
# and prints their digest, so a plan stays readable and reruns stay exact.


rule playground_train:
    output:
        points=f"{PLAYGROUND}/chunks/{{chunk}}/{{block}}/points.csv",
        curves=f"{PLAYGROUND}/chunks/{{chunk}}/{{block}}/curves.csv",
        metrics=f"{PLAYGROUND}/chunks/{{chunk}}/{{block}}/metrics.csv",
        boundary=f"{PLAYGROUND}/chunks/{{chunk}}/{{block}}/boundary.csv",
        weights=f"{PLAYGROUND}/chunks/{{chunk}}/{{block}}/weights.csv",
        # One Lightning checkpoint per group of the chunk (core.planner, pack_groups).
        models=directory(f"{PLAYGROUND}/chunks/{{chunk}}/{{block}}/models"),
    log:
        f"{RESULTS}/logs/playground/{{chunk}}/{{block}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/playground_train/{{chunk}}/{{block}}.tsv"
    conda:
        TORCH_ENV
    threads: 1
    resources:
        gpu=get_playground_chunk_gpu,
        runtime=runtime(get_playground_chunk_work),
        mem_mb=mem_mb(get_playground_chunk_work),
    params:
        code=code("playground_train.py"),
        numerics=NUMERICS,
        trials=get_playground_chunk_trials,
        maps=get_playground_chunk_maps,
        # An input of the metrics: changing it reruns every chunk (params rerun-trigger).
        loss_level=config["playground"]["claims"]["loss_level"],
        state=f"{RESULTS}/state/playground_train/{{chunk}}/{{block}}",
    script:
        "../scripts/playground_train.py"


rule tabulate_playground:
    input:
        metrics=chunk_files("metrics", PLAYGROUND_TRIALS),
    output:
        table=f"{PLAYGROUND}/summary.csv",
        per_seed=f"{PLAYGROUND}/summary_per_seed.csv",
        trials=[f"{PLAYGROUND}/sweeps/{sweep}/trials.csv" for sweep in PLAYGROUND_SWEEPS],
    log:
        f"{RESULTS}/logs/tabulate_playground.log",
    conda:
        PLOT_ENV
    params:
        code=code("tabulate_playground.py"),
        trials=get_playground_trials,
        records=get_playground_sweep_records,
        seeds=playground_seeds(),
        sweeps=digested(
            {sweep: pg.sweep_trials(config, sweep) for sweep in PLAYGROUND_SWEEPS}, "sweeps"
        ),
        searches=list(pg.search_sweeps(config)),
        settings=digested(
            {trial: pg.trial_settings(config, trial) for trial in PLAYGROUND_TRIALS},
            "trial settings",
        ),
    script:
        "../scripts/tabulate_playground.py"


rule summarise_playground:
    input:
        table=rules.tabulate_playground.output.table,
        per_seed=rules.tabulate_playground.output.per_seed,
        trials=rules.tabulate_playground.output.trials,
        figures=playground_summary_figures(),
    output:
        claims=f"{PLAYGROUND}/claims.csv",
        markdown=f"{PLAYGROUND}/summary.md",
        html=report(
            f"{PLAYGROUND}/summary.html",
            caption="../report/playground_summary.rst",
            category="6 Playground (bonus)",
            labels={"item": "numbers and observations"},
        ),
    log:
        f"{RESULTS}/logs/summarise_playground.log",
    conda:
        PLOT_ENV
    params:
        code=code("summarise_playground.py"),
        sweeps=PLAYGROUND_SWEEPS,
        searches=list(pg.search_sweeps(config)),
        epochs=config["playground"]["training"]["epochs"],
        margins=get_margins(),
        design=get_design(),
    script:
        "../scripts/summarise_playground.py"


rule plot_playground_search:
    input:
        f"{PLAYGROUND}/sweeps/{{sweep}}/trials.csv",
    output:
        report(
            figure("playground_sweep_{sweep}"),
            caption="../report/playground_search.rst",
            category="6 Playground (bonus)",
            subcategory="grid and random sweeps",
        ),
    log:
        f"{RESULTS}/logs/plot_playground_search_{{sweep}}.log",
    conda:
        PLOT_ENV
    params:
        code=code("plot_playground_search.py"),
        form=get_playground_sweep_form,
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_playground_search.py"


rule plot_playground_baseline:
    input:
        points=chunk_files("points", [pg.BASELINE], "first"),  # the first seed's
        curves=chunk_files("curves", [pg.BASELINE]),
        boundary=chunk_files("boundary", [pg.BASELINE]),
    output:
        report(
            figure("playground_baseline"),
            caption="../report/playground_baseline.rst",
            category="6 Playground (bonus)",
        ),
    log:
        f"{RESULTS}/logs/plot_playground_baseline.log",
    conda:
        PLOT_ENV
    params:
        code=code("plot_playground_baseline.py"),
        trial=pg.BASELINE,
        seeds=playground_seeds(),
        settings=get_playground_baseline_settings,
        links=playground_links([pg.BASELINE]),
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_playground_baseline.py"


rule plot_playground_sweeps:
    input:
        table=rules.tabulate_playground.output.table,
        boundaries=chunk_files("boundary", SWEEP_TRIALS),
        points=chunk_files("points", SWEEP_TRIALS, "first"),  # the first seed's
        curves=chunk_files("curves", SWEEP_TRIALS),
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
    log:
        f"{RESULTS}/logs/plot_playground_sweeps.log",
    conda:
        PLOT_ENV
    params:
        code=code("plot_playground_sweeps.py"),
        records=get_playground_sweep_records,
        seeds=playground_seeds(),
        links=get_playground_sweep_links,
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_playground_sweeps.py"


rule plot_playground_weights:
    input:
        # The figure shows each trial's first seed: its first block, whatever the seeds.
        chunk_files("weights", [trial for _, trial in pg.regularization_trials(config)], "first"),
    output:
        report(
            figure("playground_weights"),
            caption="../report/playground_weights.rst",
            category="6 Playground (bonus)",
        ),
    log:
        f"{RESULTS}/logs/plot_playground_weights.log",
    conda:
        PLOT_ENV
    params:
        code=code("plot_playground_weights.py"),
        labels=[label for label, _ in pg.regularization_trials(config)],
        trials=[trial for _, trial in pg.regularization_trials(config)],
        links=playground_links([trial for _, trial in pg.regularization_trials(config)]),
        features=pg.weight_map_features(config),
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_playground_weights.py"
