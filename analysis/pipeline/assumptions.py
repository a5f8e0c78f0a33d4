"""What a unit's results hold under: the assumptions its frontend made (`fn.assumptions`:
leading asserts taken as preconditions, Python input types and object fields inferred),
stated in the certificate of every proof and in the evidence of every result."""

from __future__ import annotations

from dataclasses import replace

from prooflens.analysis import ir
from prooflens.analysis.verdicts import Result


def state(fn: ir.Function, results: list[Result]) -> list[Result]:
    if not fn.assumptions:
        return results
    note = "assuming " + "; ".join(fn.assumptions)
    out = []
    for r in results:
        if r.property != "unsupported":
            if r.status == "proved":
                r = replace(r, certificate=f"{r.certificate}; {note}" if r.certificate else note)
            r = replace(r, evidence=replace(r.evidence, assumed=tuple(fn.assumptions)))
        out.append(r)
    return out
