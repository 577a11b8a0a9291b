# One job per training run: every variant, plus the optimiser-comparison runs
# (the same rule with other training settings).


rule train:
    input:
        samples=rules.make_data.output[0],
    output:
        init=f"{RESULTS}/models/{{run}}/init.ckpt",
        trained=f"{RESULTS}/models/{{run}}/trained.ckpt",
        losses=f"{RESULTS}/losses/{{run}}.csv",
    params:
        code=code("train.py"),
        model=lambda w: cfg.model_params(config, w.run),
        training=lambda w: cfg.training_params(config, w.run),
    threads: 1
    resources:
        gpu=lambda w: gpus(cfg.training_params(config, w.run)),
    conda:
        TORCH_ENV
    log:
        f"{RESULTS}/logs/train/{{run}}.log",
    script:
        "../scripts/train.py"
