"""The JSON report is JSON: values JSON cannot write (NaN, infinities, huge ints) are
spelled as strings, and a witness of float inputs survives `json.loads` (strict)."""

from __future__ import annotations

import json

from prooflens.analysis.verdicts import json_values


def test_values_json_cannot_say_become_strings() -> None:
    values = {"x": float("nan"), "y": float("inf"), "z": float("-inf"), "w": -0.0,
              "xs": (1.5, float("nan")), "big": 1 << 20_000, "s": "a\\u00e9"}  # fmt: skip
    text = json.dumps(json_values(values), allow_nan=False)
    back = json.loads(text)
    assert back["x"] == "nan" and back["y"] == "inf" and back["z"] == "-inf"
    assert back["xs"] == [1.5, "nan"] and back["w"] == 0.0
    assert back["big"].startswith("0x") and back["s"] == "a\\u00e9"
