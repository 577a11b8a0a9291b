"""aeflow: the autoencoder exercise of sheet 6 as a reproducible Snakemake workflow.

Modules are kept import-light on purpose: ``config``, ``plots``, ``summary`` and the
playground's ``settings``, ``datasets``, ``runs``, ``summary`` and ``plots`` never import
torch, so figure jobs and the Snakefile start in well under a second.
"""

__version__ = "0.1.0"
