"""Verified reports by unit key: in memory (LRU) and on disk (one JSON file per key in the
user cache dir), so reopening a file shows its verdicts at once. Reads tolerate missing,
partial or corrupt files (a miss); writes are atomic (temp file + rename)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from prooflens.analysis.verdicts import FunctionReport

log = logging.getLogger(__name__)
CACHE_FORMAT = 1
PRUNE_EVERY = 500  # writes between two checks of the disk cache's size
_KEY = re.compile(r"^[0-9A-Za-z_-]{8,128}$")


@dataclass(frozen=True)
class CachedReport:
    """A report and the line its unit started at when it was computed (for re-anchoring)."""

    anchor_line: int
    report: FunctionReport

    def at(self, line: int) -> FunctionReport:
        """The report re-anchored to a unit that now starts at `line`."""
        delta = line - self.anchor_line
        return self.report if delta == 0 else self.report.shifted(delta)


def default_cache_dir() -> Path:
    """$PROOFLENS_CACHE_DIR, else $XDG_CACHE_HOME/prooflens, else ~/.cache/prooflens."""
    explicit = os.environ.get("PROOFLENS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "prooflens"


class ReportCache:
    """Memory LRU in front of an optional directory of JSON files."""

    def __init__(
        self, directory: Path | None, memory_entries: int = 20_000, disk_entries: int = 50_000
    ) -> None:
        self.directory = directory
        self.memory_entries = memory_entries
        self.disk_entries = disk_entries
        self._memory: OrderedDict[str, CachedReport] = OrderedDict()
        self._writes = 0

    def get(self, key: str) -> CachedReport | None:
        entry = self._memory.get(key)
        if entry is not None:
            self._memory.move_to_end(key)
            return entry
        entry = self._read(key)
        if entry is not None:
            self._remember(key, entry)
        return entry

    def put(self, key: str, entry: CachedReport) -> None:
        self._remember(key, entry)
        self._write(key, entry)

    def _remember(self, key: str, entry: CachedReport) -> None:
        self._memory[key] = entry
        self._memory.move_to_end(key)
        while len(self._memory) > self.memory_entries:
            self._memory.popitem(last=False)

    def _path(self, key: str) -> Path | None:
        if self.directory is None or not _KEY.match(key):
            return None
        return self.directory / f"{key}.json"

    def _read(self, key: str) -> CachedReport | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != CACHE_FORMAT or data.get("key") != key:
                return None
            return CachedReport(int(data["anchor_line"]), FunctionReport.from_json(data["report"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            log.warning("ignoring unreadable cache entry %s: %s", path, error)
            return None

    def _write(self, key: str, entry: CachedReport) -> None:
        path = self._path(key)
        if path is None:
            return
        data = {
            "format": CACHE_FORMAT,
            "key": key,
            "anchor_line": entry.anchor_line,
            "report": entry.report.to_json(),
        }
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(tmp, path)
            tmp = None
        except (OSError, TypeError, ValueError) as error:
            log.warning("could not write cache entry %s: %s", path, error)
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        self._writes += 1
        if self._writes % PRUNE_EVERY == 1:
            self.prune()

    def prune(self) -> None:
        """Keep the disk cache under `disk_entries` files: drop the least recently
        written quarter when it is over."""
        if self.directory is None:
            return
        try:
            entries = [(p.stat().st_mtime, p) for p in self.directory.glob("*.json")]
        except OSError:
            return
        if len(entries) <= self.disk_entries:
            return
        entries.sort()
        for _, stale in entries[: len(entries) - (self.disk_entries * 3) // 4]:
            with contextlib.suppress(OSError):
                stale.unlink()
