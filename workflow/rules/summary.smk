# Measured numbers: one row per trained model and seed (evaluate, torch), then the claims
# and pages computed from them (summarise, pandas only: a changed margin reruns only it).


rule evaluate:
    input:
        samples=all_data(),
        checkpoints=summary_checkpoints(),
        losses=summary_losses(),
        curves=summary_curves(),
        shift=f"{RESULTS}/retrain/{config['retrain']['variant']}/latent_shift.csv",
        codes=expand(f"{RESULTS}/latent_codes/{{variant}}.csv", variant=VARIANTS),
        initial=expand(f"{RESULTS}/latent_init/{{variant}}.csv", variant=VARIANTS),
        bounds=expand(f"{RESULTS}/bounds/{{variant}}.csv", variant=VARIANTS),
        retrain_bounds=f"{RESULTS}/retrain/{config['retrain']['variant']}/bounds.csv",
    output:
        table=f"{RESULTS}/summary.csv",
        per_seed=f"{RESULTS}/summary_per_seed.csv",
    log:
        f"{RESULTS}/logs/evaluate.log",
    conda:
        TORCH_ENV
    params:
        code=code("evaluate.py"),
        numerics=NUMERICS,
        models=summary_models(),
        variants=VARIANTS,
    script:
        "../scripts/evaluate.py"


rule summarise:
    input:
        samples=all_data(),
        table=rules.evaluate.output.table,
        per_seed=rules.evaluate.output.per_seed,
        figures=summary_figures(),
    output:
        claims=f"{RESULTS}/claims.csv",
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
        PLOT_ENV
    params:
        code=code("summarise.py"),
        margins=get_margins(),
        design=get_design(),
    script:
        "../scripts/summarise.py"
