"""The package's import graph, read from its source: no module imports itself back through others,
the base layer (errors, storage, shards, manifest, execution) needs nothing of the rule
library, and the config builds nothing. Only imports at module level count: one inside a function
runs when it is called."""
from __future__ import annotations

import ast
from pathlib import Path

from helpers import REPO_ROOT

PACKAGE = REPO_ROOT / "datacleaning"
BASE = ["datacleaning.errors", "datacleaning.storage", "datacleaning.shards", "datacleaning.manifest",
        "datacleaning.execution", "datacleaning.execution.local", "datacleaning.execution.ray_tasks",
        "datacleaning.execution.steps", "datacleaning.logs", "datacleaning.stats", "datacleaning.stages"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("datacleaning"):
                for alias in node.names:
                    child = f"{node.module}.{alias.name}"
                    edges.add(child if child in modules else node.module)
            elif isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name.startswith("datacleaning"))
        graph[name] = {e for e in edges if e in modules and e != name}
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_no_module_imports_itself_back():
    graph = _graph()
    cycles = sorted(name for name in graph if name != "datacleaning" and name in _reachable(graph, name))
    assert not cycles, cycles


def test_the_base_layer_needs_nothing_of_the_rules():
    graph = _graph()
    for name in BASE:
        assert name in graph, name
        rules = sorted(m for m in _reachable(graph, name) if m.startswith("datacleaning.rules"))
        assert not rules, (name, rules)


def test_the_config_is_data_that_builds_nothing():
    """Rules, readers and engines are built by the stages that use them, from the config's values."""
    reached = _reachable(_graph(), "datacleaning.config")
    built = sorted(m for m in reached if m.startswith(("datacleaning.rules", "datacleaning.readers",
                                                        "datacleaning.cleaning", "datacleaning.blacklists")))
    assert not built, built


def test_the_graph_is_read():
    graph = _graph()
    assert "datacleaning.errors" in graph["datacleaning.storage"]
    assert "datacleaning.rules.base" in graph["datacleaning.rules.registry"]
