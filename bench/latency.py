"""Section 4: editor latency through the real language server (`python -m prooflens serve`)
driven by bench/lsp_client.py, and the memory of the server and its workers."""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from typing import Any

from bench import generate, scoring
from bench.lsp_client import LspClient, server_argv

STATUS = "prooflens/status"
VERDICT_KEYS = ("proved", "refuted", "bounded", "unknown")


def server_missing() -> str | None:
    """Why the server cannot be benchmarked, or None when it can."""
    try:
        import prooflens.server.lsp  # noqa: F401
        import prooflens.server.main  # noqa: F401
    except Exception as error:  # any import failure means: skip with a note
        return f"the language server is not importable: {type(error).__name__}: {error}"
    return None


# ------------------------------------------------------------------------------- memory


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return children


def tree_rss_mib(root: int) -> float:
    """Resident memory of `root` and all its descendants (MiB)."""
    children = _children_map()
    stack, total = [root], 0
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


class RssSampler:
    """Samples the server tree's RSS every 100 ms; `peak` is the largest sum seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mib(self.pid))
            self._stop.wait(0.1)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


# ----------------------------------------------------------------------------- sessions


class Server:
    """One server process with a fresh on-disk cache (or a given one)."""

    def __init__(self, settings: dict[str, Any], cache_dir: str | None = None) -> None:
        self.cache_dir = cache_dir or tempfile.mkdtemp(prefix="bench-lsp-cache-")
        env = dict(os.environ, PROOFLENS_CACHE_DIR=self.cache_dir)
        self.client = LspClient(server_argv(), env, settings)
        self.sampler = RssSampler(self.client.proc.pid)
        self.root = tempfile.mkdtemp(prefix="bench-lsp-ws-")
        self.client.initialize(self.root)
        self.versions: dict[str, int] = {}

    def open(self, name: str, text: str, language: str) -> tuple[str, float]:
        path = os.path.join(self.root, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        uri = f"file://{path}"
        self.versions[uri] = 1
        sent = self.client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": language, "version": 1, "text": text}})  # fmt: skip
        return uri, sent

    def edit(self, uri: str, line: int, start: int, end: int, text: str) -> float:
        self.versions[uri] += 1
        change = {
            "range": {
                "start": {"line": line, "character": start},
                "end": {"line": line, "character": end},
            },
            "text": text,
        }
        return self.client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": self.versions[uri]},
            "contentChanges": [change]})  # fmt: skip

    def close(self) -> float:
        peak = self.sampler.stop()
        self.client.close()
        return peak


def _status(message: dict[str, Any]) -> dict[str, int] | None:
    return message.get("params") if message.get("method") == STATUS else None


def wait_verified(server: Server, since: float, timeout: float,
                  expect_units: int | None = None) -> float:  # fmt: skip
    """When the server went idle after `since`: a status with nothing running after one
    with jobs running (or, with `expect_units`, once that many units have verdicts)."""
    seen_running = False
    deadline = time.perf_counter() + timeout
    cursor = since
    while True:
        left = deadline - time.perf_counter()
        stamp, message = server.client.wait(lambda m: m.get("method") == STATUS, cursor, left)
        cursor = stamp + 1e-9
        counts = _status(message) or {}
        running = int(counts.get("running", 0))
        seen_running = seen_running or running > 0
        done_units = sum(int(counts.get(k, 0)) for k in VERDICT_KEYS)
        if running == 0 and (seen_running or (expect_units and done_units >= expect_units)):
            return stamp


def _diagnostics(uri: str, syntax: bool | None):
    def match(message: dict[str, Any]) -> bool:
        if message.get("method") != "textDocument/publishDiagnostics":
            return False
        params = message.get("params", {})
        if params.get("uri") != uri:
            return False
        if syntax is None:
            return True
        has = any(d.get("source") == "prooflens-syntax" for d in params.get("diagnostics", []))
        return has == syntax

    return match


# -------------------------------------------------------------------------------- edits


def edit_spots(text: str, count: int) -> list[tuple[int, int]]:
    """(0-based line, column) of digits inside function bodies, spread over the file."""
    spots = []
    for number, line in enumerate(text.splitlines()):
        stripped = line.lstrip()
        if not line.startswith((" ", "\t")) or stripped.startswith(("#", "//", '"""', "*")):
            continue
        match = re.search(r"(?<![\w.])([1-9])(?![\w.])", line)
        if match:
            spots.append((number, match.start(1)))
    if not spots or count <= 0:
        return []
    step = max(1, len(spots) // count)
    return spots[len(spots) // 2 :: step][:count] or spots[:count]


def measure_file(name: str, text: str, language: str, settings: dict[str, Any],
                 opens: int, edits: int, timeout: float, log=print) -> dict[str, Any]:  # fmt: skip
    """didOpen -> verdicts (cold, `opens` fresh servers), then keystroke latencies."""
    open_first, open_verdict, open_all, peaks = [], [], [], []
    each_verdict: list[list[float]] = []  # per cold open: ms until the k-th unit's verdict
    findings: dict[str, list[float]] = {}  # "g2: termination" -> ms until first shown
    syntax_in, syntax_out, verdict = [], [], []
    units = None
    warm_open = None
    cache_dir = None
    for rep in range(opens):
        server = Server(settings)
        cache_dir = server.cache_dir
        try:
            uri, sent = server.open(name, text, language)
            first, _ = server.client.wait(_diagnostics(uri, None), sent, timeout)
            done = wait_verified(server, sent, timeout)
            verdict_at = _first_verdict(server, sent)
            open_first.append((first - sent) * 1000)
            if verdict_at is not None:
                open_verdict.append((verdict_at - sent) * 1000)
            open_all.append((done - sent) * 1000)
            each_verdict.append([(t - sent) * 1000 for t in _verdict_stamps(server, sent)])
            for label, stamp in _finding_stamps(server, uri, sent).items():
                findings.setdefault(label, []).append((stamp - sent) * 1000)
            counts = _last_status(server, sent)
            units = sum(int(counts.get(k, 0)) for k in VERDICT_KEYS)
            if rep == opens - 1:
                _keystrokes(server, uri, text, edits, timeout, syntax_in, syntax_out, verdict)
        except TimeoutError as error:
            log(f"latency: {name}: {error}")
        finally:
            peaks.append(server.close())
    if cache_dir and units:
        warm_open = _warm_open(name, text, language, settings, cache_dir, units, timeout)
    ready = _ready_open(name, text, language, settings, timeout, log) if opens else None
    log(f"latency: {name}: open {_fmt(open_all)}, verdict edit {_fmt(verdict)}")
    return {"file": name, "lines": text.count("\n") + 1, "units_with_verdicts": units,
            "didopen_first_diagnostics_ms": _pcts(open_first),
            "didopen_first_verdict_ms": _pcts(open_verdict),
            "didopen_all_verdicts_ms": _pcts(open_all),
            "didopen_each_verdict_ms": _each(each_verdict),
            "didopen_findings_ms": {k: _pcts(v) for k, v in sorted(findings.items())},
            "didopen_ready_server": ready,
            "didopen_warm_disk_cache_ms": warm_open,
            "keystroke_syntax_error_ms": _pcts(syntax_in),
            "keystroke_syntax_fixed_ms": _pcts(syntax_out),
            "keystroke_updated_verdict_ms": _pcts(verdict),
            "peak_rss_mib": max(peaks) if peaks else None}  # fmt: skip


def _keystrokes(server: Server, uri: str, text: str, edits: int, timeout: float,
                syntax_in: list, syntax_out: list, verdict: list) -> None:  # fmt: skip
    lines = text.splitlines()
    spots = edit_spots(text, edits)
    for rep, (line, col) in enumerate(spots):
        end = len(lines[line])
        sent = server.edit(uri, line, end, end, "(")
        got, _ = server.client.wait(_diagnostics(uri, True), sent, timeout)
        syntax_in.append((got - sent) * 1000)
        sent = server.edit(uri, line, end, end + 1, "")
        got, _ = server.client.wait(_diagnostics(uri, False), sent, timeout)
        syntax_out.append((got - sent) * 1000)
        time.sleep(0.5)  # let the re-check of the restored text (a cache hit) settle
        old = lines[line][col]
        new = str((int(old) + rep + 1) % 9 + 1)
        if new == old:
            new = "9" if old != "9" else "8"
        sent = server.edit(uri, line, col, col + 1, new)
        try:
            done = wait_verified(server, sent, timeout)
            verdict.append((done - sent) * 1000)
        finally:
            server.edit(uri, line, col, col + 1, old)
            time.sleep(0.5)


def _warm_open(name, text, language, settings, cache_dir, units, timeout) -> float | None:
    server = Server(settings, cache_dir)
    try:
        _, sent = server.open(name, text, language)
        done = wait_verified(server, sent, timeout, expect_units=units)
        return round((done - sent) * 1000, 1)
    except TimeoutError:
        return None
    finally:
        server.close()


def _ready_open(name, text, language, settings, timeout, log) -> dict[str, Any] | None:
    """One cold-cache didOpen on a server whose workers are up (polled through
    `prooflens/jobs`): what an editor that started the server earlier sees."""
    server = Server(settings)
    try:
        deadline = time.perf_counter() + timeout
        waited = time.perf_counter()
        while not server.client.request("prooflens/jobs", None).get("workers"):
            if time.perf_counter() > deadline:
                raise TimeoutError("the workers did not start")
            time.sleep(0.05)
        up_ms = round((time.perf_counter() - waited) * 1000, 1)
        time.sleep(0.5)  # a worker that is up has warmed up or is finishing it
        uri, sent = server.open(name, text, language)
        first, _ = server.client.wait(_diagnostics(uri, None), sent, timeout)
        done = wait_verified(server, sent, timeout)
        stamps = _verdict_stamps(server, sent)
        return {"workers_up_after_initialize_ms": up_ms,
                "first_diagnostics_ms": round((first - sent) * 1000, 1),
                "each_verdict_ms": [round((t - sent) * 1000, 1) for t in stamps],
                "all_verdicts_ms": round((done - sent) * 1000, 1),
                "findings_ms": {k: round((t - sent) * 1000, 1) for k, t
                                in sorted(_finding_stamps(server, uri, sent).items())}}  # fmt: skip
    except TimeoutError as error:
        log(f"latency: {name}, ready server: {error}")
        return None
    finally:
        server.close()


def _first_verdict(server: Server, since: float) -> float | None:
    """When the status first counted a verdict for some unit after `since`."""
    for stamp, message in server.client.messages_since(since):
        counts = _status(message) or {}
        if sum(int(counts.get(k, 0)) for k in VERDICT_KEYS) > 0:
            return stamp
    return None


def _verdict_stamps(server: Server, since: float) -> list[float]:
    """When the k-th unit got its first verdict (k = 1, 2, ...): each status after `since`
    that counts more units with a verdict than any before it."""
    stamps: list[float] = []
    for stamp, message in server.client.messages_since(since):
        counts = _status(message) or {}
        done = sum(int(counts.get(k, 0)) for k in VERDICT_KEYS)
        stamps.extend([stamp] * max(0, done - len(stamps)))
    return stamps


def _finding_stamps(server: Server, uri: str, since: float) -> dict[str, float]:
    """When each error or warning ("function: code") was first published after `since`."""
    first: dict[str, float] = {}
    for stamp, message in server.client.messages_since(since):
        if not _diagnostics(uri, None)(message):
            continue
        for item in message["params"].get("diagnostics", []):
            data = item.get("data") or {}
            if item.get("severity") in (1, 2) and isinstance(data, dict) and data.get("function"):
                first.setdefault(f"{data['function']}: {item.get('code')}", stamp)
    return first


def _each(runs: list[list[float]]) -> dict[str, Any] | None:
    """The k-th unit's verdict time, median over the cold opens, k = 1 .. fewest units."""
    runs = [r for r in runs if r]
    if not runs:
        return None
    units = min(len(r) for r in runs)
    per_unit = [round(scoring.percentile([r[k] for r in runs], 50), 1) for k in range(units)]
    return {"n": len(runs), "ms": per_unit}


def _last_status(server: Server, since: float) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, message in server.client.messages_since(since):
        counts = _status(message) or counts
    return counts


def many_files(settings: dict[str, Any], files: int, per_file: int, timeout: float,
               log=print) -> dict[str, Any]:  # fmt: skip
    """Memory of the server and its workers with `files` documents open and verified."""
    server = Server(settings)
    began = time.perf_counter()
    idle = None
    try:
        for index in range(files):
            text = generate.python_file(per_file, start=index * per_file)
            server.open(f"open_{index:02d}.py", text, "python")
        expect = files * per_file
        try:
            idle = wait_verified(server, began, timeout, expect_units=expect)
        except TimeoutError:
            log(f"latency: {files} files not all verified within {timeout:.0f} s")
        rss_now = tree_rss_mib(server.client.proc.pid)
    finally:
        peak = server.close()
    return {"files": files, "functions": files * per_file,
            "all_verified_s": round(idle - began, 1) if idle else None,
            "rss_after_mib": rss_now, "peak_rss_mib": peak}  # fmt: skip


def _pcts(values: list[float]) -> dict[str, Any] | None:
    if not values:
        return None
    return {"n": len(values), "p50": round(scoring.percentile(values, 50), 1),
            "p95": round(scoring.percentile(values, 95), 1)}  # fmt: skip


def _fmt(values: list[float]) -> str:
    stats = _pcts(values)
    return f"p50 {stats['p50']} ms (n={stats['n']})" if stats else "no samples"


def run(seed_files: list[str], settings: dict[str, Any], opens: int, edits: int,
        generated_opens: int, many: int, timeout: float, log=print) -> dict[str, Any]:  # fmt: skip
    missing = server_missing()
    if missing:
        return {"skipped": missing}
    files = []
    for path in seed_files:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        language = "c" if path.endswith(".c") else "python"
        files.append(measure_file(os.path.basename(path), text, language, settings, opens,
                                  edits, timeout, log))  # fmt: skip
    big = generate.python_file(100, pad_to_lines=2000)
    files.append(measure_file("generated_100_functions.py", big, "python", settings,
                              generated_opens, edits, timeout, log))  # fmt: skip
    memory = many_files(settings, many, 4, timeout * 3, log) if many else None
    return {"settings": settings, "files": files, "many_files": memory}
