"""aeflow: the autoencoder exercise of sheet 6 as a reproducible Snakemake workflow.

Modules are kept import-light on purpose: ``config``, ``plots`` and ``summary`` never
import torch, so figure and report jobs start in well under a second.
"""

__version__ = "0.1.0"
