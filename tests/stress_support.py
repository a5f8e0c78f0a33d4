"""Helpers of the server stress tests: a client-side model of documents under random
incremental edits (UTF-16 ranges, non-ASCII text), the diagnostics and code-lens ranges the
server must show for a text (computed from scratch with the same library), and process
facts read from /proc (no psutil): liveness, descendants, RSS, CPU time."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from prooflens.analysis import syntax
from prooflens.server import render
from prooflens.server.positions import UTF16, LineIndex, units_len

# Pieces of text the random edits insert: code, non-ASCII (2-byte, 3-byte, and astral
# characters that take two UTF-16 units), line breaks, brackets that break the syntax.
PIECES = (
    "x",
    "y1",
    " ",
    "  ",
    "\n",
    "\n    ",
    "(",
    ")",
    "{",
    "}",
    ";",
    ":",
    "+ 1",
    " * 2",
    "é",
    "ß",
    "Ωμέγα",
    "漢字",
    "😀",
    "🚀x",
    "'ü'",
    '"𝔘"',
    "# ñ\n",
    "/* ∀ */",
    "// ö\n",
    "return 0",
    "if x:",
    "while y > 0:",
    "assert x != 3",
    "int z = 1;",
    "def ",
    "int ",
)


@dataclass
class ClientDoc:
    """The client's copy of one open document."""

    uri: str
    language: str
    text: str
    version: int = 1


@dataclass(frozen=True)
class Edit:
    """One content change: LSP range in UTF-16 units and the new text."""

    start: tuple[int, int]
    end: tuple[int, int]
    text: str


def lsp_position(text: str, offset: int) -> tuple[int, int]:
    """(line, UTF-16 character) of a code-point offset."""
    line = text.count("\n", 0, offset)
    line_start = text.rfind("\n", 0, offset) + 1
    return line, units_len(text[line_start:offset], UTF16)


def random_edit(rng: random.Random, doc: ClientDoc, target: int = 400) -> Edit:
    """An insertion, deletion or replacement at code-point boundaries, applied to `doc`
    (so a notification may carry several, each relative to the text left by the last).
    Deletions are likelier while the text is longer than `target` characters."""
    text = doc.text
    start = rng.randint(0, len(text))
    deleting = rng.random() < (0.6 if len(text) > target else 0.3)
    replacing = not deleting and rng.random() < 0.4
    length = rng.randint(1, 12) if deleting else (rng.randint(1, 6) if replacing else 0)
    end = min(len(text), start + length)
    new = "" if deleting else "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 2)))
    edit = Edit(lsp_position(text, start), lsp_position(text, end), new)
    doc.text = text[:start] + new + text[end:]
    return edit


_COMMENT = re.compile(r"(?:# |/\* )(?P<body>[^\n]*?)(?: \*/)?\n")
_NUMBER = re.compile(r"!= (?P<digits>[1-9][0-9]*)")
NON_ASCII = ("😀", "é", "漢", "ß", "𝔘", "Ω")


def typing_edit(rng: random.Random, doc: ClientDoc) -> Edit:
    """What a programmer types in a function that stays valid: the constant of its
    `assert v != N` retyped digit by digit, or non-ASCII typed into its comment."""
    text = doc.text
    if rng.random() < 0.3:
        body = _COMMENT.search(text)
        assert body is not None, text
        start = rng.randint(body.start("body"), body.end("body"))
        if start < body.end("body") and rng.random() < 0.5:
            return _apply(doc, start, start + 1, "")
        return _apply(doc, start, start, rng.choice(NON_ASCII))
    number = _NUMBER.search(text)
    assert number is not None, text
    start, end = number.span("digits")
    roll = rng.random()
    if roll < 0.45 and end - start < 9:
        return _apply(doc, end, end, str(rng.randint(0, 9)))
    if roll < 0.9 and end - start > 1:
        return _apply(doc, end - 1, end, "")
    return _apply(doc, start, end, str(rng.randint(1, 99_999)))


def typed_constant(doc: ClientDoc) -> int:
    """The current N of the document's `assert v != N`."""
    number = _NUMBER.search(doc.text)
    assert number is not None
    return int(number.group("digits"))


