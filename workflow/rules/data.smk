# The sheet's data: points uniform in the rectangle, training and held-out splits.


rule make_data:
    output:
        f"{RESULTS}/data/samples.csv",
    log:
        f"{RESULTS}/logs/make_data.log",
    conda:
        TORCH_ENV
    params:
        code=code("make_data.py"),
        data=draws.data_params(config),
    script:
        "../scripts/make_data.py"
