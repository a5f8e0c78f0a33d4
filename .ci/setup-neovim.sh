#!/bin/sh
# Installs Neovim for the headless end-to-end test (tests/test_neovim_e2e.py).
# Idempotent: does nothing when `nvim` is already on PATH.
set -eu
if command -v nvim >/dev/null 2>&1; then
    nvim --version | head -n 1
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq neovim >/dev/null
nvim --version | head -n 1
