"""The package's layers (docs/architecture.md), checked on the source: every import of every
module, at module level or inside a function, parsed with `ast` (nothing is imported).

A *unit* is a top-level module (`twitchtopics/pipeline.py` -> `pipeline`) or a subpackage
(`twitchtopics/report/window.py` -> `report`). `LAYERS` lists the units from the bottom up; a
unit may import units of its own layer or of layers below it, never above. The package-level
import graph has no cycle (within a layer either), and no module imports the package root
`twitchtopics/__init__.py` (the version is in `twitchtopics._version`); `from twitchtopics
import registry` names the submodule `registry`, not the root.

The layers, lowest first:

0. foundations: errors, timefmt, safe_output, options, extras, progress, memory, `_version`,
   `windows`
   (`--window` values and the stream's clock), `bundle_safety`;
1. `chat/`; 2. `readers/`; 3. `embed/`, `cache/`; 4. `clustering/`; 5. `describe/`;
6. bundles: `bundle`, `vectors` (search arrays and centroids), `centroids`, `bundle_view`
   (what moments and reports both read from a bundle);
7-11. orchestration, in this order: `registry`, `components`, `pipeline` (the steps),
   `topics_model` (`ChatTopics`), `runs` (`cluster_log`: a file in, a bundle out) and
   `workers` (the process pool that runs many logs);
12-13. results (read bundles): `moments/`, then `report/` (which lists moments), `season/` and
   `train/`;
14. `cli/`, `__main__` and the package root (the lazy public API).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = "twitchtopics"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE
INIT = "__init__"  # the unit of twitchtopics/__init__.py

LAYERS: list[set[str]] = [
    {
        "errors",
        "timefmt",
        "safe_output",
        "options",
        "extras",
        "progress",
        "memory",
        "_version",
        "windows",
        "bundle_safety",
    },
    {"chat"},
    {"readers"},
    {"embed", "cache"},
    {"clustering"},
    {"describe"},
    {"bundle", "vectors", "centroids", "bundle_view"},
    {"registry"},
    {"components"},
    {"pipeline"},
    {"topics_model"},
    {"runs", "workers"},
    {"moments"},
    {"report", "season", "train"},
    {"cli", "__main__", INIT},
]
LAYER_OF = {unit: i for i, units in enumerate(LAYERS) for unit in units}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    base = ROOT.parent.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _unit(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else INIT


def _imports(path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every import of the package in one file."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from pkg import sub` imports the submodule `pkg.sub`, not just `pkg`
            subs = [f"{module}.{a.name}" for a in node.names if _is_module(f"{module}.{a.name}")]
            if subs and len(subs) == len(node.names):
                found += [(sub, node.lineno) for sub in subs]
            else:
                found.append((module, node.lineno))
    return [(m, line) for m, line in found if m == PACKAGE or m.startswith(PACKAGE + ".")]


def _edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        source = _module_name(path)
        for target, line in _imports(path):
            a, b = _unit(source), _unit(target)
            if a != b:
                edges.setdefault((a, b), []).append(f"{source}:{line} imports {target}")
    return edges


def test_every_unit_has_a_layer():
    units = {_unit(_module_name(p)) for p in ROOT.rglob("*.py")}
    assert units - set(LAYER_OF) == set(), "add the new module or subpackage to LAYERS"


def test_no_module_imports_the_package_root():
    offenders = [
        f"{_module_name(path)}:{line}"
        for path in sorted(ROOT.rglob("*.py"))
        if path != ROOT / "__init__.py"
        for target, line in _imports(path)
        if target == PACKAGE
    ]
    assert offenders == []


def test_no_import_from_a_lower_layer_to_a_higher_one():
    upward = [
        where
        for (a, b), wheres in sorted(_edges().items())
        if LAYER_OF.get(a, -1) < LAYER_OF.get(b, -1)
        for where in wheres
    ]
    assert upward == []


def test_no_cycle_between_units():
    graph: dict[str, set[str]] = {}
    for a, b in _edges():
        graph.setdefault(a, set()).add(b)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt) :] + [node, nxt] if nxt in path else [nxt])
            elif nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert cycles == []


def test_every_module_has_a_line_in_the_architecture_doc():
    """docs/architecture.md's "Modules" table names every module, or the folder it is in (a
    subpackage's `__init__.py` is covered by its modules' lines)."""
    doc = (ROOT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = doc.split("\n## Modules\n", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([\w/.]+)`", table))
    missing = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if path.name == "__init__.py" and path.parent != ROOT:
            continue
        folders = {
            "/".join(relative.split("/")[:i]) + "/" for i in range(1, relative.count("/") + 1)
        }
        if relative not in named and not folders & named:
            missing.append(relative)
    assert missing == [], "add a line to the Modules table of docs/architecture.md"
