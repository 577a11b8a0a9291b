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
        gpu=lambda w: gpus(ae.training_params(config, w.run)),
        runtime=runtime(lambda w: ae_work.run_work(config, w.run)),
        mem_mb=mem_mb(lambda w: ae_work.run_work(config, w.run)),
    params:
        code=code("train.py"),
        numerics=config["numerics"],
        model=lambda w: ae.model_params(config, w.run),
        training=lambda w: ae.training_params(config, w.run),
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
        runtime=runtime(lambda w: ae_work.run_work(config, w.variant)),
        mem_mb=mem_mb(lambda w: ae_work.run_work(config, w.variant)),
    params:
        code=code("retrain_encoder.py"),
        numerics=config["numerics"],
        training=lambda w: ae.training_params(config, w.variant),
        init=lambda w: ae.retrain_init_params(config),
    script:
        "../scripts/retrain_encoder.py"


# Part (e) measured: the capacity variant at hidden [w, w] on the first n training points,
# one job per width and size (so runs train in parallel and a new width or size trains
# alone), with the capacity section's own protocol: to a plateau of the training MSE or the
# cap (capacity.training_params).
rule train_capacity:
    input:
        samples=rules.make_data.output[0],
    output:
        init=f"{RESULTS}/capacity/{{run}}/init.ckpt",
        trained=f"{RESULTS}/capacity/{{run}}/trained.ckpt",
        losses=f"{RESULTS}/capacity/{{run}}/losses.csv",
        curves=f"{RESULTS}/capacity/{{run}}/curves.csv",
    log:
        f"{RESULTS}/logs/train_capacity/{{run}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_capacity/{{run}}.tsv"
    conda:
        TORCH_ENV
    threads: 1
    resources:
        gpu=lambda w: gpus(capacity.training_params(config, w.run)),
        runtime=runtime(lambda w: ae_work.capacity_work(config, w.run)),
        mem_mb=mem_mb(lambda w: ae_work.capacity_work(config, w.run)),
    params:
        code=code("train_capacity.py"),
        numerics=config["numerics"],
        model=lambda w: capacity.model_params(config, w.run),
        training=lambda w: capacity.training_params(config, w.run),
        n_train=lambda w: capacity.n_train(config, w.run),
    script:
        "../scripts/train_capacity.py"
