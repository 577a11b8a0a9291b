# One job per training run: every variant, plus the optimiser-comparison runs
# (the same rule with other training settings).


rule train:
    input:
        samples=rules.make_data.output[0],
    output:
        init=f"{RESULTS}/models/{{run}}/init.ckpt",
        trained=f"{RESULTS}/models/{{run}}/trained.ckpt",
        losses=f"{RESULTS}/losses/{{run}}.csv",
        curves=f"{RESULTS}/curves/{{run}}.csv",
    log:
        f"{RESULTS}/logs/train/{{run}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/{{run}}.tsv"
    conda:
        TORCH_ENV
    threads: 1
    resources:
        gpu=get_training_gpu,
        runtime=runtime(get_training_work),
        mem_mb=mem_mb(get_training_work),
    params:
        code=code("train.py"),
        # The job's state between attempts (core.state): no output, removed once it is done.
        state=f"{RESULTS}/state/train/{{run}}",
        numerics=NUMERICS,
        model=get_model_params,
        training=get_training_params,
    script:
        "../scripts/train.py"


# Part (g): the trained decoder frozen, the encoder re-initialised and retrained.
rule retrain_encoder:
    input:
        samples=rules.make_data.output[0],
        model=f"{RESULTS}/models/{{variant}}/trained.ckpt",
    output:
        model=f"{RESULTS}/retrain/{{variant}}/retrained.ckpt",
        losses=f"{RESULTS}/retrain/{{variant}}/losses.csv",
        shift=f"{RESULTS}/retrain/{{variant}}/latent_shift.csv",
    log:
        f"{RESULTS}/logs/retrain_encoder/{{variant}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/retrain_encoder/{{variant}}.tsv"
    conda:
        TORCH_ENV
    threads: 1
    resources:
        runtime=runtime(get_variant_work),
        mem_mb=mem_mb(get_variant_work),
    params:
        code=code("retrain_encoder.py"),
        state=f"{RESULTS}/state/retrain_encoder/{{variant}}",
        numerics=NUMERICS,
        training=get_variant_training_params,
        init=ae.retrain_init_params(config),
    script:
        "../scripts/retrain_encoder.py"


# Part (e) measured: the capacity variant at hidden [w, w] on the first n training points,
# with the capacity section's own protocol: to a plateau of the training MSE or the cap
# (capacity.training_params). One job per width trains its sizes one after another: a
# training process spends longer importing Lightning than most of these runs train.
rule train_capacity:
    input:
        samples=rules.make_data.output[0],
    output:
        init=capacity_outputs("init.ckpt"),
        trained=capacity_outputs("trained.ckpt"),
        losses=capacity_outputs("losses.csv"),
        curves=capacity_outputs("curves.csv"),
    log:
        f"{RESULTS}/logs/train_capacity/w{{width}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_capacity/w{{width}}.tsv"
    conda:
        TORCH_ENV
    threads: 1
    resources:
        gpu=get_capacity_gpu,
        runtime=runtime(get_capacity_work),
        mem_mb=mem_mb(get_capacity_work),
    params:
        code=code("train.py"),
        state=f"{RESULTS}/state/train_capacity/w{{width}}",
        numerics=NUMERICS,
        model=get_capacity_model_params,
        fits=get_capacity_fits,
        validation=True,  # records the validation points' MSE (part e chooses on them)
    script:
        "../scripts/train.py"
