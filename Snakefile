# Sheet 6 "Autoencoders: theory and practice" as a Snakemake workflow.
# Usage: snakemake --cores 4        (settings: config.yaml; outputs: results/)

from snakemake.utils import min_version

min_version("9.0")


report: "workflow/report/workflow.rst"


# Reads and validates config.yaml (errors name the file and line, or the key).
include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/summary.smk"
include: "workflow/rules/playground.smk"
include: "workflow/rules/pilot.smk"  # copies of both parts' rules
include: "workflow/rules/sweeps.smk"


rule all:
    default_target: True
    input:
        # Apart: each part waits on its own seeds plan only; the sweeps on none.
        get_autoencoder_targets,
        get_playground_targets,
        sweep_targets(),


rule autoencoder:  # part 1 alone: snakemake --cores 4 autoencoder
    input:
        get_autoencoder_targets,


rule playground:  # part 2 (bonus) alone: snakemake --cores 4 playground
    input:
        get_playground_targets,


rule sweeps:  # the autoencoder sweeps alone: snakemake --cores 4 sweeps
    input:
        sweep_targets(),
