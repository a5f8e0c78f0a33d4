"""The pygls 2 language server: LSP messages in, `Session` calls, LSP data out.

No reasoning here: documents, results and decisions live in `Session`; rendering in
`render` and `actions`. Every handler is defensive: a bad request is answered with an
LSP error or an empty result, and the server keeps serving."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

import prooflens
from prooflens.analysis import syntax
from prooflens.server import actions, render
from prooflens.server.cache import ReportCache, default_cache_dir
from prooflens.server.config import ServerConfig, parse_config
from prooflens.server.documents import Change
from prooflens.server.model import UnitView
from prooflens.server.positions import normalise_encoding
from prooflens.server.session import Session
from prooflens.server.workers import JobRequest, Outcome, WorkerPool

log = logging.getLogger(__name__)
STATUS = "prooflens/status"
JOBS = "prooflens/jobs"
VERIFY_FILE = "prooflens.verifyFile"
VERIFY_FUNCTION = render.VERIFY_COMMAND
SHOW_TRACE = render.TRACE_COMMAND
LANGUAGE_IDS = {"python": "python", "c": "c"}
REFRESH_DELAY_S = 0.05
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Protocol(LanguageServerProtocol):
    """pygls 2.1 files the future of every generator or async notification handler (the
    built-in didOpen/didChange/didClose among them) in `_request_futures` and never removes
    it: about 2 KB per keystroke, forever. Forget each entry once its future is done."""

    def _execute_handler(
        self, msg_id: Any, handler: Any, callback: Any, args: Any = None, kwargs: Any = None
    ) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(lambda done: self._forget(msg_id, done))

    def _forget(self, msg_id: Any, future: Any) -> None:
        if self._request_futures.get(msg_id) is future:
            self._request_futures.pop(msg_id, None)


class ProoflensServer(LanguageServer):
    """pygls server owning the session, the worker pool and editor-side bookkeeping."""

    def __init__(self, cache: ReportCache | None = None) -> None:
        super().__init__("prooflens", prooflens.__version__, protocol_cls=_Protocol)
        self.config = ServerConfig()
        self.pool: WorkerPool | None = None
        self.session = Session(
            publisher=_Publisher(self),
            cache=cache if cache is not None else ReportCache(default_cache_dir()),
            runner=self.run_job,
            concurrency=self.config.worker_count(),
            config=self.config,
        )
        self.progress_tokens: dict[str, _ProgressState] = {}
        self._refresh_pending = False
        self._token_ids = itertools.count(1)

    def ensure_pool(self) -> WorkerPool:
        """The worker pool, started at `initialize` (or on first use) without blocking the
        event loop: its workers warm up (see `warm`) while the editor opens documents, and
        jobs submitted meanwhile wait for the first worker that is up."""
        if self.pool is None:
            self.pool = WorkerPool(self.config.worker_count(), self.config.memory_mb)
            self.pool.start_soon()
        return self.pool

    async def run_job(self, request: JobRequest, budget_s: float) -> Outcome:
        return await self.ensure_pool().run(request, budget_s)

    def apply_config(self, data: Any) -> None:
        """Merge client settings (tolerantly), resize the pool if needed, re-key."""
        config, problems = parse_config(data, self.config)
        for problem in problems:
            self.log_message(f"prooflens settings: {problem}", lsp.MessageType.Warning)
        old = self.config
        self.config = config
        if (old.worker_count(), old.memory_mb) != (config.worker_count(), config.memory_mb):
            self.session.scheduler.cancel_all()
            self.session.scheduler.concurrency = config.worker_count()
            if self.pool is not None:
                self.pool.stop()
                self.pool = None
        self.session.set_config(config)

    def stop_workers(self) -> None:
        self.session.shutdown()
        if self.pool is not None:
            self.pool.stop()
            self.pool = None

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log instead of a pop-up: the server keeps serving."""
        log.error("server error (%s): %s", getattr(source, "__name__", source), error)

    def log_message(self, message: str, kind: lsp.MessageType = lsp.MessageType.Info) -> None:
        log.info("%s", message)
        try:
            self.window_log_message(lsp.LogMessageParams(type=kind, message=message))
        except Exception:  # no transport yet
            log.debug("could not send log message", exc_info=True)

    # ------------------------------------------------------------ capabilities

    def client_supports(self, path: str) -> bool:
        node: Any = self.client_capabilities
        for part in path.split("."):
            node = getattr(node, part, None)
            if node is None:
                return False
        return bool(node)

    def schedule_refresh(self) -> None:
        """Ask the client to re-request code lenses and inlay hints (coalesced)."""
        if self._refresh_pending:
            return
        self._refresh_pending = True
        asyncio.get_running_loop().call_later(REFRESH_DELAY_S, self._refresh)

    def _refresh(self) -> None:
        self._refresh_pending = False
        try:
            if self.client_supports("workspace.code_lens.refresh_support"):
                self.workspace_code_lens_refresh(None)
            if self.client_supports("workspace.inlay_hint.refresh_support"):
                self.workspace_inlay_hint_refresh(None)
        except Exception:
            log.warning("refresh request failed", exc_info=True)


