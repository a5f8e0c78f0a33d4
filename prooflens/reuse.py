"""What `prooflens check` need not verify again: reports reused by unit key (the same
on-disk cache as the language server's) and, in diff mode (`--changed-since REF`), the
units whose key did not change since a git revision."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from prooflens import __version__
from prooflens.analysis import syntax
from prooflens.analysis.settings import Settings
from prooflens.analysis.verdicts import FunctionReport
from prooflens.server.cache import CachedReport, ReportCache, default_cache_dir


@dataclass
class Reuse:
    """The cache (None: `--no-cache`) and the settings every key is made with."""

    cache: ReportCache | None
    settings: Settings

    @classmethod
    def open(cls, settings: Settings, enabled: bool) -> Reuse:
        return cls(ReportCache(default_cache_dir()) if enabled else None, settings)

    def key(self, parsed: syntax.ParsedFile, unit: syntax.Unit) -> str:
        # Exactly the server's key (server/session.py): both share one cache.
        return syntax.unit_key(parsed, unit, self.settings.fingerprint(), __version__)

    def get(self, parsed: syntax.ParsedFile, unit: syntax.Unit) -> FunctionReport | None:
        if self.cache is None:
            return None
        entry = self.cache.get(self.key(parsed, unit))
        return None if entry is None else entry.at(unit.line)

    def put(self, parsed: syntax.ParsedFile, unit: syntax.Unit, report: FunctionReport) -> None:
        if self.cache is not None and not _incomplete(report):
            self.cache.put(self.key(parsed, unit), CachedReport(unit.line, report))


def _incomplete(report: FunctionReport) -> bool:
    """A report that says the worker died or ran out of memory is not a verdict to keep."""
    return any(r.reason in ("worker process died", "out of memory") for r in report.results)


# ------------------------------------------------------------------------- diff mode


@dataclass(frozen=True)
class Baseline:
    """A file as it was at the revision: its parse (None when it did not exist)."""

    parsed: syntax.ParsedFile | None

    def unit_named(self, name: str) -> syntax.Unit | None:
        if self.parsed is None:
            return None
        return next((u for u in self.parsed.units if u.name == name), None)


def baseline(path: str, ref: str) -> Baseline | str:
    """The file at git revision `ref`, or why it cannot be read (not a git work tree,
    unknown revision)."""
    folder = os.path.dirname(os.path.abspath(path))
    top = _git(["rev-parse", "--show-toplevel"], folder)
    if isinstance(top, Exception):
        return f"not in a git work tree: {path}"
    relative = os.path.relpath(os.path.abspath(path), top.strip())
    if isinstance(_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], folder),
                  Exception):  # fmt: skip
        return f"unknown git revision {ref}"
    old = _git(["show", f"{ref}:{relative}"], folder)
    language = syntax.language_for_path(path)
    if isinstance(old, Exception) or language is None:
        return Baseline(None)  # a new file: every unit changed
    return Baseline(syntax.parse(old, language))


def changed_units(
    parsed: syntax.ParsedFile, old: Baseline, reuse: Reuse
) -> list[int]:
    """Positions of the units whose key is not among the revision's keys: their text,
    a callee's text (so the callers of a changed function count), the context or the
    settings changed."""
    if old.parsed is None:
        return list(range(len(parsed.units)))
    before = {reuse.key(old.parsed, u) for u in old.parsed.units}
    return [i for i, u in enumerate(parsed.units) if reuse.key(parsed, u) not in before]


def finding_id(result, unit_line: int) -> tuple[str, str, int, int]:
    """What makes two findings the same one across revisions: the property, the status and
    the place within the function (not in the file: code above it may have moved it; nor
    the witness: another run may find other inputs for the same bug)."""
    return (result.property, result.status, result.line - unit_line, result.column)


def _git(args: list[str], cwd: str) -> str | Exception:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as error:
        return error
    if done.returncode != 0:
        return RuntimeError(done.stderr.strip())
    return done.stdout
