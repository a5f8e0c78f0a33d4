"""`prooflens check PATH...` (text | json | sarif) and `prooflens serve`."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace

from prooflens import __version__, reuse
from prooflens.analysis import check, presentation, syntax
from prooflens.analysis.presentation import Severity
from prooflens.analysis.settings import OPTIONAL_CHECKS, Settings
from prooflens.analysis.verdicts import FileReport, FunctionReport, Result, report_json

EXIT_OK, EXIT_REFUTED, EXIT_USAGE = 0, 1, 2
TOOL = f"prooflens {__version__}"
# Severity in the compiler-style text (`note` as gcc says it, and Vim's quickfix reads it).
WORDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info",
         Severity.HINT: "note"}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    sys.set_int_max_str_digits(0)  # reports may hold witnesses of thousands of digits
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else EXIT_OK
    if args.command == "serve":
        return _serve(args)
    return _check(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prooflens", description=__doc__)
    parser.add_argument("--version", action="version", version=TOOL)
    commands = parser.add_subparsers(dest="command", required=True)
    check_ = commands.add_parser("check", help="prove or refute the functions of C/Python files")
    check_.add_argument("paths", nargs="+", help="files or folders")
    check_.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    check_.add_argument("--output", "-o", help="write the report here instead of stdout")
    check_.add_argument("--unwind", type=int, default=None, help="loop unwinding bound K")
    check_.add_argument("--timeout", type=float, default=None, help="seconds per function")
    check_.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="parallel worker processes (default: the number of cores)")
    check_.add_argument("--quick", action="store_true", help="bounded checks only (no proofs)")
    check_.add_argument("--explain", action="store_true", help="show certificates and traces")
    check_.add_argument("--no-replay", action="store_true", help="do not run counterexamples")
    check_.add_argument("--no-cache", action="store_true",
                        help="verify everything again (the cache is the language server's)")
    check_.add_argument("--changed-since", metavar="REF",
                        help="only the functions whose key changed since git revision REF "
                             "(callers of changed functions included); only new findings")
    check_.add_argument("--disable", action="append", default=[], choices=OPTIONAL_CHECKS,
                        help="switch a check off (repeatable)")  # fmt: skip
    serve = commands.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    return parser


def _serve(args: argparse.Namespace) -> int:
    from prooflens.server.main import serve

    tcp = None
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not host or not port.isdigit():
            print("prooflens: --tcp wants HOST:PORT", file=sys.stderr)
            return EXIT_USAGE
        tcp = (host, int(port))
    return serve(tcp)


def settings_from(args: argparse.Namespace) -> Settings:
    base = Settings.quick() if args.quick else Settings()
    checks = frozenset(c for c in base.checks if c not in args.disable)
    return Settings(
        unwind=args.unwind if args.unwind is not None else base.unwind,
        timeout_s=args.timeout if args.timeout is not None else base.timeout_s,
        deep=base.deep,
        replay=not args.no_replay,
        checks=checks,
    )


# -------------------------------------------------------------------------------- check


def _check(args: argparse.Namespace) -> int:
    if args.unwind is not None and args.unwind < 0 or args.jobs < 1:
        print("prooflens: --unwind must be >= 0 and --jobs >= 1", file=sys.stderr)
        return EXIT_USAGE
    files, missing = collect(args.paths)
    if missing:
        for path in missing:
            print(f"prooflens: cannot read {path}: no such file or directory", file=sys.stderr)
        return EXIT_USAGE
    settings = settings_from(args)
    began = time.perf_counter()
    reused = reuse.Reuse.open(settings, enabled=not args.no_cache)
    reports = check_files(files, settings, args.jobs, show_progress=sys.stderr.isatty(),
                          reused=reused, since=args.changed_since)  # fmt: skip
    elapsed = time.perf_counter() - began
    text = render(reports, args.format, args.explain, elapsed)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    if any(r.error for r in reports) and len(reports) == 1 and not reports[0].functions:
        print(f"prooflens: {reports[0].path}: {reports[0].error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_REFUTED if presentation.any_alarm(reports) else EXIT_OK


def collect(paths: list[str]) -> tuple[list[str], list[str]]:
    """The C and Python files named or found below the given folders (sorted), and the
    paths that do not exist."""
    files: list[str] = []
    missing: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__")))
                files.extend(os.path.join(root, n) for n in sorted(names)
                             if syntax.language_for_path(n)
                             and os.path.isfile(os.path.join(root, n)))  # fmt: skip
        elif os.path.exists(path):
            files.append(path)
        else:
            missing.append(path)
    return files, missing


def check_files(
    files: list[str], settings: Settings, jobs: int, show_progress: bool = False,
    reused: reuse.Reuse | None = None, since: str | None = None,
) -> list[FileReport]:
    """Every file checked, each report marked where a function asked for always-true."""
    return [_requests(r) for r in _check_all(files, settings, jobs, show_progress, reused,
                                              since)]  # fmt: skip


def _requests(report: FileReport) -> FileReport:
    """`presentation.with_requests` from the file's text (read again only when it matters)."""
    if report.error or not any(presentation.needs_request(f) for f in report.functions):
        return report
    try:
        with open(report.path, "rb") as handle:
            text, problem = check.decode(handle.read(check.MAX_FILE_BYTES + 1))
    except OSError:
        return report
    return report if problem else presentation.with_requests(report, text)


