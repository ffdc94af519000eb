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


def test_json_text_is_the_standard_librarys_indented_text():
    from twitchtopics.safe_output import json_text

    data = {
        "text": 'bonjour "chat" \\ \n\t\x00\x1f\x7f\u2028 é 🤔 KEKW',
        "numbers": [0, -1, 2**63 - 1, -(2**63), 0.1, -0.0, 1e16, 1e22, 123456.789, 5e-324],
        "nested": {"empty list": [], "empty dict": {}, "deep": [[[]], [{}], {"a": [1, {}]}]},
        "keys": {3: "int", 2.5: "float", True: "bool", None: "none"},
        "flags": [True, False, None],
        "tuple": (1, "a"),
        "nan": math.nan,
        "numpy": np.array([1.5, np.nan]),
    }
    expected = json.dumps(json_safe(data), ensure_ascii=False, indent=2)
    assert json_text(data) == expected
    for scalar in ("x", 3, 2.5, None, [], {}):
        assert json_text(scalar) == json.dumps(scalar, ensure_ascii=False, indent=2)


def test_json_text_writes_what_orjson_refuses_as_the_standard_library_does():
    from twitchtopics.safe_output import json_text

    for data in ({"text": "lone \udc80 surrogate"}, {"big": 2**70}, [-(2**64)]):
        assert json_text(data) == json.dumps(data, ensure_ascii=False, indent=2)


def test_json_text_spells_small_floats_as_the_same_numbers():
    from twitchtopics.safe_output import json_text

    values = [1e-05, 1.5e-07, 3.14159e-12, 0.0001, 2.2250738585072014e-308]
    assert json.loads(json_text(values)) == values
