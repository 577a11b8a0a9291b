# Measured numbers: one row per trained model, then the summary and its observations.


rule evaluate:
    input:
        unpack(evaluation_inputs),
    output:
        f"{RESULTS}/metrics/{{stage}}/{{name}}.csv",
    params:
        training=lambda w: cfg.training_params(config, w.name),
        role=lambda w: "retrained" if w.stage == "retrained" else cfg.run_role(config, w.name),
        label=lambda w: (
            f"{w.name}, encoder retrained" if w.stage == "retrained" else cfg.run_label(config, w.name)
        ),
    wildcard_constraints:
        stage="trained|retrained",
        name=f"{NAME}(-{NAME})?",
    conda:
        TORCH_ENV
    log:
        f"{RESULTS}/logs/evaluate/{{stage}}/{{name}}.log",
    script:
        "../scripts/evaluate.py"


rule summarise:
    input:
        expand(f"{RESULTS}/metrics/trained/{{run}}.csv", run=RUNS),
        f"{RESULTS}/metrics/retrained/{config['retrain']['variant']}.csv",
    output:
        table=f"{RESULTS}/summary.csv",
        markdown=f"{RESULTS}/summary.md",
        html=report(
            f"{RESULTS}/summary.html",
            caption="../report/summary.rst",
            category="0 Summary",
            labels={"item": "numbers and observations"},
        ),
    conda:
        PLOT_ENV
    log:
        f"{RESULTS}/logs/summarise.log",
    script:
        "../scripts/summarise.py"
