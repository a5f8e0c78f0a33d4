"""`python -m prooflens.server [--tcp HOST:PORT]`: the language server."""

from __future__ import annotations

import argparse
import sys

from prooflens.server.main import serve


def _main() -> int:
    parser = argparse.ArgumentParser(prog="python -m prooflens.server")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    args = parser.parse_args()
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        return serve((host or "127.0.0.1", int(port)))
    return serve()


if __name__ == "__main__":
    sys.exit(_main())
