# Analyses of trained models; each writes a CSV so figures redraw without retraining.


# Parts (c) and (d), one job per variant (its checkpoints read once): codes before and after
# training, at the training points and over the plane, with the reference of many untrained
# networks; decoder sweeps over the codes in use and the nearest-point bound per replica.
rule analyse:
    input:
        samples=variant_data(),
        init=f"{RESULTS}/models/{{variant}}/init.ckpt",
        trained=f"{RESULTS}/models/{{variant}}/trained.ckpt",
    output:
        embedding=f"{RESULTS}/embeddings/{{variant}}.csv",
        grid=f"{RESULTS}/latent_grid/{{variant}}.csv",
        codes=f"{RESULTS}/latent_codes/{{variant}}.csv",
        initial=f"{RESULTS}/latent_init/{{variant}}.csv",
        sweep=f"{RESULTS}/decoder_sweep/{{variant}}.csv",
        bounds=f"{RESULTS}/bounds/{{variant}}.csv",
        reconstructions=f"{RESULTS}/reconstructions/{{variant}}.csv",
    log:
        f"{RESULTS}/logs/analyse/{{variant}}.log",
    conda:
        TORCH_ENV
    params:
        code=code("analyse.py"),
        numerics=NUMERICS,
        seed=get_variant_seed,
        x_range=config["data"]["x_range"],
        y_range=config["data"]["y_range"],
        draws=config["latent_reference"]["draws"],
        sweep=config["decoder_sweep"],
    script:
        "../scripts/analyse.py"


# Part (g): the frozen decoder's nearest-point bound beside the original and retrained encoder.
rule retrain_bound:
    input:
        samples=variant_data(),
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