# Below this many units to check, a worker pool costs more (z3 loaded in each worker)
# than it saves.
POOL_MIN_UNITS = 16
# Fewest units per task sent to a worker: the file's text travels once per task (not per
# unit, which made `--jobs 2` quadratic in the size of a file); the worker parses it once.
CHUNK_UNITS = 16


@dataclass
class _Plan:
    """One file: what it is, which of its units are reported, and their reports so far."""

    shell: FileReport
    text: str
    parsed: syntax.ParsedFile | None
    wanted: list[int]
    done: dict[int, FunctionReport] = field(default_factory=dict)
    baseline: reuse.Baseline | None = None

    def report(self) -> FileReport:
        functions = tuple(self.done[i] for i in self.wanted)
        return replace(self.shell, functions=functions)


def _check_all(
    files: list[str], settings: Settings, jobs: int, show_progress: bool,
    reused: reuse.Reuse | None = None, since: str | None = None,
) -> list[FileReport]:
    """Every file's units: from the cache where their key is known, else checked (in a
    worker pool when there is enough to do); in diff mode only the changed units."""
    reused = reused or reuse.Reuse(None, settings)
    plans = [_plan(path, reused, since) for path in files]
    todo = [(plan, i) for plan in plans for i in plan.wanted if i not in plan.done]
    if jobs > 1 and len(todo) >= POOL_MIN_UNITS:
        _run_pool(todo, settings, jobs, show_progress)
    else:
        _run_here(todo, settings, show_progress)
    for plan, i in todo:
        assert plan.parsed is not None
        reused.put(plan.parsed, plan.parsed.units[i], plan.done[i])
    if since is not None:
        for plan in plans:
            _only_new_findings(plan, settings, reused)
    return [plan.report() for plan in plans]


def _plan(path: str, reused: reuse.Reuse, since: str | None) -> _Plan:
    shell, text = _parse_only(path)
    if shell.error or not text:
        return _Plan(shell, text, None, [])
    parsed = syntax.parse(text, shell.language)
    wanted = list(range(len(parsed.units)))
    old: reuse.Baseline | None = None
    if since is not None:
        found = reuse.baseline(path, since)
        if isinstance(found, str):
            return _Plan(replace(shell, functions=(), error=found), text, None, [])
        old = found
        wanted = reuse.changed_units(parsed, old, reused)
    plan = _Plan(shell, text, parsed, wanted, baseline=old)
    for i in wanted:
        hit = reused.get(parsed, parsed.units[i])
        if hit is not None:
            plan.done[i] = hit
    return plan