class _ProgressState:
    """One work-done progress token: created, begun, ended."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.created = False
        self.begun = False
        self.latest: tuple[int, int] = (0, 0)
        self.ended = False


class _Publisher:
    """`Publisher` over pygls: notifications, refresh requests, progress."""

    def __init__(self, server: ProoflensServer) -> None:
        self.server = server

    def diagnostics(self, uri: str, version: int, items: list[lsp.Diagnostic]) -> None:
        self.server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=items, version=version)
        )

    def results_changed(self) -> None:
        self.server.schedule_refresh()

    def status(self, counts: dict[str, int]) -> None:
        self.server.protocol.notify(STATUS, counts)

    def progress(self, uri: str, done: int, total: int) -> None:
        server = self.server
        if not server.client_supports("window.work_done_progress"):
            return
        state = server.progress_tokens.get(uri)
        if total == 0:
            if state is not None:
                state.ended = True
                server.progress_tokens.pop(uri, None)
                if state.begun:
                    _end(server, state)
            return
        if state is None:
            state = _ProgressState(f"prooflens-{next(server._token_ids)}")
            server.progress_tokens[uri] = state
            state.latest = (done, total)
            server.work_done_progress.create(state.token, lambda *_: _created(server, state, uri))
            return
        state.latest = (done, total)
        if state.begun:
            server.work_done_progress.report(
                state.token,
                lsp.WorkDoneProgressReport(message=_progress_text(done, total),
                                           percentage=_percent(done, total)),  # fmt: skip
            )


def _created(server: ProoflensServer, state: _ProgressState, uri: str) -> None:
    state.created = True
    done, total = state.latest
    name = uri.rsplit("/", 1)[-1]
    server.work_done_progress.begin(
        state.token,
        lsp.WorkDoneProgressBegin(title=f"prooflens: verifying {name}",
                                  message=_progress_text(done, total),
                                  percentage=_percent(done, total), cancellable=False),
    )  # fmt: skip
    state.begun = True
    if state.ended:
        _end(server, state)


def _end(server: ProoflensServer, state: _ProgressState) -> None:
    server.work_done_progress.end(state.token, lsp.WorkDoneProgressEnd(message="done"))


def _progress_text(done: int, total: int) -> str:
    return f"{done}/{total} functions"


def _percent(done: int, total: int) -> int:
    return int(100 * done / total) if total else 0


# -------------------------------------------------------------------- helpers


def _language(uri: str, language_id: str | None) -> str | None:
    if language_id in LANGUAGE_IDS:
        return LANGUAGE_IDS[language_id]
    return syntax.language_for_path(uri)


def _word_at(line_text: str, char: int) -> str | None:
    for match in _WORD.finditer(line_text):
        if match.start() <= char <= match.end():
            return match.group()
    return None


def _view_at(server: ProoflensServer, uri: str, line: int) -> UnitView | None:
    for view in server.session.views(uri):
        if view.line <= line <= view.end_line:
            return view
    return None


def _change(change: Any) -> Change:
    rng = getattr(change, "range", None)
    if rng is None:
        return Change(None, change.text)
    return Change(
        (rng.start.line, rng.start.character, rng.end.line, rng.end.character), change.text
    )


# -------------------------------------------------------------------- features


def build_server(cache: ReportCache | None = None) -> ProoflensServer:
    """A server with every feature registered (a fresh one per call)."""
    server = ProoflensServer(cache)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: ProoflensServer, params: lsp.InitializeParams) -> None:
        ls.session.encoding = normalise_encoding(ls.workspace.position_encoding)
        if params.initialization_options is not None:
            ls.apply_config(params.initialization_options)
        ls.ensure_pool()  # pre-start and warm the workers before the first didOpen
        ls.session.warm_up()  # and this process's parsers and unit keys

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: ProoflensServer, params: lsp.InitializedParams) -> None:
        await _pull_config(ls)
        ls.ensure_pool()  # again if the pulled settings resized the pool

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: ProoflensServer, params: lsp.DidChangeConfigurationParams
    ) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("prooflens"), dict):
            ls.apply_config(settings["prooflens"])
        else:
            await _pull_config(ls)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ProoflensServer, params: lsp.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        language = _language(item.uri, item.language_id)
        if language is not None:
            ls.session.open(item.uri, language, item.version, item.text)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ProoflensServer, params: lsp.DidChangeTextDocumentParams) -> None:
        doc = params.text_document
        try:
            ls.session.change(doc.uri, doc.version, [_change(c) for c in params.content_changes])
        except Exception:  # out of sync: start again from pygls' copy of the text
            log.exception("could not apply a change to %s; re-reading the document", doc.uri)
            known = ls.session.docs.get(doc.uri)
            if known is not None:
                text = ls.workspace.get_text_document(doc.uri).source
                ls.session.open(doc.uri, known.language, doc.version, text)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ProoflensServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.session.save(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ProoflensServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.session.close(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_LENS)
    def code_lens(ls: ProoflensServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
        doc = ls.session.docs.get(params.text_document.uri)
        if doc is None:
            return []
        lenses: list[lsp.CodeLens] = []
        for view in ls.session.views(doc.uri):
            lenses.extend(render.code_lenses(view, doc.index, ls.session.encoding))
        return lenses

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: ProoflensServer, params: lsp.HoverParams) -> lsp.Hover | None:
        doc = ls.session.docs.get(params.text_document.uri)
        if doc is None:
            return None
        pos = params.position
        line, column = doc.index.analysis_position(pos.line, pos.character, ls.session.encoding)
        ls.session.focus(doc.uri, line)
        view = _view_at(ls, doc.uri, line)
        if view is None:
            return None
        word = _word_at(doc.index.line_text(line - 1), column - 1)
        text = render.hover_markdown(view, line, word)
        if text is None:
            return None
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text)
        )

    @server.feature(lsp.TEXT_DOCUMENT_INLAY_HINT)
    def inlay_hint(ls: ProoflensServer, params: lsp.InlayHintParams) -> list[lsp.InlayHint]:
        doc = ls.session.docs.get(params.text_document.uri)
        if doc is None or not ls.config.inlay_hints:
            return []
        first, last = params.range.start.line + 1, params.range.end.line + 1
        hints: list[lsp.InlayHint] = []
        for view in ls.session.views(doc.uri):
            if view.end_line >= first and view.line <= last:
                hints.extend(render.inlay_hints(view, doc.index, first, last,
                                                ls.session.encoding))  # fmt: skip
        return hints

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_action(ls: ProoflensServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        doc = ls.session.docs.get(params.text_document.uri)
        if doc is None:
            return []
        first, last = params.range.start.line + 1, params.range.end.line + 1
        ls.session.focus(doc.uri, first)  # editors ask for code actions where the cursor is
        found: list[lsp.CodeAction] = []
        for view in ls.session.views(doc.uri):
            if view.end_line < first or view.line > last:
                continue
            timeout = doc.budgets.get(view.name, ls.config.timeout_s)
            found.extend(actions.code_actions(view, doc.language, first, last, timeout,
                                              list(params.context.diagnostics)))  # fmt: skip
        return found

    @server.command(VERIFY_FILE)
    def verify_file(ls: ProoflensServer, *args: Any) -> None:
        if len(args) < 1 or not isinstance(args[0], str):
            raise ValueError("prooflens.verifyFile expects [uri]")
        if not ls.session.verify_file(args[0]):
            raise ValueError(f"not an open C or Python document: {args[0]}")

    @server.command(VERIFY_FUNCTION)
    def verify_function(ls: ProoflensServer, *args: Any) -> None:
        if len(args) < 2 or not all(isinstance(a, str) for a in args[:2]):
            raise ValueError("prooflens.verifyFunction expects [uri, name, options?]")
        timeout = None
        if len(args) > 2 and isinstance(args[2], dict):
            value = args[2].get("timeoutSeconds")
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                timeout = float(value)
        if not ls.session.verify_function(args[0], args[1], timeout):
            raise ValueError(f"no function {args[1]!r} in open document {args[0]}")

    @server.command(SHOW_TRACE)
    def show_trace(ls: ProoflensServer, *args: Any) -> str:
        if len(args) < 2 or not all(isinstance(a, str) for a in args[:2]):
            raise ValueError("prooflens.showTrace expects [uri, name, line?]")
        views = [v for v in ls.session.views(args[0]) if v.name == args[1]]
        if not views:
            raise ValueError(f"no function {args[1]!r} in open document {args[0]}")
        line = args[2] if len(args) > 2 and isinstance(args[2], int) else None
        if line is not None and line != views[0].name_line:
            text = render.hover_markdown(views[0], line)
            if text:
                return text
        return render.function_markdown(views[0])

    @server.feature(JOBS)
    def jobs(ls: ProoflensServer, params: Any = None) -> dict[str, Any]:
        running = [dict(job.entry, pid=_pid_of(ls, job.key))
                   for job in ls.session.scheduler.running.values()]  # fmt: skip
        return {
            "jobs": list(ls.session.scheduler.log),
            "running": running,
            "pending": len(ls.session.scheduler.pending),
            "debouncing": any(doc.debouncing for doc in ls.session.docs.values()),
            "workers": ls.pool.pids() if ls.pool is not None else [],
        }

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: ProoflensServer, params: Any = None) -> None:
        ls.stop_workers()

    @server.feature(lsp.EXIT)
    def exit_(ls: ProoflensServer, params: Any = None) -> None:
        ls.stop_workers()

    return server


def _pid_of(server: ProoflensServer, key: str) -> int | None:
    """The pid of the worker running the job of `key` (None if not on a worker yet)."""
    job = server.session.scheduler.running.get(key)
    if server.pool is None or job is None:
        return None
    return server.pool.pid_running(job.request)


async def _pull_config(ls: ProoflensServer) -> None:
    """Ask the client for the `prooflens` section (if it can answer)."""
    if not ls.client_supports("workspace.configuration"):
        return
    try:
        answer = await ls.workspace_configuration_async(
            lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="prooflens")])
        )
    except Exception as error:
        log.warning("workspace/configuration failed: %s", error)
        return
    if answer and isinstance(answer[0], dict):
        ls.apply_config(answer[0])
