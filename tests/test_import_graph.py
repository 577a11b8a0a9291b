"""The package's import graph has no cycle, deferred imports inside functions included:
every module reads as built on the ones it imports (read from the source with ast)."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def _module(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in (SRC / "aeflow").rglob("*.py")}


def _imports(name: str) -> set[str]:
    """aeflow modules ``name`` imports anywhere in its source (functions too). A name
    imported from a package is the submodule where one exists, else the package."""
    found = set()
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(MODULES[name].read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("aeflow")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package upwards
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if not base.startswith("aeflow"):
                continue
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _cycle() -> list[str] | None:
    """One import cycle (as a path of modules), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[name] = 2
        path.pop()
        return None

    for name in sorted(GRAPH):
        if name not in state and (found := visit(name)):
            return found
    return None


def test_the_graph_is_read_from_the_source():
    # The walk sees deferred imports: findings' __init__ imports its modules inside a function.
    assert "aeflow.autoencoder.findings.capacity" in GRAPH["aeflow.autoencoder.findings"]
    assert "aeflow.core.claims" in GRAPH["aeflow.autoencoder.findings.variants"]


def test_no_module_imports_itself_through_others():
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_a_cycle_would_be_found(monkeypatch):
    monkeypatch.setitem(GRAPH, "aeflow.core.numbers", {"aeflow.core.claims"})
    assert _cycle() is not None


@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_module_stays_small(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= 450, f"{name}: {lines} lines (split it by what it does)"
