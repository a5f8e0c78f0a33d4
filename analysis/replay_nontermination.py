"""Confirms a non-termination witness by running the real Python function.

Only the function's own source and its callees' sources are executed, in a separate
`python -I` process run by `sandbox.run_sandboxed` (time, CPU and memory limits, minimal
environment, scratch directory).
A `sys.settrace` hook watches the loop line in the outermost frame of the function:
the witness is confirmed when the watched variables repeat a state there ("state
repeats"), or, for a recurrent set, when after many visits the run is still inside the
set. Anything else (the call returns, raises, or the time runs out) is "not confirmed".
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

from prooflens.analysis.sandbox import run_sandboxed
from prooflens.analysis.witness import ReplayOutcome, Witness

_DRIVER = r'''
import json, sys
SOURCES = {sources!r}
FUNCTION = {function!r}
LOOP_LINE = {loop_line!r}
INPUTS = {inputs!r}
STATE = {state!r}
KIND = {kind!r}
REGION = {region!r}
VISITS = {visits!r}
LINES = {lines!r}
namespace = {{"__name__": "prooflens_replay"}}
for text in SOURCES:
    exec(compile(text, "<unit>", "exec"), namespace)
seen = {{}}
visits = [0]
outer = []

def report(result):
    sys.settrace(None)
    sys.stdout.write("PROOFLENS:" + json.dumps(result) + "\n")
    sys.stdout.flush()
    import os
    os._exit(0)

def local(frame, event, arg):
    if event != "line" or frame is not outer[0]:
        return local
    if not (LINES[0] <= frame.f_lineno <= LINES[1]):  # out of the loop: activation ends
        if visits[0] and KIND == "recurrent set":
            report({{"confirmed": False, "detail": "left the loop after entering the set"}})
        seen.clear()
        return local
    if frame.f_lineno != LOOP_LINE:
        return local
    values = frame.f_locals
    if KIND == "recurrent set":
        try:
            inside = bool(eval(REGION, {{}}, dict(values)))
        except Exception as exc:
            report({{"confirmed": False, "detail": "cannot evaluate the set: %r" % exc}})
        if not inside and visits[0]:
            report({{"confirmed": False, "detail": "left the set after %d visits" % visits[0]}})
        if inside:
            visits[0] += 1
        if visits[0] >= VISITS:
            report({{"confirmed": True, "visits": visits[0]}})
        return local
    key = repr(tuple(values.get(name) for name in STATE))
    if key in seen:
        report({{"confirmed": True, "after": seen[key], "period": visits[0] - seen[key]}})
    seen[key] = visits[0]
    visits[0] += 1
    return local

def tracer(frame, event, arg):
    if frame.f_code.co_name == FUNCTION and not outer:
        outer.append(frame)
        return local
    return None

sys.settrace(tracer)
try:
    namespace[FUNCTION](**INPUTS)
except BaseException as exc:
    report({{"confirmed": False, "detail": "the call raised %s" % type(exc).__name__}})
report({{"confirmed": False, "detail": "the call returned"}})
'''


def confirm_python(
    source_text: str,
    function: str,
    callee_sources: dict[str, str],
    witness: Witness,
    loop_line: int,
    details: dict,
    timeout_s: float = 5.0,
    first_line: int | None = None,
) -> ReplayOutcome:
    """Run `function` from `witness` and watch `loop_line` (see the module docstring).
    `source_text` is the function's own text; `first_line` is the file line it starts
    on (None: `source_text` is already padded so that its lines are file lines).
    `details` comes from the termination verdict."""
    kind = details.get("kind", "state repeats")
    state = list(details.get("state") or witness.inputs)
    if first_line is not None and first_line > 1:
        source_text = "\n" * (first_line - 1) + source_text
    sources = [*callee_sources.values(), source_text]
    driver = _DRIVER.format(
        sources=sources, function=function, loop_line=loop_line, inputs=dict(witness.inputs),
        state=state, kind=kind, region=details.get("set", "True"),
        visits=int(details.get("visits", 10_000)),
        lines=tuple(details.get("loop_lines") or (loop_line, 10**9)),
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="prooflens-replay-") as folder:
        path = os.path.join(folder, "driver.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(driver)
        done = run_sandboxed([sys.executable, "-I", "-S", path], timeout_s=timeout_s)
    if done.timed_out:
        return ReplayOutcome(False, f"no repetition observed within {timeout_s:g} s")
    return _outcome(done.stdout, kind, loop_line, done.stderr)


def _outcome(stdout: str, kind: str, loop_line: int, stderr: str) -> ReplayOutcome:
    for line in stdout.splitlines():
        if line.startswith("PROOFLENS:"):
            result = json.loads(line[len("PROOFLENS:") :])
            if not result.get("confirmed"):
                return ReplayOutcome(False, result.get("detail", "not confirmed"))
            if kind == "recurrent set":
                detail = (f"still inside the recurrent set after {result['visits']} "
                          f"iterations of the loop at line {loop_line}")  # fmt: skip
            else:
                detail = (f"state at line {loop_line} repeats after {result['after']} "
                          f"iteration(s), period {result['period']}")  # fmt: skip
            return ReplayOutcome(True, detail)
    return ReplayOutcome(False, f"the replay did not report: {stderr.strip()[-200:]}")
