"""The whole configuration checked at once: the schema, then each part's own checks.

``validate_config`` coerces numbers written as strings, checks the config against
workflow/schemas/config.schema.yaml, fills in the schema's defaults and runs the checks of
the autoencoder part (variants, sweeps) and of the playground part; it raises one
``ConfigError`` listing every problem. ``workflow/rules/common.smk`` (included by the
Snakefile) calls it before any job runs. ``main`` is the ``aeflow-check-config`` command,
which does the same for config.yaml with ``--configfile`` files laid over it.
``shown_replicas`` is caption text (which replica a figure shows) that figure rules pass
to their scripts: the rules files build no prose themselves.
Imports neither torch nor Lightning.
"""

from __future__ import annotations

import os

from aeflow import stages
from aeflow.autoencoder import capacity
from aeflow.autoencoder import runs as autoencoder_runs
from aeflow.autoencoder import sweeps as autoencoder_sweeps
from aeflow.core import twostage
from aeflow.core.config import (
    Config,
    ConfigError,
    apply_defaults,
    coerce_numbers,
    load_schema,
    nonfinite_numbers,
    schema_errors,
)
from aeflow.playground import runs as pg  # as in common.smk


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
        if not messages:  # sweeps and the capacity runs build on valid variants
            messages = autoencoder_sweeps.config_errors(config, schema)
            messages += capacity.config_errors(config)
            messages += stages.config_errors(config)
        messages += pg.config_errors(config, schema)
        messages += twostage.config_errors(config)
    if messages:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(messages))


def shown_replicas(config: Config, variants: list[str]) -> list[str]:
    """Per variant, which replica its latent map and decoder sweep show, e.g. 'seed 0,
    first of 5 replicas' (they show one network, not a mean over seeds)."""
    return [
        f"seed {t['seed']}" + (f", first of {t['seeds']} replicas" if t["seeds"] > 1 else "")
        for t in (autoencoder_runs.training_params(config, variant) for variant in variants)
    ]


def _merged(base: Config, override: Config) -> Config:
    """``override`` laid over ``base`` key by key at every depth, as Snakemake lays a
    ``--configfile`` over config.yaml."""
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merged(base[key], value)
        else:
            base[key] = value
    return base


def main(argv: list[str] | None = None) -> int:
    """``aeflow-check-config [FILE ...]``: check config.yaml with each FILE laid over it, as
    ``snakemake --configfile FILE`` would read them, naming the line of a YAML syntax error
    in FILE too (Snakemake reads a --configfile before the workflow can check it)."""
    import argparse
    import sys
    from pathlib import Path

    import yaml

    from aeflow.core.config import check_yaml_syntax

    parser = argparse.ArgumentParser(prog="aeflow-check-config", description=main.__doc__)
    parser.add_argument("files", nargs="*", help="config files given with --configfile")
    parser.add_argument("--base", default="config.yaml", help="the workflow's config.yaml")
    parser.add_argument(
        "--schema", default="workflow/schemas/config.schema.yaml", help="the JSON schema"
    )
    args = parser.parse_args(argv)
    try:
        config: Config = {}
        for path in [args.base, *args.files]:
            check_yaml_syntax(path)
            _merged(config, yaml.safe_load(Path(path).read_text()) or {})
        validate_config(config, args.schema)
    except (ConfigError, OSError) as error:
        print(error, file=sys.stderr)
        return 1
    print(f"valid: {' + '.join([args.base, *args.files])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
