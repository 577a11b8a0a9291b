# Analyses of trained models; each writes a CSV so figures redraw without retraining.


rule embed:
    input:
        samples=rules.make_data.output[0],
        model=f"{RESULTS}/models/{{variant}}/trained.ckpt",
    output:
        f"{RESULTS}/embeddings/{{variant}}.csv",
    log:
        f"{RESULTS}/logs/embed/{{variant}}.log",
    conda:
        TORCH_ENV
    params:
        code=code("embed.py"),
        numerics=config["numerics"],
    script:
        "../scripts/embed.py"


rule decoder_sweep:
    input:
        init=f"{RESULTS}/models/{{variant}}/init.ckpt",
        trained=f"{RESULTS}/models/{{variant}}/trained.ckpt",
    output:
        f"{RESULTS}/decoder_sweep/{{variant}}.csv",
    log:
        f"{RESULTS}/logs/decoder_sweep/{{variant}}.log",
    conda:
        TORCH_ENV
    params:
        code=code("decoder_sweep.py"),
        numerics=config["numerics"],
        sweep=config["decoder_sweep"],
    script:
        "../scripts/decoder_sweep.py"
