# Analyses of trained models; each writes a CSV so figures redraw without retraining.


# Part (c): codes before and after training, at the training points and over the plane.
rule embed:
    input:
        samples=rules.make_data.output[0],
        init=f"{RESULTS}/models/{{variant}}/init.ckpt",
        model=f"{RESULTS}/models/{{variant}}/trained.ckpt",
    output:
        embedding=f"{RESULTS}/embeddings/{{variant}}.csv",
        grid=f"{RESULTS}/latent_grid/{{variant}}.csv",
        codes=f"{RESULTS}/latent_codes/{{variant}}.csv",
        # The reference: many untrained networks' orders of the training points.
        initial=f"{RESULTS}/latent_init/{{variant}}.csv",
    log:
        f"{RESULTS}/logs/embed/{{variant}}.log",
    conda:
        TORCH_ENV
    params:
        code=code("embed.py"),
        numerics=NUMERICS,
        seed=get_variant_seed,
        x_range=config["data"]["x_range"],
        y_range=config["data"]["y_range"],
        draws=config["latent_reference"]["draws"],
    script:
        "../scripts/embed.py"


# Part (d): decoder sweeps over the codes in use, and the nearest-point bound per replica.
rule decoder_sweep:
    input:
        samples=rules.make_data.output[0],
        init=f"{RESULTS}/models/{{variant}}/init.ckpt",
        trained=f"{RESULTS}/models/{{variant}}/trained.ckpt",
    output:
        sweep=f"{RESULTS}/decoder_sweep/{{variant}}.csv",
        bounds=f"{RESULTS}/bounds/{{variant}}.csv",
        reconstructions=f"{RESULTS}/reconstructions/{{variant}}.csv",
    log:
        f"{RESULTS}/logs/decoder_sweep/{{variant}}.log",
    conda:
        TORCH_ENV
    params:
        code=code("decoder_sweep.py"),
        numerics=NUMERICS,
        seed=get_variant_seed,
        sweep=config["decoder_sweep"],
    script:
        "../scripts/decoder_sweep.py"


# Part (g): the frozen decoder's nearest-point bound beside the original and retrained encoder.
rule retrain_bound:
    input:
        samples=rules.make_data.output[0],
        model=f"{RESULTS}/models/{{variant}}/trained.ckpt",
        retrained=f"{RESULTS}/retrain/{{variant}}/retrained.ckpt",
    output:
        f"{RESULTS}/retrain/{{variant}}/bounds.csv",
    log:
        f"{RESULTS}/logs/retrain_bound/{{variant}}.log",
    conda:
        TORCH_ENV
    params:
        code=code("retrain_bound.py"),
        numerics=NUMERICS,
        seed=get_variant_seed,
        sweep={k: config["decoder_sweep"][k] for k in ("margin", "bound_points")},
    script:
        "../scripts/retrain_bound.py"
