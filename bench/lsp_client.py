"""A minimal JSON-RPC-over-stdio LSP client: enough to time a real prooflens server.

Messages are read on a thread and stamped with their arrival time; server-to-client
requests (configuration, progress tokens, refreshes) are answered at once.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

Message = dict[str, Any]


class LspClient:
    def __init__(self, argv: list[str], env: dict[str, str], settings: dict[str, Any]) -> None:
        self.settings = settings
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env)  # fmt: skip
        self.received: list[tuple[float, Message]] = []
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._write_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    # ------------------------------------------------------------------ wire format
    def _send(self, message: Message) -> float:
        body = json.dumps(message).encode("utf-8")
        data = f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body
        with self._write_lock:
            stamp = time.perf_counter()
            assert self.proc.stdin is not None
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        return stamp

    def _read_loop(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length is None:
                continue
            message = json.loads(stream.read(length))
            if "method" in message and "id" in message:
                self._answer(message)
            with self._cond:
                self.received.append((time.perf_counter(), message))
                self._cond.notify_all()

    def _answer(self, request: Message) -> None:
        result: Any = None
        if request["method"] == "workspace/configuration":
            items = request.get("params", {}).get("items", [])
            result = [self.settings for _ in items]
        self._send({"jsonrpc": "2.0", "id": request["id"], "result": result})

    # ------------------------------------------------------------------- API
    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        ident = next(self._ids)
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        _, reply = self.wait(lambda m: m.get("id") == ident and "method" not in m, 0.0, timeout)
        return reply.get("result")

    def notify(self, method: str, params: Any) -> float:
        return self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, match: Callable[[Message], bool], since: float,
             timeout: float) -> tuple[float, Message]:  # fmt: skip
        """The first message received at or after `since` that matches (TimeoutError)."""
        deadline = time.perf_counter() + timeout
        start = 0
        with self._cond:
            while True:
                for index in range(start, len(self.received)):
                    stamp, message = self.received[index]
                    if stamp >= since and match(message):
                        return stamp, message
                start = len(self.received)
                left = deadline - time.perf_counter()
                if left <= 0 or self.proc.poll() is not None:
                    raise TimeoutError("no matching message from the server")
                self._cond.wait(left)

    def messages_since(self, since: float) -> list[tuple[float, Message]]:
        with self._cond:
            return [(s, m) for s, m in self.received if s >= since]

    def initialize(self, root: str) -> None:
        self.request("initialize", {
            "processId": os.getpid(), "rootUri": f"file://{root}",
            "capabilities": {"textDocument": {"publishDiagnostics": {}},
                             "window": {"workDoneProgress": False}},
            "initializationOptions": self.settings,
        })  # fmt: skip
        self.notify("initialized", {})

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()


def server_argv() -> list[str]:
    return [sys.executable, "-m", "prooflens", "serve"]