def _apply(doc: ClientDoc, start: int, end: int, new: str) -> Edit:
    edit = Edit(lsp_position(doc.text, start), lsp_position(doc.text, end), new)
    doc.text = doc.text[:start] + new + doc.text[end:]
    return edit


def expected_syntax(text: str, language: str) -> list[tuple]:
    """The syntax diagnostics a fresh parse of `text` gives, as comparable tuples."""
    parsed = syntax.parse(text, language)
    found = render.syntax_diagnostics(parsed.syntax_errors, LineIndex.of(text), UTF16)
    return sorted(diagnostic_tuple(d) for d in found)


def expected_lens_ranges(text: str, language: str) -> list[tuple]:
    """The ranges of the code lenses of every unit of a fresh parse of `text`."""
    parsed = syntax.parse(text, language)
    index = LineIndex.of(text)
    return sorted(
        {
            range_tuple(render.line_range(index, unit.name_line, unit.name_column, UTF16))
            for unit in parsed.units
        }
    )


def range_tuple(rng) -> tuple[int, int, int, int]:
    return rng.start.line, rng.start.character, rng.end.line, rng.end.character


def diagnostic_tuple(diag) -> tuple:
    return (*range_tuple(diag.range), diag.message)


# ------------------------------------------------------------------ processes (/proc)


def proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return raw[raw.rindex(")") + 2 :].split()


def running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (or dead) process."""
    fields = proc_stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def zombie(pid: int) -> bool:
    """True when `pid` has exited but its parent has not reaped it."""
    fields = proc_stat(pid)
    return fields is not None and fields[0] == "Z"


def children(pid: int) -> list[int]:
    """Direct children of `pid` (scan of /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = proc_stat(int(entry))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry))
    return found


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (workers are children of the forkserver)."""
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        for child in children(frontier.pop()):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def rss_kb(pid: int) -> int:
    """Resident set size of `pid` in kB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of `pid` so far, or None when it is gone."""
    fields = proc_stat(pid)
    if fields is None:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


# ------------------------------------------------------------------ a client to be killed


def _send(pipe, message: dict) -> None:
    body = json.dumps(message).encode("utf-8")
    pipe.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    pipe.flush()


def _receive(pipe) -> dict:
    length = 0
    while (line := pipe.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    if not length:
        raise EOFError("the server closed its output")
    return json.loads(pipe.read(length))


def _request(server, ident: int, method: str, params) -> dict:
    _send(server.stdin, {"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
    while True:
        message = _receive(server.stdout)
        if message.get("id") == ident and "method" not in message:
            return message
        if "method" in message and "id" in message:  # a request of the server's: answer null
            _send(server.stdin, {"jsonrpc": "2.0", "id": message["id"], "result": None})


def killable_client(path: str, function: str) -> None:
    """Start the server, open `path`, verify `function` until it runs on a worker, print
    {"server", "pid", "workers"} as one JSON line, then idle (draining the server's output)
    until killed."""
    server = subprocess.Popen([sys.executable, "-m", "prooflens.server"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fmt: skip
    uri = Path(path).resolve().as_uri()
    options = {"mode": "manual", "timeoutSeconds": 30, "workers": 2}
    _request(server, 1, "initialize",
             {"processId": os.getpid(), "rootUri": None, "capabilities": {},
              "initializationOptions": options})  # fmt: skip
    _send(server.stdin, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
    item = {"uri": uri, "languageId": "python", "version": 1, "text": Path(path).read_text()}
    _send(server.stdin, {"jsonrpc": "2.0", "method": "textDocument/didOpen",
                         "params": {"textDocument": item}})  # fmt: skip
    _request(
        server,
        2,
        "workspace/executeCommand",
        {"command": "prooflens.verifyFunction", "arguments": [uri, function]},
    )
    for ident in itertools.count(3):
        state = _request(server, ident, "prooflens/jobs", {})["result"]
        pids = [job["pid"] for job in state["running"] if job.get("pid")]
        if pids:
            break
        time.sleep(0.05)
    print(json.dumps({"server": server.pid, "pid": pids[0], "workers": state["workers"]}),
          flush=True)  # fmt: skip
    while True:
        _receive(server.stdout)


if __name__ == "__main__":
    killable_client(sys.argv[1], sys.argv[2])
