"""The README and docs/ agree with the code: every config key of the schema is documented
once in docs/configuration.md (with the schema's default and enumerated values), the rule
table of docs/architecture.md lists exactly the workflow's rules with their files, scripts
and the functions those scripts import, its layout names every module of the package,
every relative link points to a file (and heading) that exists, and the README stays a
front page."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow/schemas/config.schema.yaml"
CONFIGURATION = REPO / "docs/configuration.md"
ARCHITECTURE = REPO / "docs/architecture.md"
SCRIPTS = REPO / "workflow/scripts"
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
README_MAX_LINES = 220
# The default column: required in its section, optional without a default, or `value`.
REQUIRED, NO_DEFAULT = "required", "—"


# --- the schema's key paths ------------------------------------------------------------


def _resolve(node: dict, schema: dict) -> dict:
    """``node`` with its ``$ref`` and ``allOf`` parts merged in (its own keys win)."""
    node = dict(node)
    while "$ref" in node:
        target = schema
        for part in node.pop("$ref").removeprefix("#/").split("/"):
            target = target[part]
        node = _merge(dict(target), node, schema)
    for part in node.pop("allOf", []):
        node = _merge(_resolve(part, schema), node, schema)
    return node


def _merge(base: dict, extra: dict, schema: dict) -> dict:
    merged = dict(base)
    for key, value in extra.items():
        if key == "properties":
            properties = dict(merged.get("properties", {}))
            for name, sub in value.items():
                properties[name] = (
                    _merge(_resolve(properties[name], schema), _resolve(sub, schema), schema)
                    if name in properties
                    else sub
                )
            merged["properties"] = properties
        elif key == "required":
            merged["required"] = sorted(set(merged.get("required", [])) | set(value))
        else:
            merged[key] = value
    return merged


def schema_keys(node: dict, schema: dict, prefix: str = "", required: bool = False) -> dict:
    """Every key path of ``node``: dotted property names, ``<name>`` for a name the user
    chooses (additionalProperties, patternProperties), ``[]`` for list items, oneOf/anyOf
    branches at the same path. Each path maps to (its resolved schema, required?)."""
    node = _resolve(node, schema)
    found = {prefix: (node, required)} if prefix else {}

    def below(segment: str) -> str:
        return f"{prefix}.{segment}" if prefix else segment

    for name, sub in node.get("properties", {}).items():
        found |= schema_keys(sub, schema, below(name), name in node.get("required", []))
    named = list(node.get("patternProperties", {}).values())
    if isinstance(node.get("additionalProperties"), dict):
        named.append(node["additionalProperties"])
    for sub in named:
        found |= schema_keys(sub, schema, below("<name>"))
    if isinstance(node.get("items"), dict):
        found |= {
            path: value
            for path, value in schema_keys(node["items"], schema, f"{prefix}[]").items()
            if path != f"{prefix}[]"
        }
    for branch in node.get("oneOf", []) + node.get("anyOf", []):
        found |= {
            path: value
            for path, value in schema_keys(branch, schema, prefix).items()
            if path != prefix
        }
    return found


@pytest.fixture(scope="module")
def schema_paths() -> dict:
    schema = yaml.safe_load(SCHEMA.read_text())
    return schema_keys(schema, schema)


# --- the pages' tables -----------------------------------------------------------------


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def tables(path: Path, first_header: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every body row of the tables whose header starts with
    ``first_header``."""
    rows, inside = [], False
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.startswith("|"):
            inside = False
        elif not inside and _cells(line)[:1] == [first_header]:
            inside = True
        elif inside and not re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", line.strip()):
            rows.append((number, _cells(line)))
    return rows


def _code(cell: str) -> str | None:
    """The text of a cell that is exactly one code span."""
    match = re.fullmatch(r"`([^`]+)`", cell)
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def documented() -> dict[str, list[tuple[int, list[str]]]]:
    """Key path -> its rows in docs/configuration.md (line number, cells)."""
    rows = tables(CONFIGURATION, "key")
    assert rows, f"{CONFIGURATION.name} has no table whose header starts with 'key'"
    keys: dict[str, list[tuple[int, list[str]]]] = {}
    for number, cells in rows:
        key = _code(cells[0])
        assert key, f"{CONFIGURATION.name}:{number}: the key cell is not one `key.path`"
        keys.setdefault(key, []).append((number, cells))
    return keys


