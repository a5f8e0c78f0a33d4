#!/usr/bin/env bash
# Install the peers that `python -m bench` compares prooflens with.
# Only for benchmarks: the normal install and the test suite need none of this.
#   - CrossHair (PyPI: crosshair-tool), symbolic execution for Python contracts/asserts
#   - Frama-C (Debian: frama-c-base), EVA abstract interpretation + WP for C,
#     with the Debian z3 binary as WP's prover (through Why3)
# gcc is used by prooflens's own C replay; it is installed here too when missing.
set -euo pipefail

PYTHON="${PYTHON:-python3}"

echo "== CrossHair (pip)"
"$PYTHON" -m pip install --quiet 'crosshair-tool>=0.0.70'
"$PYTHON" -m crosshair --version 2>/dev/null || crosshair --help >/dev/null

if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
    echo "== Frama-C (apt: frama-c-base)"
    $SUDO apt-get update -qq
    apt-cache policy frama-c-base | sed -n '1,4p'
    # z3 (the Debian binary) is the SMT prover WP reaches through Why3; Debian has no alt-ergo.
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq frama-c-base z3 gcc >/dev/null
    why3 config detect >/dev/null 2>&1 || why3 config --detect >/dev/null 2>&1 || true
    frama-c -version
    frama-c -wp-detect 2>&1 | tail -3
else
    echo "apt-get not found: install Frama-C yourself (opam install frama-c) and put"
    echo "frama-c on PATH; the benchmark marks Frama-C 'not installed' otherwise."
fi
echo "== peers ready"
