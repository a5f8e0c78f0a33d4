#!/usr/bin/env bash
# Install the real-code C corpora that `python -m bench --sections coverage_c` reads.
# Third-party sources are installed by the package manager, never committed:
#   - gnulib (Debian: gnulib): portable C library sources under /usr/share/gnulib/lib
# Idempotent: an installed package is left as it is.
set -euo pipefail

if [ -d /usr/share/gnulib/lib ]; then
    echo "== gnulib already installed: /usr/share/gnulib/lib"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "apt-get not found: install gnulib yourself (git clone https://git.savannah.gnu.org/git/gnulib.git)"
    echo "and set PROOFLENS_CORPUS_GNULIB to its lib/ folder."
    exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "== gnulib (apt: gnulib)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends gnulib >/dev/null
ls -d /usr/share/gnulib/lib
