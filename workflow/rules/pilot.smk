# The seeds design's pilot stage (claims.design; aeflow.stages): every run's
# first `pilot` seeds, gathered, analysed and evaluated under results/pilot/ by the same
# rules as the final stage; the checkpoint plan_seeds then decides the pilot's claims and
# writes the seeds each run trains (results/seeds.csv). The final stage's input functions
# read that file (planned()), so the DAG plans the missing blocks only.


use rule gather_run as pilot_gather_run with:
    input:
        init=block_files("blocks/{run}/{block}/init.ckpt", "pilot"),
        trained=block_files("blocks/{run}/{block}/trained.ckpt", "pilot"),
        losses=block_files("blocks/{run}/{block}/losses.csv", "pilot"),
        curves=block_files("blocks/{run}/{block}/curves.csv", "pilot"),
    output:
        init=f"{PILOT}/models/{{run}}/init.ckpt",
        trained=f"{PILOT}/models/{{run}}/trained.ckpt",
        losses=f"{PILOT}/losses/{{run}}.csv",
        curves=f"{PILOT}/curves/{{run}}.csv",
    log:
        f"{RESULTS}/logs/pilot/gather_run/{{run}}.log",
    priority: 1  # the plan first: the final stage waits on it
    params:
        seeds=run_seeds("pilot"),


use rule gather_retrain as pilot_gather_retrain with:
    input:
        model=block_files("retrain/{variant}/blocks/{block}/retrained.ckpt", "pilot"),
        losses=block_files("retrain/{variant}/blocks/{block}/losses.csv", "pilot"),
        shift=block_files("retrain/{variant}/blocks/{block}/latent_shift.csv", "pilot"),
    output:
        model=f"{PILOT}/retrain/{{variant}}/retrained.ckpt",
        losses=f"{PILOT}/retrain/{{variant}}/losses.csv",
        shift=f"{PILOT}/retrain/{{variant}}/latent_shift.csv",
    log:
        f"{RESULTS}/logs/pilot/gather_retrain/{{variant}}.log",
    priority: 1  # the plan first: the final stage waits on it
    params:
        seeds=run_seeds("pilot"),


use rule gather_capacity as pilot_gather_capacity with:
    input:
        init=capacity_block_files("init.ckpt", "pilot"),
        trained=capacity_block_files("trained.ckpt", "pilot"),
        losses=capacity_block_files("losses.csv", "pilot"),
        curves=capacity_block_files("curves.csv", "pilot"),
    output:
        init=capacity_outputs("init.ckpt", gathered=True, root=PILOT),
        trained=capacity_outputs("trained.ckpt", gathered=True, root=PILOT),
        losses=capacity_outputs("losses.csv", gathered=True, root=PILOT),
        curves=capacity_outputs("curves.csv", gathered=True, root=PILOT),
    log:
        f"{RESULTS}/logs/pilot/gather_capacity/w{{width}}.log",
    priority: 1  # the plan first: the final stage waits on it
    params:
        seeds=capacity_seeds("pilot"),


use rule analyse as pilot_analyse with:
    input:
        samples=variant_data("pilot"),
        init=f"{PILOT}/models/{{variant}}/init.ckpt",
        trained=f"{PILOT}/models/{{variant}}/trained.ckpt",
    output:
        embedding=f"{PILOT}/embeddings/{{variant}}.csv",
        grid=f"{PILOT}/latent_grid/{{variant}}.csv",
        codes=f"{PILOT}/latent_codes/{{variant}}.csv",
        initial=f"{PILOT}/latent_init/{{variant}}.csv",
        sweep=f"{PILOT}/decoder_sweep/{{variant}}.csv",
        bounds=f"{PILOT}/bounds/{{variant}}.csv",
        reconstructions=f"{PILOT}/reconstructions/{{variant}}.csv",
    log:
        f"{RESULTS}/logs/pilot/analyse/{{variant}}.log",
    priority: 1  # the plan first: the final stage waits on it


