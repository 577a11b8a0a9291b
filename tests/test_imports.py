"""The Snakefile and figure/summary jobs stay import-light: no torch, no Lightning."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from aeflow.core.codehash import imported_modules

PACKAGE = Path(__file__).resolve().parents[1] / "src/aeflow"

TORCH_FREE = [
    "aeflow.workflow",
    "aeflow.core.config",
    "aeflow.core.codehash",
    "aeflow.core.figures",
    "aeflow.core.report",
    "aeflow.core.stats",
    "aeflow.autoencoder.runs",
    "aeflow.autoencoder.settings",
    "aeflow.autoencoder.pca",
    "aeflow.autoencoder.plots",
    "aeflow.autoencoder.plots_training",
    "aeflow.autoencoder.summary",
    "aeflow.autoencoder.findings",
    "aeflow.autoencoder.findings.common",
    "aeflow.autoencoder.findings.variants",
    "aeflow.autoencoder.findings.latent",
    "aeflow.autoencoder.findings.retrain",
    "aeflow.autoencoder.findings.optimizers",
    "aeflow.autoencoder.findings.capacity",
    "aeflow.autoencoder.findings.sheet",
    "aeflow.autoencoder.capacity",
    "aeflow.autoencoder.sweeps",
    "aeflow.core.claims",
    "aeflow.core.numbers",
    "aeflow.core.margins",
    "aeflow.core.sheet",
    "aeflow.playground.runs",
    "aeflow.playground.data",
    "aeflow.playground.summary",
    "aeflow.playground.findings",
    "aeflow.playground.link",
    "aeflow.playground.metrics",
    "aeflow.core.sweeps",
    "aeflow.playground.plots",
]


def _heavy_modules_loaded_by(modules: list[str]) -> list[str]:
    """Which of torch and Lightning a fresh interpreter has loaded after importing ``modules``."""
    code = (
        "import sys\n"
        + "".join(f"import {module}\n" for module in modules)
        + "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'pytorch_lightning'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout)


def test_torch_free_modules_import_neither_torch_nor_lightning():
    assert _heavy_modules_loaded_by(TORCH_FREE) == []


@pytest.mark.parametrize(
    ("part", "other"), [("autoencoder", "playground"), ("playground", "autoencoder")]
)
def test_the_two_parts_import_nothing_of_each_other(part, other):
    for path in sorted((PACKAGE / part).rglob("*.py")):  # subpackages (findings/) too
        module = "aeflow." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        imports = imported_modules(path.read_text(), module)
        assert not [m for m in imports if m.startswith(f"aeflow.{other}")], module


def test_core_imports_no_part():
    for path in sorted((PACKAGE / "core").glob("*.py")):
        imports = imported_modules(path.read_text(), f"aeflow.core.{path.stem}")
        assert all(m.startswith("aeflow.core") or m == "aeflow" for m in imports), path.name


def test_code_digests_follow_a_script_into_every_module_it_uses():
    from aeflow.core.codehash import dependencies

    script = PACKAGE.parents[1] / "workflow/scripts/train.py"
    used = {path.relative_to(PACKAGE).as_posix() for path in dependencies(script)}
    # Directly imported, imported inside functions, and parent packages.
    assert {"autoencoder/training.py", "autoencoder/lit.py", "core/trainer.py"} <= used
    assert {"__init__.py", "autoencoder/__init__.py", "core/atomic.py"} <= used
    assert not any(path.startswith("playground/") for path in used)


def test_the_digest_cache_file_spares_parsing_and_follows_every_edit(tmp_path):
    """A second process reads the first one's cache and parses nothing; an edit that keeps
    the file's size and modification time still changes the digest (keyed by bytes)."""
    import os
    import shutil

    from aeflow.core.codehash import DigestCache, code_digest

    package = tmp_path / "aeflow"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    script = PACKAGE.parents[1] / "workflow/scripts/plot_samples.py"
    cache_file = tmp_path / "cache/digests.json"
    first = code_digest(script, package, DigestCache(cache_file))
    assert cache_file.is_file()
    again = DigestCache(cache_file)
    assert code_digest(script, package, again) == first and not again.added
    assert first == code_digest(script, package)  # the same digest as without a cache
    figures = package / "core/figures.py"
    stat = figures.stat()
    text = figures.read_text()
    edited = text.replace("def ", "def _", 1)[: len(text)]
    assert len(edited) == len(text) and edited != text
    figures.write_text(edited)
    os.utime(figures, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert code_digest(script, package, DigestCache(cache_file)) != first
    cache_file.write_text("{not json")  # a broken cache is ignored, then rewritten
    assert code_digest(script, package, DigestCache(cache_file)) == code_digest(script, package)


LIGHT_SCRIPTS = sorted(
    path.name
    for path in (PACKAGE.parents[1] / "workflow/scripts").glob("*.py")
    if path.stem.startswith("plot_") or path.stem in {"summarise_playground", "summarise_sweeps"}
)


@pytest.mark.parametrize("script", LIGHT_SCRIPTS)
def test_figure_and_sweep_summary_jobs_load_neither_torch_nor_lightning(script):
    """Every module such a job's script reaches, run as the job would import it."""

    from aeflow.core.codehash import dependencies

    path = PACKAGE.parents[1] / "workflow/scripts" / script
    tree = ast.parse(path.read_text())
    own = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    own |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name.split(".")[0] for name in own} & {"torch", "pytorch_lightning"}, script
    modules = [
        "aeflow."
        + ".".join(dep.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
        for dep in dependencies(path)
    ]
    assert len(modules) > 1, f"{script} reaches no aeflow module"
    assert _heavy_modules_loaded_by(modules) == [], script
