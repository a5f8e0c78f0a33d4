#!/bin/sh
# Installs gcc (with UBSan's runtime) for C replay and the gcc end-to-end tests.
# Idempotent: does nothing when gcc can already build a -fsanitize=undefined program.
set -eu
probe() {
    dir=$(mktemp -d)
    printf 'int main(void){return 0;}\n' > "$dir/p.c"
    gcc -fsanitize=undefined -o "$dir/p" "$dir/p.c" >/dev/null 2>&1 && "$dir/p"
    status=$?
    rm -rf "$dir"
    return $status
}
if command -v gcc >/dev/null 2>&1 && probe; then
    gcc --version | head -n 1
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq gcc libubsan1 >/dev/null
gcc --version | head -n 1
