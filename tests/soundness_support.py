"""What the differential soundness suites (tests/test_soundness_*.py) share: the short or
long profile (`PROOFLENS_SOUNDNESS=long`, `PROOFLENS_SOUNDNESS_EXAMPLES=N`) and the bug log
(`PROOFLENS_SOUNDNESS_LOG=FILE`)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("PROOFLENS_SOUNDNESS", "short") == "long"
EXAMPLES = int(os.environ.get("PROOFLENS_SOUNDNESS_EXAMPLES", "400")) if LONG else 12

PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
    database=None,  # no .hypothesis folder in the work tree; failures are logged instead
)


def log_bug(bugs: list[str], source: str, deep: bool) -> None:
    """Append to $PROOFLENS_SOUNDNESS_LOG (if set): long runs shrink slowly, this is at once."""
    path = os.environ.get("PROOFLENS_SOUNDNESS_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("\n".join(bugs) + f"\n--- program (deep={deep}) ---\n{source}\n")


def cross_check(function, source: str, inputs: list[dict], run_real, expected) -> tuple[int, int]:
    """Every refuted result of `function` must fail for real with its witness, every proved
    one must not fail on any of `inputs`; (proved, refuted) counts checked. `run_real`:
    (source, values) -> (outcome, line); `expected`: result -> the outcome a failure of
    its property gives ("returned" for always-true)."""
    sites = [(r.property, r.line) for r in function.results]
    proved = refuted = 0
    for result in function.results:
        assert not (result.reason or "").startswith("internal error"), (source, result)
        if sites.count((result.property, result.line)) > 1:
            continue  # several checks of one kind on a line: a real run cannot tell which
        if result.status not in ("refuted", "proved"):
            continue
        want = expected(result)
        if result.status == "refuted":
            refuted += 1
            outcome, line = run_real(source, result.witness)
            ok = outcome == want and (want == "returned" or line == result.line)
            if not ok:
                log_bug([f"refuted {result.property} did not reproduce: {result.witness} "
                         f"gave {outcome} at {line}"], source, False)  # fmt: skip
            assert ok, (result, outcome, line, source)
        if result.status != "proved":
            continue
        proved += 1
        for values in inputs:
            outcome, line = run_real(source, values)
            wrong = outcome == want and (want == "returned" or line == result.line)
            if wrong:
                log_bug([f"proved {result.property} fails on {values}"], source, False)
            assert not wrong, (result, values, source)
    return proved, refuted
