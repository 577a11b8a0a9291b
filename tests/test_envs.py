"""The conda environments pin the same versions as pyproject.toml."""

import re
import tomllib

import pytest
import yaml

from tests.conftest import REPO


def _pins(requirements) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^\s;]+)", requirement.strip())
        assert match, f"not an exact pin: {requirement!r}"
        pins[match.group(1).lower()] = match.group(2)
    return pins


PROJECT = _pins(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"])


@pytest.mark.parametrize("env", sorted((REPO / "envs").glob("*.yaml")), ids=lambda p: p.name)
def test_conda_env_pins_agree_with_pyproject(env):
    spec = yaml.safe_load(env.read_text())
    pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict))
    pins = _pins(pip)
    assert pins, "an environment without pinned packages"
    for name, version in pins.items():
        assert PROJECT.get(name) == version, f"{env.name}: {name}=={version} vs pyproject"


def test_every_rule_env_exists():
    rules = "".join(p.read_text() for p in (REPO / "workflow/rules").glob("*.smk"))
    for name in re.findall(r'"\.\./\.\./envs/(\w+\.yaml)"', rules):
        assert (REPO / "envs" / name).is_file()
