"""Which number format sentence-transformers models run in on this machine.

On CPUs with native bfloat16 instructions (x86 ``avx512_bf16`` or ``amx_bf16``: AMD Zen 4 and
later, Intel Cooper Lake / Sapphire Rapids and later) MiniLM encodes about 1.6-1.8x faster
under ``torch.autocast(bfloat16)``, and its vectors stay within cosine 0.9999 of float32 ones
(mean 0.99998 on real chat; benchmarks/embed_speed.py measures both). Elsewhere bfloat16 is
emulated and slower, so float32 is kept. ``TWITCHTOPICS_PRECISION=fp32`` (or ``bf16``)
overrides the choice. The precision is part of a model's cache fingerprint, so vectors of
one precision are never served for the other.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

PRECISION_ENV = "TWITCHTOPICS_PRECISION"
PRECISIONS = ("fp32", "bf16")
_NATIVE_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


@functools.lru_cache(maxsize=1)
def cpu_has_native_bf16(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """True when the CPU advertises bfloat16 arithmetic (read from /proc/cpuinfo on Linux)."""
    try:
        text = Path(cpuinfo).read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            return not _NATIVE_BF16_FLAGS.isdisjoint(line.partition(":")[2].split())
    return False


def resolve_precision(device: str = "cpu") -> str:
    """``"bf16"`` or ``"fp32"`` for a model on ``device``: the environment's choice, else
    bfloat16 on a CPU that computes it natively, else float32."""
    wanted = os.environ.get(PRECISION_ENV, "").strip().lower()
    if wanted in PRECISIONS:
        return wanted
    if wanted not in ("", "auto"):
        from twitchtopics.errors import ModelError

        raise ModelError(f"{PRECISION_ENV} must be fp32, bf16 or auto, not {wanted!r}")
    return "bf16" if device == "cpu" and cpu_has_native_bf16() else "fp32"
