# The sheet's data: points uniform in the rectangle, training and held-out splits.


# One job per block of samples (aeflow.autoencoder.draws): a run's new replicas add blocks
# and leave the drawn ones, and whatever reads them, as they are.
rule make_data:
    output:
        f"{RESULTS}/data/samples/{{block}}.csv",
    log:
        f"{RESULTS}/logs/make_data/{{block}}.log",
    conda:
        TORCH_ENV
    params:
        code=code("make_data.py"),
        data=get_data_params,
    script:
        "../scripts/make_data.py"