def _run_here(todo: list[tuple[_Plan, int]], settings: Settings, show_progress: bool) -> None:
    for count, (plan, i) in enumerate(todo, 1):
        assert plan.parsed is not None
        plan.done[i] = _check_one(plan.parsed, plan.parsed.units[i], settings, plan.shell.path)
        _progress(show_progress, count, len(todo))


def _check_one(parsed: syntax.ParsedFile, unit: syntax.Unit, settings: Settings, path: str
               ) -> FunctionReport:  # fmt: skip
    try:
        return check.check_unit(parsed, unit, settings, path)
    except MemoryError:
        return _dont_know(unit.name, "out of memory")


def _run_pool(
    todo: list[tuple[_Plan, int]], settings: Settings, jobs: int, show_progress: bool
) -> None:
    """The units in chunks per file, in a pool of worker processes."""
    by_file: dict[int, tuple[_Plan, list[int]]] = {}
    for plan, i in todo:
        by_file.setdefault(id(plan), (plan, []))[1].append(i)
    tasks: list[tuple[_Plan, tuple[int, ...]]] = []
    for plan, indices in by_file.values():
        size = max(CHUNK_UNITS, -(-len(indices) // (4 * jobs)))  # the text travels <= 4x/job
        tasks += [(plan, tuple(indices[k:k + size])) for k in range(0, len(indices), size)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(check_chunk, plan.text, plan.shell.language, chosen, settings,
                               plan.shell.path): (plan, chosen)
                   for plan, chosen in tasks}  # fmt: skip
        count = 0
        for future in as_completed(futures):
            plan, chosen = futures[future]
            assert plan.parsed is not None
            names = [plan.parsed.units[i].name for i in chosen]
            for index, report in zip(chosen, _chunk_result(future, names), strict=True):
                plan.done[index] = report
            count += len(chosen)
            _progress(show_progress, count, len(todo))


def check_chunk(
    text: str, language: str, chosen: tuple[int, ...], settings: Settings, path: str
) -> list[FunctionReport]:
    """Worker entry point: the units at positions `chosen` of `text`, parsed once (the
    position, not the name, picks a unit: a file may define one name twice)."""
    parsed = syntax.parse(text, language)
    return [check.check_unit(parsed, parsed.units[i], settings, path) for i in chosen]


def _chunk_result(future, names: list[str]) -> list[FunctionReport]:
    """A worker's reports; a worker that ran out of memory or died gives "don't know"."""
    try:
        return future.result()
    except (MemoryError, BrokenProcessPool) as error:
        reason = "out of memory" if isinstance(error, MemoryError) else "worker process died"
        return [_dont_know(name, reason) for name in names]


def _dont_know(name: str, reason: str) -> FunctionReport:
    result = Result("unsupported", 1, 1, "unknown", f"don't know: {reason}", reason=reason)
    return FunctionReport(name, 1, 1, (result,))


def _only_new_findings(plan: _Plan, settings: Settings, reused: reuse.Reuse) -> None:
    """Diff mode: a changed unit keeps its verdicts, minus the alarms (errors, warnings)
    its version at the revision already had."""
    if plan.parsed is None or plan.baseline is None or plan.baseline.parsed is None:
        return
    old_parsed = plan.baseline.parsed
    for i in plan.wanted:
        old_unit = plan.baseline.unit_named(plan.parsed.units[i].name)
        if old_unit is None:
            continue
        old = reused.get(old_parsed, old_unit)
        if old is None:
            old = _check_one(old_parsed, old_unit, settings, plan.shell.path)
            reused.put(old_parsed, old_unit, old)
        known = {reuse.finding_id(r, old_unit.line) for r in old.results
                 if presentation.severity(r, old.always_true_requested) in _ALARMS}  # fmt: skip
        report, line = plan.done[i], plan.parsed.units[i].line
        kept = tuple(r for r in report.results if reuse.finding_id(r, line) not in known
                     or presentation.severity(r, report.always_true_requested) not in _ALARMS)
        plan.done[i] = replace(report, results=kept)


_ALARMS = (Severity.ERROR, Severity.WARNING)


def _parse_only(path: str) -> tuple[FileReport, str]:
    """The file's syntax errors and function names (placeholders), and its text."""
    language = syntax.language_for_path(path) or "unknown"
    if not os.path.isfile(path):  # a FIFO would block the read
        return FileReport(path, language, error="not a regular file"), ""
    try:
        with open(path, "rb") as handle:
            data = handle.read(check.MAX_FILE_BYTES + 1)
    except OSError as error:
        return FileReport(path, language, error=f"cannot read: {error.strerror}"), ""
    if len(data) > check.MAX_FILE_BYTES:
        return FileReport(path, language, error="file too large to check"), ""
    text, problem = check.decode(data)
    if problem or language == "unknown":
        return FileReport(path, language, error=problem or "not a C or Python file"), ""
    parsed = syntax.parse(text, language)
    names = tuple(FunctionReport(u.name, u.line, u.end_line) for u in parsed.units)
    return FileReport(path, language, parsed.syntax_errors, names), text


def _progress(show: bool, done: int, total: int) -> None:
    if not show or total == 0:
        return
    width = 30
    filled = width * done // total
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\r" + " " * (width + 20) + "\r")
    sys.stderr.flush()


# ------------------------------------------------------------------------------ formats


def render(reports: list[FileReport], fmt: str, explain: bool, elapsed: float) -> str:
    if fmt == "json":
        return json.dumps(report_json(reports, TOOL), indent=2) + "\n"
    if fmt == "sarif":
        from prooflens.sarif import sarif_report

        return json.dumps(sarif_report(reports, TOOL, __version__), indent=2) + "\n"
    return "".join(_text_lines(reports, explain)) + summary(reports, elapsed) + "\n"


def _text_lines(reports: list[FileReport], explain: bool) -> Iterator[str]:
    for report in reports:
        if report.error:
            yield f"{report.path}:1:1: {WORDS[presentation.FILE_ERROR]}: {report.error}\n"
        for error in report.syntax_errors:
            where = f"{report.path}:{error.line}:{error.column}"
            yield f"{where}: {WORDS[presentation.SYNTAX_ERROR]}: {error.message}\n"
        for function in report.functions:
            if not function.results:
                yield f"{report.path}:{function.line}:1: info: {function.name}: nothing to check\n"
            for result in function.results:
                yield _finding(report.path, function, result)
                if explain:
                    yield from _explanation(result)


def _finding(path: str, function: FunctionReport, result: Result) -> str:
    """`path:line:col: severity: function: message [property]`."""
    word = WORDS[presentation.severity(result, function.always_true_requested)]
    where = f"{path}:{result.line}:{result.column}"
    text = presentation.message(result)
    return f"{where}: {word}: {function.name}: {text} [{result.property}]\n"


def _explanation(result: Result) -> Iterator[str]:
    if result.certificate:
        yield f"    certificate: {result.certificate}\n"
    if result.reason and result.status == "unknown":
        yield f"    reason: {result.reason}\n"
    for step in result.trace:
        values = ", ".join(f"{k}={v}" for k, v in step.values.items())
        yield f"    line {step.line}: {values}\n"
    if result.evidence.replay:
        yield f"    replay: {result.evidence.replay}\n"


def summary(reports: list[FileReport], elapsed: float) -> str:
    """`prooflens: F files, N functions: statuses; syntax errors; severities (time)`."""
    counted = presentation.counts(reports)
    statuses = [f"{counted.statuses.get(s, 0)} {s}" for s in ("proved", "refuted", "bounded",
                                                               "unknown")]  # fmt: skip
    if counted.statuses.get("tested"):
        statuses.append(f"{counted.statuses['tested']} tested")
    alarms = [_plural(counted.severities.get(s, 0), s) for s in (Severity.ERROR, Severity.WARNING)]
    return (f"prooflens: {counted.files} files, {counted.functions} functions: "
            f"{', '.join(statuses)}; {counted.syntax_errors} syntax errors; "
            f"{', '.join(alarms)} ({elapsed:.2f} s)")  # fmt: skip


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")
