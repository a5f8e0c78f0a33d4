"""The server's state and decisions, free of LSP transport: open documents, which units
to verify when (modes, debounce), results by key (re-anchored), and what to publish.

The LSP layer (`lsp.py`) feeds it events and implements `Publisher`; unit tests drive it
with a fake runner and a recording publisher."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from lsprotocol import types as lsp

import prooflens
from prooflens.analysis import presentation, syntax
from prooflens.analysis.verdicts import Evidence, FunctionReport, Result
from prooflens.server import documents, render
from prooflens.server.actions import uri_to_path
from prooflens.server.cache import CachedReport, ReportCache
from prooflens.server.config import ServerConfig
from prooflens.server.documents import Change, Document, UnitKeys
from prooflens.server.model import BROKEN, IDLE, PENDING, UnitView
from prooflens.server.positions import UTF16, LineIndex
from prooflens.server.scheduler import BUDGET, DEEP, QUICK, Job, Runner, Scheduler
from prooflens.server.workers import JobRequest, Outcome

log = logging.getLogger(__name__)
# What `Session.warm_up` parses: one small function per language.
WARM_TEXTS = {"python": "def _warm(x):\n    return x\n", "c": "int _warm(int x) { return x; }\n"}


class Publisher(Protocol):
    """What the session tells the editor."""

    def diagnostics(self, uri: str, version: int, items: list[lsp.Diagnostic]) -> None: ...
    def results_changed(self) -> None: ...
    def status(self, counts: dict[str, int]) -> None: ...
    def progress(self, uri: str, done: int, total: int) -> None: ...


@dataclass
class Timer:
    """A cancellable delayed call (the debounce timer of one document)."""

    handle: asyncio.TimerHandle | None = None

    def restart(self, delay_s: float, callback: Callable[[], None]) -> None:
        self.cancel()
        self.handle = asyncio.get_running_loop().call_later(delay_s, callback)

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None


class Session:
    """Open documents and their verification state."""

    def __init__(
        self,
        publisher: Publisher,
        cache: ReportCache,
        runner: Runner,
        concurrency: int,
        config: ServerConfig | None = None,
        tool_version: str = prooflens.__version__,
    ) -> None:
        self.publisher = publisher
        self.cache = cache
        self.config = config or ServerConfig()
        self.tool_version = tool_version
        self.encoding = UTF16
        self.docs: dict[str, Document] = {}
        self.timers: dict[str, Timer] = {}
        self.scheduler = Scheduler(runner, concurrency, self._job_done, self._state_changed)
        self._last_status: dict[str, int] | None = None

    # ------------------------------------------------------------------ events

    def warm_up(self) -> None:
        """Pay the first parse of each language and the first unit key (its analyser digest
        imports the analysis) at `initialize`, not on the first didOpen."""
        quick = self.config.quick_settings().fingerprint()
        for language, text in WARM_TEXTS.items():
            doc = documents.open_document(f"untitled:prooflens-warm-up.{language}", language,
                                          0, text)  # fmt: skip
            for unit in doc.units():
                assert doc.parsed is not None
                syntax.unit_key(doc.parsed, unit, quick, self.tool_version)

    def open(self, uri: str, language: str, version: int, text: str) -> None:
        """A newly opened document: no debounce; its quick checks go before every job
        queued so far (its deep checks before every queued deep one), in file order --
        the function under the cursor first once `focus` says which it is."""
        self.close(uri)
        doc = documents.open_document(uri, language, version, text)
        self.docs[uri] = doc
        self._rekey(doc)
        self._schedule_missing(doc, boost=self.scheduler.next_boost())
        self._publish(doc)

    def focus(self, uri: str, line: int) -> None:
        """The cursor is at `line` (1-based) of `uri` (a hover or a code-action request):
        the queued jobs of the function there go first (quick before deep, as always)."""
        doc = self.docs.get(uri)
        if doc is None:
            return
        for unit in doc.units():
            if unit.line <= line <= unit.end_line:
                self.scheduler.promote({(uri, unit.name)})
                return

    def _schedule_missing(self, doc: Document, boost: int = 0) -> None:
        """What opening a document runs: quick then deep checks (onChange), deep checks
        (onSave), nothing (manual); units with a result for their key are skipped."""
        if self.config.mode == "onChange":
            self._schedule(doc, QUICK, boost=boost)
            self._schedule(doc, DEEP, boost=boost)
        elif self.config.mode == "onSave":
            self._schedule(doc, DEEP, boost=boost)

    def change(self, uri: str, version: int, changes: list[Change]) -> None:
        doc = self.docs.get(uri)
        if doc is None:
            return
        documents.apply_changes(doc, changes, self.encoding)
        doc.version = version
        self._rekey(doc)
        if self.config.mode == "onChange":
            doc.debouncing = True
            timer = self.timers.setdefault(uri, Timer())
            timer.restart(self.config.debounce_ms / 1000, lambda: self._debounced(uri))
        self._publish(doc)

    def save(self, uri: str) -> None:
        doc = self.docs.get(uri)
        if doc is not None and self.config.mode in ("onChange", "onSave"):
            self._flush_debounce(doc)
            self._schedule(doc, DEEP)
            self._publish(doc)

    def close(self, uri: str) -> None:
        doc = self.docs.pop(uri, None)
        timer = self.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        if doc is not None:
            self.scheduler.retain(uri, set())
            self.publisher.diagnostics(uri, doc.version, [])
            self.publisher.progress(uri, 0, 0)
            self._state_changed()

    def set_config(self, config: ServerConfig) -> None:
        """New settings: keys change with them, so re-key and re-schedule every document."""
        old = self.config
        self.config = config
        if old == config:
            return
        for doc in self.docs.values():
            self._rekey(doc)
            self._schedule_missing(doc)
            self._publish(doc)
        self.publisher.results_changed()

    def verify_file(self, uri: str) -> bool:
        doc = self.docs.get(uri)
        if doc is None:
            return False
        self._flush_debounce(doc)
        self._schedule(doc, DEEP, force=True)
        self._publish(doc)
        return True

    def verify_function(self, uri: str, name: str, timeout_s: float | None = None) -> bool:
        doc = self.docs.get(uri)
        if doc is None or not any(u.name == name for u in doc.units()):
            return False
        self._flush_debounce(doc)
        if timeout_s is not None:
            doc.budgets[name] = timeout_s
            self._rekey(doc)
            self._schedule(doc, BUDGET, force=True, names={name})
        else:
            self._schedule(doc, DEEP, force=True, names={name})
        self._publish(doc)
        return True

    def shutdown(self) -> None:
        for timer in self.timers.values():
            timer.cancel()
        self.scheduler.cancel_all()

    # ------------------------------------------------------------------ views

    def views(self, uri: str) -> list[UnitView]:
        doc = self.docs.get(uri)
        if doc is None:
            return []
        busy = self.scheduler.busy_owners(uri)
        return [self._view(doc, unit, keys, busy)
                for unit, keys in zip(doc.units(), doc.keys, strict=False)]  # fmt: skip

    def _view(self, doc: Document, unit: syntax.Unit, keys: UnitKeys, busy: set[str]) -> UnitView:
        report, mode = None, ""
        for kind, key in ((BUDGET, keys.budget), (DEEP, keys.deep), (QUICK, keys.quick)):
            entry = doc.pinned.get(key) if key else None
            if entry is not None:
                report, mode = entry.at(unit.line), kind
                break
        if unit.has_error:
            state = BROKEN
        elif unit.name in busy or (report is None and doc.debouncing):
            state = PENDING
        else:
            state = "done" if report is not None else IDLE
        if unit.has_error:
            report = None
        elif report is not None:  # asked for always-true? read from the text as it is now
            report = presentation.with_request(report, doc.text, doc.language)
        return UnitView(doc.uri, unit.name, unit.line, unit.end_line, unit.name_line,
                        unit.name_column, report, state, mode)  # fmt: skip

    def diagnostics(self, doc: Document) -> list[lsp.Diagnostic]:
        if doc.parsed is None:
            return []
        items = render.syntax_diagnostics(doc.parsed.syntax_errors, doc.index, self.encoding)
        for view in self.views(doc.uri):
            items.extend(render.result_diagnostics(view, doc.index, self.encoding))
        return items

    def status_counts(self) -> dict[str, int]:
        views = [v for uri in self.docs for v in self.views(uri)]
        return render.status_counts(views, len(self.docs))

    # ------------------------------------------------------------------ internals

    def _rekey(self, doc: Document) -> None:
        """Keys of every unit; keep results of keys still present; cancel jobs of keys
        that are gone (a newer edit of the unit)."""
        parsed = doc.parsed
        quick = self.config.quick_settings().fingerprint()
        deep = self.config.deep_settings().fingerprint()
        keys: list[UnitKeys] = []
        for unit in doc.units():
            assert parsed is not None  # a document has units only when it is parsed
            budget = None
            if unit.name in doc.budgets:
                settings = self.config.deep_settings(doc.budgets[unit.name])
                budget = syntax.unit_key(parsed, unit, settings.fingerprint(), self.tool_version)
            keys.append(UnitKeys(
                quick=syntax.unit_key(parsed, unit, quick, self.tool_version),
                deep=syntax.unit_key(parsed, unit, deep, self.tool_version),
                budget=budget,
            ))  # fmt: skip
        doc.keys = keys
        wanted = {key for k in keys for key in k.all()}
        pinned = {}
        for key in wanted:
            entry = doc.pinned.get(key) or self.cache.get(key)
            if entry is not None:
                pinned[key] = entry
        doc.pinned = pinned
        self.scheduler.retain(doc.uri, {(u.name, key)
                                        for u, k in zip(doc.units(), keys, strict=True)
                                        for key in k.all()})  # fmt: skip

    def _settings_for(self, doc: Document, unit: syntax.Unit, mode: str):
        if mode == QUICK:
            return self.config.quick_settings()
        if mode == BUDGET:
            return self.config.deep_settings(doc.budgets.get(unit.name))
        return self.config.deep_settings()

    def _schedule(
        self,
        doc: Document,
        mode: str,
        force: bool = False,
        names: set[str] | None = None,
        boost: int = 0,
    ) -> None:
        """Queue `mode` jobs for the units (of `names`) that lack a result; `boost` orders
        them before queued jobs of the same priority with a smaller boost."""
        if doc.parsed is None:
            return
        for unit, keys in zip(doc.units(), doc.keys, strict=True):
            if unit.has_error or (names is not None and unit.name not in names):
                continue
            key = {QUICK: keys.quick, DEEP: keys.deep, BUDGET: keys.budget}[mode]
            if key is None:
                continue
            if not force and (key in doc.pinned or (mode == QUICK and self._has_result(doc, keys))):
                continue
            request = JobRequest(
                text="",  # built when the job starts (`Job.text`)
                language=doc.language,
                name=unit.name,
                settings=self._settings_for(doc, unit, mode),
                path=uri_to_path(doc.uri) or "<memory>",
            )
            job = Job(key=key, request=request, mode=mode, anchor_line=unit.line,
                      name_line=unit.name_line, name_column=unit.name_column,
                      end_line=unit.end_line,
                      text=_text_of(doc.parsed, doc.index, unit))  # fmt: skip
            # every caller publishes (and so reports the state) once all are queued
            self.scheduler.submit(job, (doc.uri, unit.name), force=force, boost=boost,
                                  notify=False)  # fmt: skip
            if force:
                doc.pinned.pop(key, None)

    @staticmethod
    def _has_result(doc: Document, keys: UnitKeys) -> bool:
        return any(key in doc.pinned for key in keys.all())

    def _debounced(self, uri: str) -> None:
        doc = self.docs.get(uri)
        if doc is None:
            return
        doc.debouncing = False
        self._schedule(doc, QUICK)
        self._publish(doc)

    def _flush_debounce(self, doc: Document) -> None:
        timer = self.timers.get(doc.uri)
        if timer is not None:
            timer.cancel()
        if doc.debouncing:
            doc.debouncing = False
            if self.config.mode == "onChange":
                self._schedule(doc, QUICK)

    def _job_done(self, job: Job, outcome: Outcome) -> None:
        if outcome.kind == "ok" and isinstance(outcome.report, FunctionReport):
            entry = CachedReport(job.anchor_line, outcome.report)
            self.cache.put(job.key, entry)
        else:
            entry = CachedReport(job.anchor_line, _dont_know(job, outcome))
        touched = []
        for uri, _name in job.owners:
            doc = self.docs.get(uri)
            if doc is not None and any(job.key in k.all() for k in doc.keys):
                doc.pinned[job.key] = entry
                touched.append(doc)
        for doc in {id(d): d for d in touched}.values():
            self._publish(doc)
        if touched:
            self.publisher.results_changed()

    def _publish(self, doc: Document) -> None:
        self.publisher.diagnostics(doc.uri, doc.version, self.diagnostics(doc))
        self._state_changed()

    def _state_changed(self) -> None:
        counts = self.status_counts()
        if counts != self._last_status:
            self._last_status = counts
            self.publisher.status(counts)
        for uri, doc in self.docs.items():
            busy = len(self.scheduler.busy_owners(uri))
            if busy:
                doc.progress_total = max(doc.progress_total, busy)
                self.publisher.progress(uri, doc.progress_total - busy, doc.progress_total)
            elif doc.progress_total:
                doc.progress_total = 0
                self.publisher.progress(uri, 0, 0)


def _text_of(parsed: syntax.ParsedFile, index: LineIndex, unit: syntax.Unit) -> Callable[[], str]:
    """The job text of `unit` in this version of its document, built on demand (a later
    version that keeps the unit's key keeps the verdict this text gives)."""
    return lambda: documents.job_text(parsed, index, unit)


def _dont_know(job: Job, outcome: Outcome) -> FunctionReport:
    """The report of a job that produced none: timeout, crash, out of memory."""
    if outcome.kind == "timeout":
        reason = f"timeout {job.request.settings.timeout_s:g} s"
    else:
        reason = outcome.detail or f"worker {outcome.kind}"
    result = Result(
        property="unsupported",
        line=job.name_line or job.anchor_line,
        column=job.name_column,
        status="unknown",
        message=f"don't know: {reason}",
        reason=reason,
        evidence=Evidence(server=outcome.kind),
    )
    end_line = max(job.end_line, job.anchor_line)
    return FunctionReport(job.request.name, job.anchor_line, end_line, (result,))
