# The sheet's data: points uniform in the rectangle, training and held-out splits.


rule make_data:
    output:
        f"{RESULTS}/data/samples.csv",
    params:
        code=code("make_data.py"),
        data=ae.data_params(config),
    conda:
        TORCH_ENV
    log:
        f"{RESULTS}/logs/make_data.log",
    script:
        "../scripts/make_data.py"
