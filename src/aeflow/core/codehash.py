"""Digests of the package code a job script runs, so that editing the code reruns its jobs.

Snakemake tracks a rule's ``script:`` file by its mtime only (its ``code`` rerun trigger),
and not the modules it imports. Each rule therefore gets, as a param, the digest of its
script and of every ``aeflow`` module the script imports, followed transitively (imports
inside functions included). A change to one of those changes the param, and Snakemake
reruns exactly the jobs whose scripts use it; the profiles leave out the ``code`` trigger,
so a checkout or ``touch`` that changes mtimes alone reruns nothing.

The digest is of the parsed code (``ast.dump``), so edits to comments or formatting rerun
nothing. Standard library only: the Snakefile computes it at every start. Parsing and
dumping every module is most of a dry run's time, so what each file's parse gives (its
digest and imports) may be kept in a cache file keyed by the file's exact bytes
(``DigestCache``): a file edited in any way is parsed again.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from pathlib import Path

from aeflow.core.atomic import write_text

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


def imported_modules(source: str | ast.Module, module: str | None = None) -> set[str]:
    """Names of the ``aeflow`` modules (and candidate submodules) ``source`` (code, or its
    parsed tree) imports.

    ``module``: the dotted name of ``source`` itself, for relative imports.
    """
    found: set[str] = set()
    tree = ast.parse(source) if isinstance(source, str) else source
    for node in ast.walk(tree):
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


class DigestCache:
    """What parsing a file gives, its code digest and the package modules it imports, keyed
    by the module's name and the SHA-256 of the file's bytes (content-addressed: an entry
    never goes stale). Kept in memory; with a ``path``, read from and written back to that
    JSON file (atomically: a reader sees one writer's whole cache). An unreadable cache
    file is ignored."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = None if path is None else Path(path)
        self.entries: dict[str, list] = {}
        self.added = False
        if self.path is not None and self.path.is_file():
            try:
                self.entries = dict(json.loads(self.path.read_text()))
            except (OSError, ValueError, TypeError):
                self.entries = {}

    def parsed(self, path: Path, module: str | None) -> tuple[str, frozenset[str]]:
        """(digest of the parsed code, imported package modules) of the file at ``path``,
        module ``module`` (None for a script)."""
        raw = path.read_bytes()
        key = f"{module or ''}:{hashlib.sha256(raw).hexdigest()}"
        if key not in self.entries:
            tree = ast.parse(raw)
            digest = hashlib.sha256(ast.dump(tree).encode()).hexdigest()
            self.entries[key] = [digest, sorted(imported_modules(tree, module))]
            self.added = True
        digest, imports = self.entries[key]
        return digest, frozenset(imports)

    def save(self) -> None:
        """Write the cache file if entries were added since it was read."""
        if self.path is None or not self.added:
            return
        try:
            write_text(self.path, json.dumps(self.entries))
        except OSError:  # a cache: a run that cannot write it (read-only, a race) goes on
            return
        self.added = False


def dependencies(
    script: str | os.PathLike[str],
    package_dir: Path = PACKAGE_DIR,
    cache: DigestCache | None = None,
) -> list[Path]:
    """Every file of the package that ``script`` imports, directly or transitively."""
    return sorted(set(_imported_files(Path(script), package_dir, cache or DigestCache()).values()))


def _imported_files(script: Path, package_dir: Path, cache: DigestCache) -> dict[str, Path]:
    """Module name -> file, of every package module ``script`` imports (transitively)."""
    seen: dict[str, Path] = {}
    pending = sorted(cache.parsed(script, None)[1])
    while pending:
        name = pending.pop()
        for candidate in _with_parents(name):
            if candidate in seen:
                continue
            path = _module_file(candidate, package_dir)
            if path is None:
                continue  # a name imported from a module, not a module itself
            seen[candidate] = path
            pending += sorted(cache.parsed(path, candidate)[1] - seen.keys())
    return seen


def code_digest(
    script: str | os.PathLike[str],
    package_dir: Path = PACKAGE_DIR,
    cache: DigestCache | None = None,
) -> str:
    """A short digest of the code ``script`` runs: the script itself and the names and code
    of the package modules it imports. Content only: a new mtime changes nothing.
    ``cache``: shared by the digests of one process (and, with a file, across processes)."""
    cache = cache or DigestCache()
    script = Path(script).resolve()
    digest = hashlib.sha256(f"script\0{cache.parsed(script, None)[0]}\0".encode())
    modules = _imported_files(script, package_dir, cache)
    for module, path in sorted(modules.items(), key=lambda item: item[1]):
        code = cache.parsed(path, module)[0]
        digest.update(f"{path.relative_to(package_dir).as_posix()}\0{code}\0".encode())
    cache.save()
    return digest.hexdigest()[:16]
