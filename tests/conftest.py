"""Shared fixtures: the real logs in ../shared (skipped cleanly when absent), a fake embedder,
and the guard that keeps the real model out of the fast suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import model_guard

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("TWITCHTOPICS_SHARED", REPO.parent / "shared")) / "data"
CHATLOGS = SHARED_DATA / "chatlogs"
GOLD = SHARED_DATA / "gold"
CORPUS = SHARED_DATA / "corpus"


@pytest.fixture(autouse=True, scope="session")
def isolated_cache(tmp_path_factory):
    """Tests never read or write the user's embedding cache."""
    folder = tmp_path_factory.mktemp("twitchtopics-cache")
    previous = os.environ.get("TWITCHTOPICS_CACHE_DIR")
    os.environ["TWITCHTOPICS_CACHE_DIR"] = str(folder)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    yield folder
    if previous is None:
        os.environ.pop("TWITCHTOPICS_CACHE_DIR", None)
    else:
        os.environ["TWITCHTOPICS_CACHE_DIR"] = previous


def pytest_configure(config) -> None:
    model_guard.install()


@pytest.fixture(autouse=True)
def real_model_guard(request):
    """Fail a test not marked `slow` that loads the real model (`tests/model_guard.py`)."""
    if request.node.get_closest_marker("slow") is not None:
        yield
        return
    with model_guard.guarding() as opened:
        yield
    assert not opened, f"a fast test loaded the real model (opened {opened[0]})"


def chatlog(name: str) -> Path:
    """Path of a real log in ../shared/data/chatlogs, or skip the test when it is absent."""
    path = CHATLOGS / name
    if not path.exists():
        pytest.skip(f"real chat logs not available ({path})")
    return path


@pytest.fixture
def shared_chatlogs() -> Path:
    if not CHATLOGS.is_dir():
        pytest.skip("../shared/data/chatlogs not available")
    return CHATLOGS


class HashingEmbedder:
    """A deterministic stand-in for a sentence model: hashed character trigrams, L2-normalised.

    Texts sharing words get close vectors, which is all the pipeline tests need, in
    milliseconds and without loading torch.
    """

    name = "test-hashing-trigrams"
    fingerprint = "test-hashing-trigrams-v1"
    dim = 256

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts):
        import zlib

        import numpy as np

        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text.lower()}  "
            for i in range(len(padded) - 2):
                out[row, zlib.crc32(padded[i : i + 3].encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


FAKE_EMBEDDER = "test-hashing"


@pytest.fixture
def fake_embedder():
    """Register the hashing embedder as the default model (no torch, no model files).

    A registration, not a monkeypatch: `--jobs` worker processes receive it too (the
    registry's snapshot is their start-up argument), so no test loads the real model.
    """
    from twitchtopics import registry

    with registry.embedders.temporarily(FAKE_EMBEDDER, HashingEmbedder, default=True):
        yield HashingEmbedder()


def write_topic_log(path: Path, *, minutes: int = 60) -> Path:
    """A small TwitchDownloader text log with three topics at different times, written here."""
    import random

    rng = random.Random(3)
    topics = [
        (
            0,
            [
                "bonsoir le chat",
                "bonsoir tout le monde",
                "bonsoiiir",
                "salut à tous",
                "coucou le chat",
            ],
        ),
        (
            20,
            [
                "les pâtes carbonara",
                "recette des pâtes",
                "pâtes au pesto",
                "des pâtes ce soir",
                "pâtes ou riz",
            ],
        ),
        (
            40,
            [
                "le nucléaire c'est l'avenir",
                "centrale nucléaire",
                "nucléaire ou éolien",
                "déchets nucléaires",
                "le nucléaire pollue pas",
            ],
        ),
    ]
    lines = []
    for start, texts in topics:
        for i in range(40):
            second = (start * 60 + i * 25) % (minutes * 60)
            h, m, s = second // 3600, second % 3600 // 60, second % 60
            user = f"viewer{rng.randrange(30)}"
            lines.append((second, f"[{h}:{m:02d}:{s:02d}] {user}: {rng.choice(texts)}"))
    lines.append((30, "[0:00:30] viewer1: NA"))
    lines.append((31, "[0:00:31] viewer2: !drop"))
    lines.append((32, "[0:00:32] Nightbot: le drop est actif"))
    lines.sort(key=lambda x: x[0])
    path.write_text("\n".join(line for _, line in lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def topic_log(tmp_path) -> Path:
    return write_topic_log(tmp_path / "stream.txt")
