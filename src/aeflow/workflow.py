"""The whole configuration checked at once: the schema, then each part's own checks.

The Snakefile calls ``validate_config`` before any job runs. Imports neither torch nor Lightning.
"""

from __future__ import annotations

import os

from aeflow.autoencoder import runs as autoencoder_runs
from aeflow.autoencoder import sweeps as autoencoder_sweeps
from aeflow.core.config import (
    Config,
    ConfigError,
    apply_defaults,
    coerce_numbers,
    load_schema,
    nonfinite_numbers,
    schema_errors,
)
from aeflow.playground import runs as playground_runs


def validate_config(config: Config, schema_path: str | os.PathLike[str]) -> None:
    """Raise ConfigError listing every problem; return quietly when the config is valid.

    Numbers written as YAML 1.1 strings (``1e-5``) become numbers in ``config``, and the
    schema's defaults are filled in, once, here: the rest of the code reads plain keys.
    """
    schema = load_schema(schema_path)
    coerce_numbers(config, schema)
    messages = nonfinite_numbers(config) or schema_errors(config, schema)
    if not messages:
        apply_defaults(config, schema)
        messages = autoencoder_runs.config_errors(config)
        if not messages:  # sweeps build on valid variants
            messages = autoencoder_sweeps.config_errors(config, schema)
        messages += playground_runs.config_errors(config, schema)
    if messages:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(messages))
