"""The package's layers import downwards only: cli > pipeline > analysis > solve > model > io.

``report`` reads result files and depends on ``io`` alone; ``errors`` and the package root (its
version) sit below everything. A module may import its own layer and any lower one, never a higher
one, lazily inside a function included: the test reads every ``import`` in the syntax tree.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "planner"

# layer -> the layers it may import (itself included)
BASE = {"planner", "planner.errors"}
ALLOWED = {
    "io": {"io"},
    "model": {"model", "io"},
    "solve": {"solve", "model", "io"},
    "analysis": {"analysis", "solve", "model", "io"},
    "pipeline": {"pipeline", "analysis", "solve", "model", "io"},
    "report": {"report", "io"},
    "cli": {"cli", "pipeline", "analysis", "solve", "model", "io", "report"},
}


def layer_of(module: str) -> str | None:
    """``planner.io.spec`` -> ``io``; ``planner.cli`` -> ``cli``; base modules -> None."""
    if module in BASE or module == "planner.__main__":
        return None
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name == "planner" or name.startswith("planner.")]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def violations() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = layer_of(module_name(path))
        if source is None:
            continue
        for line, target in imports_of(path):
            target_layer = layer_of(target)
            if target_layer is not None and target_layer not in ALLOWED[source]:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({source}) imports {target} ({target_layer})")
    return found


def test_every_module_is_in_a_known_layer():
    layers = {layer_of(module_name(p)) for p in PACKAGE.rglob("*.py")} - {None}
    assert layers <= set(ALLOWED), layers - set(ALLOWED)


def test_no_module_imports_a_higher_layer():
    assert violations() == []


def test_the_check_catches_an_upward_import(tmp_path, monkeypatch):
    """An io module that imported the model layer would be reported (the test can fail)."""
    fake = tmp_path / "planner"
    (fake / "io").mkdir(parents=True)
    (fake / "io" / "bad.py").write_text("from planner.model.build import build_model\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    assert violations() == ["planner/io/bad.py:1 (io) imports planner.model.build (model)"]
