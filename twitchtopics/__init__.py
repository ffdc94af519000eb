"""twitchtopics: topics over time in a Twitch stream's chat.

The Python API (imported lazily, PEP 562, so that `twitchtopics --help` loads neither pandas
nor torch)::

    from twitchtopics import ChatTopics, load_bundle, read_log, window_report

    log = read_log("stream.json")                    # any supported format
    model = ChatTopics(random_state=42).fit(log)     # or .fit(a pandas DataFrame)
    model.topic_info()
    model.save("stream.twitchtopics")
    report = window_report(load_bundle("stream.twitchtopics"), "19:30-20:00")

See docs/architecture.md for the layers and README.md's "Python" section.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from twitchtopics._version import __version__

_EXPORTS = {
    "ChatTopics": "twitchtopics.topics_model",
    "read_log": "twitchtopics.readers",
    "load_bundle": "twitchtopics.bundle",
    "save_bundle": "twitchtopics.bundle",
    "Bundle": "twitchtopics.bundle",
    "window_report": "twitchtopics.report.window",
    "ChatLog": "twitchtopics.readers._base",
    "LogInfo": "twitchtopics.readers._base",
    "Embedder": "twitchtopics.embed.embedders",
    "load_embedder": "twitchtopics.embed.embedders",
    "TwitchTopicsError": "twitchtopics.errors",
    "OptionError": "twitchtopics.errors",
    "ReadError": "twitchtopics.errors",
    "BundleError": "twitchtopics.errors",
    "WindowError": "twitchtopics.errors",
    "ModelError": "twitchtopics.errors",
    "MissingExtraError": "twitchtopics.errors",
    "export_bertopic": "twitchtopics.report.bertopic_export",
}

__all__ = [
    "Bundle",
    "BundleError",
    "ChatLog",
    "ChatTopics",
    "Embedder",
    "LogInfo",
    "MissingExtraError",
    "ModelError",
    "OptionError",
    "ReadError",
    "TwitchTopicsError",
    "WindowError",
    "__version__",
    "export_bertopic",
    "load_bundle",
    "load_embedder",
    "read_log",
    "registry",
    "save_bundle",
    "window_report",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from twitchtopics import registry
    from twitchtopics.bundle import Bundle, load_bundle, save_bundle
    from twitchtopics.embed.embedders import Embedder, load_embedder
    from twitchtopics.errors import (
        BundleError,
        MissingExtraError,
        ModelError,
        OptionError,
        ReadError,
        TwitchTopicsError,
        WindowError,
    )
    from twitchtopics.readers import read_log
    from twitchtopics.readers._base import ChatLog, LogInfo
    from twitchtopics.report.bertopic_export import export_bertopic
    from twitchtopics.report.window import window_report
    from twitchtopics.topics_model import ChatTopics


def __getattr__(name: str) -> Any:
    """Import an exported name on first use (PEP 562)."""
    if name == "registry":
        return import_module("twitchtopics.registry")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'twitchtopics' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
