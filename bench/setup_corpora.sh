#!/usr/bin/env bash
# Install the real-code corpora the coverage and precision benches read (bench/README.md).
# Third-party sources are installed by the package managers, never committed:
#   - gnulib (Debian: gnulib): portable C library sources under /usr/share/gnulib/lib
#   - algorithms (PyPI, an algorithm collection in Python), unpacked under
#     ~/.cache/prooflens-corpora/algorithms (PROOFLENS_CORPUS_ALGORITHMS overrides)
# Idempotent: what is installed is left as it is.
set -euo pipefail

if [ -d /usr/share/gnulib/lib ]; then
    echo "== gnulib already installed: /usr/share/gnulib/lib"
elif ! command -v apt-get >/dev/null 2>&1; then
    echo "apt-get not found: install gnulib yourself (git clone https://git.savannah.gnu.org/git/gnulib.git)"
    echo "and set PROOFLENS_CORPUS_GNULIB to its lib/ folder."
else
    SUDO=""
    if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
    echo "== gnulib (apt: gnulib)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends gnulib >/dev/null
    ls -d /usr/share/gnulib/lib
fi

ALGORITHMS="${PROOFLENS_CORPUS_ALGORITHMS:-$HOME/.cache/prooflens-corpora/algorithms}"
if [ -d "$ALGORITHMS" ]; then
    echo "== algorithms already unpacked: $ALGORITHMS"
else
    echo "== algorithms 1.0.1 (PyPI)"
    scratch="$(mktemp -d)"
    python3 -m pip download -q --no-deps --only-binary=:all: -d "$scratch" "algorithms==1.0.1"
    mkdir -p "$ALGORITHMS"
    python3 -m zipfile -e "$scratch"/algorithms-1.0.1-*.whl "$scratch/unpacked"
    cp -r "$scratch/unpacked/algorithms/." "$ALGORITHMS/"
    rm -rf "$scratch"
    echo "   $(find "$ALGORITHMS" -name '*.py' | wc -l) files in $ALGORITHMS"
fi