# --- configuration reference -----------------------------------------------------------


def test_every_schema_key_is_documented(schema_paths, documented):
    missing = sorted(set(schema_paths) - set(documented))
    assert not missing, f"in the schema but not in docs/configuration.md: {missing}"


def test_every_documented_key_is_in_the_schema(schema_paths, documented):
    unknown = sorted(set(documented) - set(schema_paths))
    assert not unknown, f"in docs/configuration.md but not in the schema: {unknown}"


def test_each_key_is_documented_once(documented):
    twice = {key: [n for n, _ in rows] for key, rows in documented.items() if len(rows) > 1}
    assert not twice, f"documented more than once (key: lines): {twice}"


def test_documented_defaults_are_the_schemas(schema_paths, documented):
    wrong = []
    for key, [(number, cells), *_] in documented.items():
        if key not in schema_paths:
            continue  # reported by test_every_documented_key_is_in_the_schema
        node, required = schema_paths[key]
        cell = cells[1]
        if "default" in node:
            value = _code(cell)
            ok = value is not None and yaml.safe_load(value) == node["default"]
            expected = f"`{node['default']!r}`"
        else:
            expected = REQUIRED if required else NO_DEFAULT
            ok = cell == expected
        if not ok:
            wrong.append(f"line {number}: {key}: {cell!r}, the schema says {expected}")
    assert not wrong, "defaults in docs/configuration.md:\n" + "\n".join(wrong)


def test_enumerated_values_are_all_named(schema_paths, documented):
    unnamed = [
        f"{key}: {value}"
        for key, [(_, cells), *_] in documented.items()
        for value in schema_paths.get(key, ({}, False))[0].get("enum", [])
        if f"`{value}`" not in cells[2]
    ]
    assert not unnamed, f"enum values missing from the 'allowed' column: {unnamed}"


