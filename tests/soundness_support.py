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
