"""Entry point of `prooflens serve`: the language server over stdio or TCP."""

from __future__ import annotations

import logging
import sys

from prooflens.server import workers


def serve(tcp: tuple[str, int] | None = None) -> int:
    """Run the server until the client exits; every worker process ends with it."""
    sys.set_int_max_str_digits(0)  # results may hold witnesses of thousands of digits
    # The workers' forkserver first: its preload and warm-up (seconds) then overlap the
    # server's own imports (pygls and lsprotocol alone take about as long).
    workers.start_forkserver()
    from prooflens.server.lsp import build_server

    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="prooflens: %(levelname)s %(message)s"
    )
    server = build_server()
    try:
        if tcp is not None:
            server.start_tcp(tcp[0], tcp[1])
        else:
            server.start_io()
    finally:
        server.stop_workers()
    return 0
