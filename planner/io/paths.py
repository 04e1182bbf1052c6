"""Where the shipped default model and data live, whether installed as a wheel or run from the repo."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # the planner package


def shipped_root() -> Path:
    """Folder that holds ``models/`` and ``inputs/``: packaged copy in a wheel, else the repository."""
    packaged = _PACKAGE / "_data"
    if (packaged / "models").is_dir():
        return packaged
    return _PACKAGE.parent


def shipped_spec(name: str = "guiyang") -> Path:
    return shipped_root() / "models" / f"{name}.toml"
