"""A season stream runs on one thread without importing torch for it (a static model's
stream never needs torch; importing it cost each worker seconds)."""

from __future__ import annotations

import subprocess
import sys

CHECK = r"""
import os, sys
from twitchtopics.season.streams import one_thread
os.environ.pop("OMP_NUM_THREADS", None)
with one_thread():
    inside = os.environ.get("OMP_NUM_THREADS")
print(inside, os.environ.get("OMP_NUM_THREADS"), "torch" in sys.modules)
"""


def test_one_thread_leaves_torch_unimported_and_restores_the_environment() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["1", "None", "False"]


TORCH_LOADED = r"""
import os
import torch
from twitchtopics.clustering.neighbors import knn_threads
from twitchtopics.season.streams import one_thread
os.environ.pop("OMP_NUM_THREADS", None)
torch.set_num_threads(2)
with one_thread():
    inside = (knn_threads(), torch.get_num_threads())
print(*inside, os.environ.get("OMP_NUM_THREADS"), torch.get_num_threads())
"""


def test_a_stream_whose_torch_is_loaded_searches_neighbours_on_one_thread() -> None:
    """With MiniLM loaded before the stream, the kNN search (all cores in `cluster`) stays on
    the stream's one thread: other streams run on the other cores."""
    out = subprocess.run(
        [sys.executable, "-c", TORCH_LOADED], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["1", "1", "None", "2"]
