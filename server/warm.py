"""Warm-up of the worker processes, in two steps.

1. In their forkserver: `workers._PRELOAD` lists this module, and importing it runs
   `warm_parent`: a Python and a C function with nothing to prove go through the whole
   pipeline, quick and deep, so the parsers have built their tables and every module a
   check needs is imported. It asks z3 nothing: a z3 query with a time limit starts z3's
   timer threads, and a process forked from a parent with threads would wait forever on a
   timer thread it does not have. The test suite checks the forkserver stays single-threaded.
2. In each worker, before its first job: `warm_worker` checks two tiny functions with one
   solver query each (z3 loaded, a first query done, its timer threads started).

Every worker is forked from the warmed parent, so a first job -- and a worker respawned
after a cancellation -- costs what the job costs, not the start-up. Neither step replays
(no user code runs, no replay helper process starts). A failure only logs: a cold worker
is slower, never wrong."""

from __future__ import annotations

import logging

from prooflens.analysis.settings import Settings

log = logging.getLogger(__name__)

# No property to check, so no solver query (see step 1).
PARENT = (
    ("def _warm(x: int, y: int) -> int:\n    if x > y:\n        return x\n    return y\n",
     "python", "warm.py"),
    ("unsigned _warm(unsigned x, unsigned y) {\n    if (x > y) return x;\n    return y;\n}\n",
     "c", "warm.c"),
)  # fmt: skip
# One easy proof each: one query.
WORKER = (
    ("def _warm(x: int) -> int:\n    assert x + 1 > x\n    return x\n", "python", "warm.py"),
    ("int _warm(int x) {\n    if (x < 0 || x > 100) return 0;\n    return x + 1;\n}\n",
     "c", "warm.c"),
)  # fmt: skip


def _run(units: tuple[tuple[str, str, str], ...]) -> bool:
    from prooflens.analysis.check import check_function

    ok = True
    for settings in (Settings.quick(replay=False), Settings(timeout_s=5.0, replay=False)):
        for text, language, path in units:
            try:
                check_function(text, language, "_warm", settings, path)
            except Exception:  # a cold worker is still a correct one
                log.warning("warm-up of the %s pipeline failed", language, exc_info=True)
                ok = False
    return ok


def warm_parent() -> bool:
    """Step 1 (no solver query); True if every check ran."""
    return _run(PARENT)


def warm_worker() -> bool:
    """Step 2 (one solver query per function); True if every check ran."""
    return _run(WORKER)


WARMED = warm_parent()