# --- the rule table ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow_rules() -> list[str]:
    snakemake = Path(sys.executable).with_name("snakemake")
    result = subprocess.run(
        [str(snakemake), "--list-rules"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rules = [line for line in result.stdout.split() if re.fullmatch(r"\w+", line)]
    assert rules, result.stdout
    return rules


@pytest.fixture(scope="module")
def rule_table() -> dict[str, list[str]]:
    """Rule -> its row of docs/architecture.md (rule, defined in, script, functions)."""
    table: dict[str, list[str]] = {}
    for number, cells in tables(ARCHITECTURE, "rule"):
        rule = _code(cells[0])
        assert rule, f"{ARCHITECTURE.name}:{number}: the rule cell is not one `rule`"
        assert rule not in table, f"{ARCHITECTURE.name}:{number}: {rule} listed twice"
        assert len(cells) == 4, f"{ARCHITECTURE.name}:{number}: expected 4 columns"
        table[rule] = cells
    return table


def _rules_in_files() -> dict[str, tuple[str, str | None]]:
    """Rule -> (the file that defines it, its script or None), read from the sources."""
    found = {}
    for path in [REPO / "Snakefile", *sorted((REPO / "workflow/rules").glob("*.smk"))]:
        for block in re.split(r"^(?=rule \w+:)", path.read_text(), flags=re.MULTILINE)[1:]:
            rule = re.match(r"rule (\w+):", block).group(1)
            script = re.search(r'^\s+script:\s*\n\s+"[^"]*scripts/([\w.]+)"', block, re.M)
            found[rule] = (path.name, script.group(1) if script else None)
    return found


def test_rule_table_lists_every_rule_of_the_workflow(workflow_rules, rule_table):
    missing = sorted(set(workflow_rules) - set(rule_table))
    extra = sorted(set(rule_table) - set(workflow_rules))
    assert not missing and not extra, (
        f"rules missing from the table in docs/architecture.md: {missing}; "
        f"rules in the table that the workflow lacks: {extra}"
    )


def test_rule_table_names_each_rules_file_and_script(rule_table):
    sources = _rules_in_files()
    wrong = []
    for rule, cells in rule_table.items():
        if rule not in sources:
            continue  # reported by test_rule_table_lists_every_rule_of_the_workflow
        file, script = sources[rule]
        if _code(cells[1]) != file:
            wrong.append(f"{rule}: defined in {file}, the table says {cells[1]}")
        if (_code(cells[2]) if script else cells[2]) != (script or "none"):
            wrong.append(f"{rule}: script {script or 'none'}, the table says {cells[2]}")
    assert not wrong, "\n".join(wrong)


def test_scripts_in_the_table_exist_and_every_script_is_in_it(rule_table):
    named = {_code(cells[2]) for cells in rule_table.values() if cells[2] != "none"}
    on_disk = {path.name for path in SCRIPTS.glob("*.py")}
    assert None not in named, "a script cell is neither `name.py` nor none"
    absent, unlisted = sorted(named - on_disk), sorted(on_disk - named)
    assert not absent, f"scripts in the table but not in workflow/scripts: {absent}"
    assert not unlisted, f"scripts in workflow/scripts but not in the table: {unlisted}"


def _imported_names(script: Path) -> set[str]:
    """'module.name' (without the 'aeflow.' prefix) of every ``from aeflow... import``."""
    return {
        f"{node.module.removeprefix('aeflow.')}.{alias.name}"
        for node in ast.walk(ast.parse(script.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aeflow.")
        for alias in node.names
    }


def test_functions_in_the_table_are_what_each_script_imports(rule_table):
    wrong = []
    for rule, (_, _, script_cell, functions) in rule_table.items():
        script = _code(script_cell)
        if script is None or not (SCRIPTS / script).exists():
            continue  # a rule without a script, or reported above
        named = set(re.findall(r"`([a-z_]+(?:\.\w+)+)`", functions))
        if not named:
            wrong.append(f"{rule}: no package function named")
        for name in sorted(named - _imported_names(SCRIPTS / script)):
            wrong.append(f"{rule}: {script} does not import aeflow.{name}")
    assert not wrong, "\n".join(wrong)


# --- links and length -------------------------------------------------------------------


def _anchors(page: Path) -> set[str]:
    """GitHub's anchors of the headings of ``page``."""
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.MULTILINE | re.DOTALL)
    headings = re.findall(r"^#+\s+(.+?)\s*$", text, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def _links(page: Path) -> list[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.MULTILINE | re.DOTALL)
    return re.findall(r"\]\(([^)\s]+)\)", text)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_point_to_existing_files(page):
    broken = []
    for link in _links(page):
        if re.match(r"[a-z]+:", link):
            continue  # http:, https:, mailto:
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(f"{link}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{link}: no heading #{anchor} in {path.name}")
    assert not broken, f"{page.relative_to(REPO)}: " + "; ".join(broken)


def test_readme_is_a_front_page():
    lines = len((REPO / "README.md").read_text().splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; at most {README_MAX_LINES}"


def _layout_modules(part: str) -> set[str]:
    """The modules docs/architecture.md's layout names for ``src/aeflow/{part}/``: the
    comma-separated names after the first colon, parenthesised remarks left out."""
    lines = ARCHITECTURE.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"src/aeflow/{part}/"))
    block = [lines[start].removeprefix(f"src/aeflow/{part}/")]
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        block.append(line)
    text = re.sub(r"\([^()]*\)", "", " ".join(block)).split(":", 1)[1]
    return {name.strip() for name in text.split(",") if name.strip()}


@pytest.mark.parametrize("part", ["core", "autoencoder", "playground"])
def test_the_layout_names_every_module_of_the_package(part):
    folder = REPO / "src/aeflow" / part
    on_disk = {p.stem for p in folder.glob("*.py")} - {"__init__"}
    on_disk |= {p.parent.name for p in folder.glob("*/__init__.py")}  # subpackages
    named = _layout_modules(part)
    assert named == on_disk, (
        f"docs/architecture.md, src/aeflow/{part}/: not named {sorted(on_disk - named)}; "
        f"no such module {sorted(named - on_disk)}"
    )
