# Every variant, plus the optimiser-comparison runs (the same rule with other training
# settings): one job per block of a run's replicas (aeflow.core.blocks), so that raising a
# run's seeds trains only its new blocks; then one job gathers a run's first `seeds`
# replicas into the files everything downstream reads.


rule train:
    input:
        samples=get_block_data,
    output:
        init=f"{RESULTS}/blocks/{{run}}/{{block}}/init.ckpt",
        trained=f"{RESULTS}/blocks/{{run}}/{{block}}/trained.ckpt",
        losses=f"{RESULTS}/blocks/{{run}}/{{block}}/losses.csv",
        curves=f"{RESULTS}/blocks/{{run}}/{{block}}/curves.csv",
    log:
        f"{RESULTS}/logs/train/{{run}}/{{block}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/{{run}}/{{block}}.tsv"
    # Before the Playground's chunks (the seeds plan waits on the pilot's blocks, the final
    # stage on the plan), the retrained variant's first (its retraining waits on them).
    priority: get_training_priority
    conda:
        TORCH_ENV
    threads: 1
    resources:
        gpu=get_training_gpu,
        runtime=runtime(get_block_work),
        mem_mb=mem_mb(get_block_work),
    params:
        code=code("train.py"),
        # The job's state between attempts (core.state): no output, removed once it is done.
        state=f"{RESULTS}/state/train/{{run}}/{{block}}",
        numerics=NUMERICS,
        model=get_model_params,
        training=get_block_training_params,
    script:
        "../scripts/train.py"


rule gather_run:
    input:
        init=block_files("blocks/{run}/{block}/init.ckpt"),
        trained=block_files("blocks/{run}/{block}/trained.ckpt"),
        losses=block_files("blocks/{run}/{block}/losses.csv"),
        curves=block_files("blocks/{run}/{block}/curves.csv"),
    output:
        init=f"{RESULTS}/models/{{run}}/init.ckpt",
        trained=f"{RESULTS}/models/{{run}}/trained.ckpt",
        losses=f"{RESULTS}/losses/{{run}}.csv",
        curves=f"{RESULTS}/curves/{{run}}.csv",
    log:
        f"{RESULTS}/logs/gather_run/{{run}}.log",
    conda:
        TORCH_ENV
    params:
        code=code("gather_run.py"),
        seeds=run_seeds(),
        tables={"losses": "losses", "curves": "curves"},
    script:
        "../scripts/gather_run.py"


# Part (g): the trained decoder frozen, the encoder re-initialised and retrained, block by
# block of the variant's replicas (replica k's retraining starts from its trained replica
# k), then gathered like the runs.
rule retrain_encoder:
    input:
        samples=get_block_data,
        model=f"{RESULTS}/blocks/{{variant}}/{{block}}/trained.ckpt",
    output:
        model=f"{RESULTS}/retrain/{{variant}}/blocks/{{block}}/retrained.ckpt",
        losses=f"{RESULTS}/retrain/{{variant}}/blocks/{{block}}/losses.csv",
        shift=f"{RESULTS}/retrain/{{variant}}/blocks/{{block}}/latent_shift.csv",
    log:
        f"{RESULTS}/logs/retrain_encoder/{{variant}}/{{block}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/retrain_encoder/{{variant}}/{{block}}.tsv"
    # Before the Playground's chunks (the seeds design's final blocks wait on the plan).
    priority: 2  # as its variant's blocks: the summary waits on it
    conda:
        TORCH_ENV
    threads: 1
    resources:
        runtime=runtime(get_block_work),
        mem_mb=mem_mb(get_block_work),
    params:
        code=code("retrain_encoder.py"),
        state=f"{RESULTS}/state/retrain_encoder/{{variant}}/{{block}}",
        numerics=NUMERICS,
        training=get_block_training_params,
        init=ae.retrain_init_params(config),
    script:
        "../scripts/retrain_encoder.py"


rule gather_retrain:
    input:
        model=block_files("retrain/{variant}/blocks/{block}/retrained.ckpt"),
        losses=block_files("retrain/{variant}/blocks/{block}/losses.csv"),
        shift=block_files("retrain/{variant}/blocks/{block}/latent_shift.csv"),
    output:
        model=f"{RESULTS}/retrain/{{variant}}/retrained.ckpt",
        losses=f"{RESULTS}/retrain/{{variant}}/losses.csv",
        shift=f"{RESULTS}/retrain/{{variant}}/latent_shift.csv",
    log:
        f"{RESULTS}/logs/gather_retrain/{{variant}}.log",
    conda:
        TORCH_ENV
    params:
        code=code("gather_run.py"),
        seeds=run_seeds(),
        tables={"losses": "losses", "shift": "latent_shift"},
    script:
        "../scripts/gather_run.py"


# Part (e) measured: the capacity variant at hidden [w, w] on the first n training points,
# with the capacity section's own protocol: to a plateau of the training MSE or the cap
# (capacity.training_params). One job per width trains its sizes one after another: a
# training process spends longer importing Lightning than most of these runs train.
rule train_capacity:
    input:
        samples=get_block_data,
    output:
        init=capacity_outputs("init.ckpt"),
        trained=capacity_outputs("trained.ckpt"),
        losses=capacity_outputs("losses.csv"),
        curves=capacity_outputs("curves.csv"),
    log:
        f"{RESULTS}/logs/train_capacity/w{{width}}/{{block}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_capacity/w{{width}}/{{block}}.tsv"
    # Before the Playground's chunks (the seeds design's final blocks wait on the plan).
    priority: 1
    conda:
        TORCH_ENV
    threads: 1
    resources:
        gpu=get_capacity_gpu,
        runtime=runtime(get_capacity_work),
        mem_mb=mem_mb(get_capacity_work),
    params:
        code=code("train.py"),
        state=f"{RESULTS}/state/train_capacity/w{{width}}/{{block}}",
        numerics=NUMERICS,
        model=get_capacity_model_params,
        fits=get_capacity_fits,
        validation=True,  # records the validation points' MSE (part e chooses on them)
    script:
        "../scripts/train.py"


# A width's capacity runs gathered from their blocks, one job per width like their
# training (each block stopped at its own plateau: the gathered checkpoint holds the
# weights and settings, each block's its own training state).
rule gather_capacity:
    input:
        init=capacity_block_files("init.ckpt"),
        trained=capacity_block_files("trained.ckpt"),
        losses=capacity_block_files("losses.csv"),
        curves=capacity_block_files("curves.csv"),
    output:
        init=capacity_outputs("init.ckpt", gathered=True),
        trained=capacity_outputs("trained.ckpt", gathered=True),
        losses=capacity_outputs("losses.csv", gathered=True),
        curves=capacity_outputs("curves.csv", gathered=True),
    log:
        f"{RESULTS}/logs/gather_capacity/w{{width}}.log",
    conda:
        TORCH_ENV
    params:
        code=code("gather_run.py"),
        seeds=capacity_seeds(),
        tables={"losses": "capacity_losses", "curves": "recorded_curves"},
        training_state=False,
    script:
        "../scripts/gather_run.py"
