"""Golden verdicts for the seed samples (the contract of DESIGN.md: `f`, `g`, `g2`), checked
by hand against the programs' meaning. Each entry lists the statuses that are right: where
"don't know" is the honest answer today, a later proof would also be right, but a
refutation never."""

from __future__ import annotations

from pathlib import Path

import pytest

from prooflens.analysis.check import check_path
from prooflens.analysis.settings import Settings

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
OPEN = ("unknown", "bounded", "proved")  # not refutable: any honest answer but "refuted"

# (function, property, line) -> allowed statuses
GOLDEN = {
    "seed.py": {
        ("f", "always-true", 4): ("proved",),
        ("g", "termination", 11): ("proved",),
        ("g2", "termination", 16): ("refuted",),
        ("collatz", "termination", 23): ("unknown",),
        ("countdown_fails_late", "assertion", 37): ("refuted",),
        ("countdown_fails_late", "termination", 35): ("proved",),
        ("floor_mod_negative", "assertion", 43): ("proved",),
        ("floor_mod_negative", "assertion", 46): ("proved",),
        ("floor_mod_negative", "assertion", 47): ("refuted",),
        ("average", "division-by-zero", 51): ("refuted",),
        ("safe_average", "division-by-zero", 57): ("proved",),
        ("clamp", "assertion", 63): ("proved",),
        ("abs_is_nonneg", "always-true", 67): ("proved",),
        ("square_is_even_iff", "always-true", 71): OPEN,
        ("sum_below", "assertion", 81): ("proved",),
        ("sum_below", "termination", 79): ("proved",),
        ("is_positive_after_double", "always-true", 85): ("refuted",),
    },
    "seed.c": {
        ("f", "always-true", 11): ("proved",),
        ("g", "termination", 18): ("proved",),
        ("g", "signed-overflow", 19): ("proved",),
        ("g2", "termination", 25): ("refuted",),
        ("f_int", "signed-overflow", 34): ("refuted",),
        ("midpoint", "signed-overflow", 42): ("refuted",),
        ("midpoint_fixed", "signed-overflow", 49): ("proved",),
        ("my_abs", "signed-overflow", 54): ("refuted",),
        ("mod2_is_bit", "always-true", 58): ("refuted",),
        ("is_odd_ok", "always-true", 63): ("proved",),
        ("countdown", "termination", 70): ("refuted",),
        ("average", "division-by-zero", 77): ("refuted",),
        ("average", "signed-overflow", 77): ("refuted",),
        ("main", "assertion", 89): OPEN,
    },
}


@pytest.fixture(scope="module")
def reports():
    return {name: check_path(str(SAMPLES / name), Settings()) for name in GOLDEN}


@pytest.mark.e2e
@pytest.mark.parametrize("sample", sorted(GOLDEN))
def test_sample_verdicts(reports, sample: str) -> None:
    report = reports[sample]
    got = {}
    for function in report.functions:
        for result in function.results:
            got.setdefault((function.name, result.property, result.line), []).append(result)
    wrong = []
    for key, allowed in GOLDEN[sample].items():
        statuses = [r.status for r in got.get(key, [])]
        if not statuses or any(s not in allowed for s in statuses):
            wrong.append((key, statuses, allowed))
    assert not wrong, wrong


@pytest.mark.e2e
@pytest.mark.parametrize("sample", sorted(GOLDEN))
def test_every_refutation_is_confirmed_by_a_real_run(reports, sample: str) -> None:
    for function in reports[sample].functions:
        for result in function.results:
            if result.status == "refuted":
                assert result.confirmed is True, (function.name, result)
                assert result.witness is not None and result.trace, (function.name, result)


@pytest.mark.e2e
def test_certificates_are_shown_for_proofs(reports) -> None:
    (g,) = [f for f in reports["seed.py"].functions if f.name == "g"]
    (termination,) = [r for r in g.results if r.property == "termination"]
    assert "decreases" in termination.certificate
    (sum_below,) = [f for f in reports["seed.py"].functions if f.name == "sum_below"]
    (assertion,) = [r for r in sum_below.results if r.property == "assertion"]
    assert assertion.certificate
