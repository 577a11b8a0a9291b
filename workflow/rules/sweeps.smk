# Sweeps over the autoencoders' settings (top-level `sweeps:`): trials of one architecture
# and schedule are trained together, one job per chunk of at most sweep_trials_per_chunk
# trials. Params that grow with the trials are digested (aeflow.core.params).


rule sweep_train:
    input:
        samples=get_sweep_chunk_data,
    output:
        curves=f"{RESULTS}/sweeps/chunks/{{chunk}}/curves.csv",
        metrics=f"{RESULTS}/sweeps/chunks/{{chunk}}/metrics.csv",
        model=f"{RESULTS}/sweeps/chunks/{{chunk}}/model.ckpt",
    log:
        f"{RESULTS}/logs/sweeps/{{chunk}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/sweep_train/{{chunk}}.tsv"
    conda:
        TORCH_ENV
    threads: 1
    resources:
        gpu=get_sweep_chunk_gpu,
        runtime=runtime(get_sweep_chunk_work),
        mem_mb=mem_mb(get_sweep_chunk_work),
    params:
        code=code("sweep_train.py"),
        state=f"{RESULTS}/state/sweep_train/{{chunk}}",
        numerics=NUMERICS,
        trials=get_sweep_chunk_trials,
    script:
        "../scripts/sweep_train.py"


rule summarise_sweeps:
    input:
        metrics=expand(rules.sweep_train.output.metrics, chunk=AE_CHUNKS),
    output:
        trials=[f"{RESULTS}/sweeps/{sweep}/trials.csv" for sweep in AE_SWEEPS],
        table=f"{RESULTS}/sweeps/summary.csv",
        markdown=f"{RESULTS}/sweeps/summary.md",
        html=report(
            f"{RESULTS}/sweeps/summary.html",
            caption="../report/sweeps_summary.rst",
            category="7 Sweeps",
            labels={"item": "best trials and observations"},
        ),
    log:
        f"{RESULTS}/logs/summarise_sweeps.log",
    conda:
        PLOT_ENV
    params:
        code=code("summarise_sweeps.py"),
        points=digested(
            {sweep: ae_sweeps.sweep_trials(config, sweep) for sweep in AE_SWEEPS}, "sweep points"
        ),
        variants={sweep: spec["variant"] for sweep, spec in ae_sweeps.sweeps(config).items()},
    script:
        "../scripts/summarise_sweeps.py"


rule plot_sweep:
    input:
        f"{RESULTS}/sweeps/{{sweep}}/trials.csv",
    output:
        report(
            figure("sweep_{sweep}"),
            caption="../report/sweep.rst",
            category="7 Sweeps",
        ),
    log:
        f"{RESULTS}/logs/plot_sweep_{{sweep}}.log",
    conda:
        PLOT_ENV
    params:
        code=code("plot_sweep.py"),
        form=get_sweep_form,
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_sweep.py"
