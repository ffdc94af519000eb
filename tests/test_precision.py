"""Choice of the number format models run in (float32 or bfloat16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from twitchtopics.embed.precision import PRECISION_ENV, cpu_has_native_bf16, resolve_precision
from twitchtopics.errors import ModelError


def _cpuinfo(tmp_path: Path, name: str, flags: str) -> str:
    path = tmp_path / name
    path.write_text(f"processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: {flags}\n\n")
    return str(path)


def test_native_bf16_is_read_from_the_cpu_flags(tmp_path) -> None:
    assert cpu_has_native_bf16(_cpuinfo(tmp_path, "zen4", "fpu avx2 avx512f avx512_bf16"))
    assert cpu_has_native_bf16(_cpuinfo(tmp_path, "spr", "avx2 amx_bf16 amx_tile"))
    # avx512 alone emulates bfloat16 (slower than float32): not native
    assert not cpu_has_native_bf16(_cpuinfo(tmp_path, "skx", "fpu avx2 avx512f avx512bw"))
    assert not cpu_has_native_bf16(str(tmp_path / "missing"))


def test_environment_overrides_the_choice(monkeypatch) -> None:
    monkeypatch.setenv(PRECISION_ENV, "fp32")
    assert resolve_precision("cpu") == "fp32"
    monkeypatch.setenv(PRECISION_ENV, "BF16")
    assert resolve_precision("cpu") == "bf16"
    monkeypatch.setenv(PRECISION_ENV, "auto")
    assert resolve_precision("cuda") == "fp32"
    assert resolve_precision("cpu") == ("bf16" if cpu_has_native_bf16() else "fp32")
    monkeypatch.setenv(PRECISION_ENV, "fp8")
    with pytest.raises(ModelError, match="fp32, bf16 or auto"):
        resolve_precision("cpu")