use rule retrain_bound as pilot_retrain_bound with:
    input:
        samples=variant_data("pilot"),
        model=f"{PILOT}/models/{{variant}}/trained.ckpt",
        retrained=f"{PILOT}/retrain/{{variant}}/retrained.ckpt",
    output:
        f"{PILOT}/retrain/{{variant}}/bounds.csv",
    log:
        f"{RESULTS}/logs/pilot/retrain_bound/{{variant}}.log",
    priority: 1  # the plan first: the final stage waits on it


use rule evaluate as pilot_evaluate with:
    input:
        samples=all_data("pilot"),
        checkpoints=summary_checkpoints(PILOT),
        losses=summary_losses(PILOT),
        curves=summary_curves(PILOT),
        shift=f"{PILOT}/retrain/{config['retrain']['variant']}/latent_shift.csv",
        codes=expand(f"{PILOT}/latent_codes/{{variant}}.csv", variant=VARIANTS),
        initial=expand(f"{PILOT}/latent_init/{{variant}}.csv", variant=VARIANTS),
        bounds=expand(f"{PILOT}/bounds/{{variant}}.csv", variant=VARIANTS),
        retrain_bounds=f"{PILOT}/retrain/{config['retrain']['variant']}/bounds.csv",
    output:
        table=f"{PILOT}/summary.csv",
        per_seed=f"{PILOT}/summary_per_seed.csv",
    log:
        f"{RESULTS}/logs/pilot/evaluate.log",
    priority: 1  # the plan first: the final stage waits on it
    params:
        models=summary_models(PILOT),


checkpoint plan_seeds:
    input:
        per_seed=rules.pilot_evaluate.output.per_seed,
    output:
        seeds=f"{RESULTS}/seeds.csv",
        claims=f"{PILOT}/claims.csv",
    log:
        f"{RESULTS}/logs/plan_seeds.log",
    priority: 1
    conda:
        PLOT_ENV
    params:
        code=code("plan_seeds.py"),
        margins=get_margins(),
        design=get_design(),
        runs=stages.seed_settings(config),
    script:
        "../scripts/plan_seeds.py"


# The Playground's pilot: every trial's first `pilot` seeds, tabulated as the final stage
# is; its checkpoint plans the seeds of every trial (one run: aeflow.stages).
use rule tabulate_playground as pilot_tabulate_playground with:
    input:
        metrics=chunk_files("metrics", PLAYGROUND_TRIALS, "pilot"),
    output:
        table=f"{PILOT}/playground/summary.csv",
        per_seed=f"{PILOT}/playground/summary_per_seed.csv",
        trials=[f"{PILOT}/playground/sweeps/{sweep}/trials.csv" for sweep in PLAYGROUND_SWEEPS],
    log:
        f"{RESULTS}/logs/pilot/tabulate_playground.log",
    priority: 1  # the plan first: the final stage waits on it
    params:  # merged into tabulate_playground's: the pilot's seeds only
        seeds=playground_seeds("pilot"),


checkpoint plan_playground_seeds:
    input:
        table=rules.pilot_tabulate_playground.output.table,
        per_seed=rules.pilot_tabulate_playground.output.per_seed,
        trials=rules.pilot_tabulate_playground.output.trials,
    output:
        seeds=f"{PLAYGROUND}/seeds.csv",
        claims=f"{PILOT}/playground/claims.csv",
    log:
        f"{RESULTS}/logs/plan_playground_seeds.log",
    priority: 1
    conda:
        PLOT_ENV
    params:
        code=code("plan_playground_seeds.py"),
        sweeps=PLAYGROUND_SWEEPS,
        searches=list(pg.search_sweeps(config)),
        epochs=config["playground"]["training"]["epochs"],
        margins=get_margins(),
        design=get_design(),
        runs=stages.seed_settings(config, stages.PLAYGROUND),
    script:
        "../scripts/plan_playground_seeds.py"
