# Measured numbers: one row per trained model (and seed), the summary and its observations.


rule summarise:
    input:
        samples=rules.make_data.output[0],
        checkpoints=summary_checkpoints(),
        losses=summary_losses(),
        curves=summary_curves(),
        shift=f"{RESULTS}/retrain/{config['retrain']['variant']}/latent_shift.csv",
        codes=expand(f"{RESULTS}/latent_codes/{{variant}}.csv", variant=VARIANTS),
        bounds=expand(f"{RESULTS}/bounds/{{variant}}.csv", variant=VARIANTS),
        retrain_bounds=f"{RESULTS}/retrain/{config['retrain']['variant']}/bounds.csv",
    output:
        table=f"{RESULTS}/summary.csv",
        per_seed=f"{RESULTS}/summary_per_seed.csv",
        markdown=f"{RESULTS}/summary.md",
        html=report(
            f"{RESULTS}/summary.html",
            caption="../report/summary.rst",
            category="0 Summary",
            labels={"item": "numbers and observations"},
        ),
    log:
        f"{RESULTS}/logs/summarise.log",
    conda:
        TORCH_ENV
    params:
        code=code("summarise.py"),
        numerics=config["numerics"],
        models=summary_models(),
        variants=VARIANTS,
    script:
        "../scripts/summarise.py"
