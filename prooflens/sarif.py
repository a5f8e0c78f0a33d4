"""SARIF 2.1.0 for CI code scanning: rule ids are property names, traces are code flows."""

from __future__ import annotations

from typing import Any

from prooflens.analysis import presentation
from prooflens.analysis.presentation import Severity
from prooflens.analysis.verdicts import PROPERTIES, FileReport, FunctionReport, Result

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note",
         Severity.HINT: "note"}  # fmt: skip


def sarif_report(reports: list[FileReport], tool: str, version: str) -> dict[str, Any]:
    results = [
        _result(report.path, function, result)
        for report in reports
        for function in report.functions
        for result in function.results
        if presentation.is_listed(result, function.always_true_requested)
    ]
    results.extend(_syntax_result(r.path, e.line, e.column, e.message)
                   for r in reports for e in r.syntax_errors)  # fmt: skip
    rules = [{"id": p, "shortDescription": {"text": _describe(p)}} for p in PROPERTIES]
    rules.append({"id": "syntax-error", "shortDescription": {"text": "syntax error"}})
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "prooflens", "version": version, "fullName": tool,
                                "rules": rules}},
            "results": results,
        }],
    }  # fmt: skip


def _describe(prop: str) -> str:
    return {
        "assertion": "an assertion can fail",
        "termination": "a loop or recursion may not terminate",
        "always-true": "a boolean function can return False",
        "division-by-zero": "division or modulo by zero",
        "signed-overflow": "signed integer overflow (undefined behaviour in C)",
        "shift-out-of-range": "shift by a negative or too large amount",
        "array-out-of-bounds": "array index out of bounds",
        "exception": "an exception the function does not catch",
        "null-dereference": "a null pointer is dereferenced",
        "out-of-bounds": "a memory access outside its object",
        "use-after-free": "memory is used after it was freed",
        "invalid-free": "free of memory that is not a live heap object",
        "unsupported": "a construct prooflens does not model",
    }.get(prop, prop.replace("-", " "))  # properties are additive: a new one still gets a rule


def _location(path: str, line: int, column: int, message: str | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": path},
            "region": {"startLine": max(1, line), "startColumn": max(1, column)},
        }
    }
    if message:
        location["message"] = {"text": message}
    return location


def _result(path: str, function: FunctionReport, result: Result) -> dict[str, Any]:
    severity = presentation.severity(result, function.always_true_requested)
    sarif: dict[str, Any] = {
        "ruleId": result.property,
        "level": LEVEL[severity],
        "message": {"text": f"{function.name}: {presentation.message(result)}"},
        "locations": [_location(path, result.line, result.column)],
        "properties": {"status": result.status, "severity": severity.value,
                       "witness": result.witness, "confirmed": result.confirmed,
                       "certificate": result.certificate},
    }  # fmt: skip
    if result.trace:
        steps = [
            {"location": _location(path, step.line, 1,
                                   ", ".join(f"{k}={v}" for k, v in step.values.items()))}
            for step in result.trace
        ]  # fmt: skip
        sarif["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
    return sarif


def _syntax_result(path: str, line: int, column: int, message: str) -> dict[str, Any]:
    return {
        "ruleId": "syntax-error",
        "level": LEVEL[presentation.SYNTAX_ERROR],
        "message": {"text": message},
        "locations": [_location(path, line, column)],
    }
