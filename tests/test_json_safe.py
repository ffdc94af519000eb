"""safe_output.json_safe: the one rule for what the bundle and the CLI write as JSON."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from twitchtopics.bundle import write_json
from twitchtopics.cli._common import render
from twitchtopics.safe_output import json_safe


def test_json_safe_values():
    data = {
        "nan": math.nan,
        "inf": -math.inf,
        "np_nan32": np.float32("nan"),  # numpy's NaN too, not only float subclasses
        "np_int": np.int64(3),
        "arr": np.array([1.5, np.nan]),
        "ts": pd.Timestamp("2026-01-02T03:04:05"),
        "nat": pd.NaT,
        "set": {"b", "a"},
        "path": Path("x") / "y",
        "tuple": (1, "a"),
        np.int64(7): "numpy key",
        2: "int key",
    }
    out = json_safe(data)
    assert out == {
        "nan": None,
        "inf": None,
        "np_nan32": None,
        "np_int": 3,
        "arr": [1.5, None],
        "ts": "2026-01-02T03:04:05",
        "nat": None,
        "set": ["a", "b"],
        "path": str(Path("x") / "y"),
        "tuple": [1, "a"],
        "7": "numpy key",
        2: "int key",
    }
    json.dumps(out, allow_nan=False)


def test_bundle_and_cli_write_the_same_json(tmp_path):
    data = {"a": [math.nan, np.float64(1.25)], "t": pd.Timestamp("2026-01-02")}
    write_json(tmp_path / "x.json", data)
    assert json.loads((tmp_path / "x.json").read_text("utf-8")) == json.loads(render(data, "json"))
