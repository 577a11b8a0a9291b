# Measured numbers: one row per trained model (and seed), the summary and its observations.


rule summarise:
    input:
        samples=rules.make_data.output[0],
        checkpoints=summary_checkpoints(),
        losses=summary_losses(),
        curves=summary_curves(),
        shift=f"{RESULTS}/retrain/{config['retrain']['variant']}/latent_shift.csv",
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
    script:
        "../scripts/summarise.py"
