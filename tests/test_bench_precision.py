"""The precision bench's bookkeeping (bench/precision.py): labels are matched by a stable
key, unlabelled findings are listed and never counted as good, predicates are counted, and
every label in the labels file is one of the four."""

from __future__ import annotations

import json
from pathlib import Path

from bench import precision
from prooflens.analysis.settings import Settings


def test_summary_counts_only_labelled_findings_towards_the_share() -> None:
    rows = [precision.Finding("a/x.py::f::assertion#1", 3, "m", "real bug", "why"),
            precision.Finding("a/x.py::g::signed-overflow#1", 5, "m", "extreme value", None),
            precision.Finding("a/x.py::h::assertion#1", 7, "m", "noise", None),
            precision.Finding("a/x.py::k::always-true#1", 9, "m", None, None)]  # fmt: skip
    s = precision.summary(rows)
    assert s["errors"] == 4 and s["labelled"] == 3 and s["predicates"] == 1
    assert s["good_share"] == round(2 / 3, 3)
    assert s["by_label"]["unlabelled"] == 1
    text = precision.render({"summary": s, "rows": [r.__dict__ for r in rows]})
    assert "**unlabelled**" in text and "67 %" in text


def test_findings_are_the_error_level_results_with_stable_keys(tmp_path: Path) -> None:
    source = ("def f(x):\n    y = x + 1\n    assert y != 4\n    return y\n\n"
              "def is_pos(x):\n    return x > 0\n")
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    labels = {"c/m.py::f::assertion#1": {"label": "real bug", "why": "x = 3 fails"}}
    rows = precision.findings("c", str(tmp_path), [str(path)], labels,
                              Settings(unwind=4, timeout_s=2.0))  # fmt: skip
    # the assertion is an error; the predicate's "can return False" is not
    assert [(r.key, r.label) for r in rows] == [("c/m.py::f::assertion#1", "real bug")]


def test_the_labels_file_uses_the_four_labels() -> None:
    if not precision.LABELS_FILE.exists():
        return
    labels = json.loads(precision.LABELS_FILE.read_text(encoding="utf-8"))
    assert all(entry["label"] in precision.LABELS and entry.get("why")
               for entry in labels.values())  # fmt: skip
