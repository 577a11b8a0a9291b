"""The conda environments pin the same versions as pyproject.toml and install aeflow itself.

Snakemake removes PYTHONPATH from conda jobs, so a job run with ``--sdm conda`` imports
aeflow only if its env installs it: each env file's pip section names the checkout
(``-e ..``, a path relative to the env file, where conda runs pip).
"""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

ENVS = sorted((REPO / "envs").glob("*.yaml"))
PIN = re.compile(r"([A-Za-z0-9_.-]+)==([^\s;]+)")
# A local path in a pip section (aeflow itself): `-e ..`, `..`, `-e ../`, `./x`, with
# extras: `-e ..[train]`.
LOCAL_PATH = re.compile(r"(?:(?:-e|--editable)\s+)?(\.\.?(?:/[^\s\[]*)?)(\[[\w,]+\])?")


def _pins(requirements) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        match = PIN.fullmatch(requirement.strip())
        assert match, f"not an exact pin: {requirement!r}"
        pins[match.group(1).lower()] = match.group(2)
    return pins


_PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
PROJECT = _pins(_PYPROJECT["dependencies"] + _PYPROJECT["optional-dependencies"]["train"])


def _pip_section(env: Path) -> tuple[list[str], list[str]]:
    """The env file's pip requirements: (exact pins, lines that install a local path)."""
    spec = yaml.safe_load(env.read_text())
    sections = [d["pip"] for d in spec["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, f"{env.name}: {len(sections)} pip sections, not one"
    pins, paths = [], []
    for requirement in map(str.strip, map(str, sections[0])):
        (paths if LOCAL_PATH.fullmatch(requirement) else pins).append(requirement)
    return pins, paths


def test_there_are_env_files():
    assert ENVS, "no envs/*.yaml: the tests over each env would pass vacuously"
    assert PROJECT, "no pinned dependencies in pyproject.toml"


@pytest.mark.parametrize("env", ENVS, ids=lambda p: p.name)
def test_conda_env_pins_agree_with_pyproject(env):
    pins = _pins(_pip_section(env)[0])
    assert pins, "an environment without pinned packages"
    for name, version in pins.items():
        assert PROJECT.get(name) == version, f"{env.name}: {name}=={version} vs pyproject"


@pytest.mark.parametrize("env", ENVS, ids=lambda p: p.name)
def test_conda_env_installs_aeflow_from_the_checkout(env):
    """Conda runs pip in the env file's folder: the path must resolve to the checkout."""
    _, paths = _pip_section(env)
    assert len(paths) == 1, f"{env.name}: pip installs {paths}, not aeflow's checkout once"
    path = LOCAL_PATH.fullmatch(paths[0]).group(1)
    assert (env.parent / path).resolve() == REPO, f"{env.name}: {path} is not the checkout"


def test_only_the_training_env_brings_torch():
    """torch and Lightning are aeflow's `train` extra: the figure and summary env (no job of
    it imports them) installs aeflow without it; the training env with it."""
    assert {"torch", "pytorch-lightning"}.isdisjoint(_pins(_PYPROJECT["dependencies"]))
    for env, extra in (("plot.yaml", None), ("torch.yaml", "[train]")):
        pins, paths = _pip_section(REPO / "envs" / env)
        assert LOCAL_PATH.fullmatch(paths[0]).group(2) == extra, env
        assert ("torch" in _pins(pins)) == (extra is not None), env


@pytest.fixture(scope="module")
def bare_venv(tmp_path_factory) -> Path:
    """A fresh venv (pip, no aeflow) to install each env file's aeflow line into."""
    venv = tmp_path_factory.mktemp("env") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    return venv


@pytest.mark.parametrize("env", ENVS, ids=lambda p: p.name)
def test_aeflow_imports_from_the_env_without_pythonpath(env, bare_venv, tmp_path):
    """The env file's aeflow line, installed as conda would (pip -r in the env file's folder,
    without dependencies: cheap), makes aeflow importable with no PYTHONPATH, from src/."""
    _, paths = _pip_section(env)
    assert paths, f"{env.name}: installs no local path"
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("\n".join(paths) + "\n")
    python = bare_venv / "bin/python"
    pip = [str(python), "-m", "pip", "--quiet", "--disable-pip-version-check"]
    host = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    subprocess.run([*pip, "uninstall", "--yes", "aeflow"], check=True, env=host)
    # pip builds it with pyproject.toml's build backend (setuptools, from the package index).
    install = [*pip, "install", "--no-deps", "-r", str(requirements)]
    subprocess.run(install, check=True, cwd=env.parent, env=host)
    find = "import importlib.util; print(importlib.util.find_spec('aeflow').origin)"
    origin = subprocess.run(
        [str(python), "-c", find],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout.strip()
    assert Path(origin).resolve() == REPO / "src/aeflow/__init__.py"


def test_every_rule_env_exists():
    rules = "".join(p.read_text() for p in sorted((REPO / "workflow/rules").glob("*.smk")))
    named = re.findall(r'"\.\./\.\./envs/(\w+\.yaml)"', rules)
    assert named, "no ../../envs/*.yaml in workflow/rules: the check would be vacuous"
    for name in named:
        assert (REPO / "envs" / name).is_file(), name
    # Each conda: directive names one of those paths, directly or through its constant.
    constants = dict(re.findall(r'^(\w+) = "\.\./\.\./envs/(\w+\.yaml)"', rules, re.MULTILINE))
    used = re.findall(r"^\s+conda:\s*\n\s+(\S+)", rules, re.MULTILINE)
    assert used, "no conda: directive in workflow/rules: the check would be vacuous"
    for value in used:
        path = constants.get(value) or re.fullmatch(r'"\.\./\.\./envs/(\w+\.yaml)"', value)
        assert path, f"conda: {value} names no file of envs/"
