"""Optional dependencies, installed by use (`pip install 'twitchtopics[train]'`, ...).

A plain install runs `cluster`, `report`, `inspect` and `export`; measured by running them
with the optional packages absent from the import path (tests/test_extras.py). Every place
that needs an extra calls `require` first, so a missing one is one line that names the extra.
"""

from __future__ import annotations

import importlib.util

from twitchtopics.errors import MissingExtraError

EXTRAS: dict[str, tuple[str, ...]] = {
    "train": ("accelerate", "datasets"),
    "distributed": ("dask", "distributed"),
    "bertopic": ("bertopic",),
}
"""Each extra of pyproject.toml and the modules it provides."""


def missing_modules(extra: str) -> list[str]:
    """The modules of `extra` that cannot be imported here."""
    return [m for m in EXTRAS[extra] if _find(m) is None]


def _find(module: str) -> object | None:
    try:
        return importlib.util.find_spec(module)
    except (ImportError, ValueError):  # a broken or blocked install counts as missing
        return None


def require(extra: str, purpose: str) -> None:
    """Raise MissingExtraError (one line: what, which extra, the pip command) when a module
    of `extra` is missing."""
    missing = missing_modules(extra)
    if missing:
        raise MissingExtraError(
            f"{purpose} needs the '{extra}' extra ({', '.join(missing)} not installed): "
            f"pip install 'twitchtopics[{extra}]'"
        )
