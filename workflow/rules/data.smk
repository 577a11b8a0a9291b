rule make_data:
    output:
        f"{RESULTS}/data/samples.csv",
    params:
        code=code("make_data.py"),
        data=cfg.data_params(config),
    conda:
        TORCH_ENV
    log:
        f"{RESULTS}/logs/make_data.log",
    script:
        "../scripts/make_data.py"


rule plot_samples:
    input:
        rules.make_data.output,
    output:
        report(
            figure("samples"),
            caption="../report/samples.rst",
            category="1 Data",
        ),
    params:
        code=code("plot_samples.py"),
        dpi=config["figures"].get("dpi", 120),
    conda:
        PLOT_ENV
    log:
        f"{RESULTS}/logs/plot_samples.log",
    script:
        "../scripts/plot_samples.py"
