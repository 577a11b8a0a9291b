"""Digests of the package code a job script runs, so that editing the code reruns its jobs.

Snakemake tracks a rule's ``script:`` file by its mtime only (its ``code`` rerun trigger),
and not the modules it imports. Each rule therefore gets, as a param, the digest of its
script and of every ``aeflow`` module the script imports, followed transitively (imports
inside functions included). A change to one of those changes the param, and Snakemake
reruns exactly the jobs whose scripts use it; the profiles leave out the ``code`` trigger,
so a checkout or ``touch`` that changes mtimes alone reruns nothing.

The digest is of the parsed code (``ast.dump``), so edits to comments or formatting rerun
nothing. Standard library only: the Snakefile computes it at every start.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os
from pathlib import Path

PACKAGE = "aeflow"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/aeflow


def _module_file(name: str, package_dir: Path) -> Path | None:
    """The file of module ``name`` (``aeflow.x.y``) in ``package_dir``, or None."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    path = package_dir.joinpath(*parts[1:])
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py")
    return None


def _with_parents(name: str) -> list[str]:
    """``aeflow.a.b`` -> ``aeflow``, ``aeflow.a``, ``aeflow.a.b``: importing a module runs
    its parent packages' ``__init__`` too."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def imported_modules(source: str, module: str | None = None) -> set[str]:
    """Names of the ``aeflow`` modules (and candidate submodules) ``source`` imports.

    ``module``: the dotted name of ``source`` itself, for relative imports.
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level and module:
                anchor = module.split(".")[: -node.level]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # ``from aeflow.x import y``: y may be a submodule.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == PACKAGE}


def dependencies(script: str | os.PathLike[str], package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """Every file of the package that ``script`` imports, directly or transitively."""
    seen: dict[str, Path] = {}
    pending = sorted(imported_modules(Path(script).read_text()))
    while pending:
        name = pending.pop()
        for candidate in _with_parents(name):
            if candidate in seen:
                continue
            path = _module_file(candidate, package_dir)
            if path is None:
                continue  # a name imported from a module, not a module itself
            seen[candidate] = path
            pending += sorted(_imports_of(path, candidate) - seen.keys())
    return sorted(set(seen.values()))


@functools.cache
def _imports_of(path: Path, module: str) -> frozenset[str]:
    return frozenset(imported_modules(path.read_text(), module))


@functools.cache
def _file_digest(path: Path) -> str:
    return hashlib.sha256(ast.dump(ast.parse(path.read_text())).encode()).hexdigest()


def code_digest(script: str | os.PathLike[str], package_dir: Path = PACKAGE_DIR) -> str:
    """A short digest of the code ``script`` runs: the script itself and the names and code
    of the package modules it imports. Content only: a new mtime changes nothing."""
    digest = hashlib.sha256(f"script\0{_file_digest(Path(script).resolve())}\0".encode())
    for path in dependencies(script, package_dir):
        digest.update(
            f"{path.relative_to(package_dir).as_posix()}\0{_file_digest(path)}\0".encode()
        )
    return digest.hexdigest()[:16]
