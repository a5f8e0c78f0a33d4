#!/bin/sh
# Installs what the VS Code end-to-end test (tests/test_vscode_e2e.py) needs, idempotently:
#   - Debian packages: chromium, ripgrep, and the headers code-server's native modules build against;
#   - code-server (VS Code in the browser) and playwright-core from the npm registry, into
#     vscode-extension/.e2e/ (git-ignored), without their install scripts (those download
#     prebuilt binaries, which cannot be fetched here);
#   - code-server's native modules rebuilt from source against the system node headers,
#     and @vscode/ripgrep pointed at Debian's rg.
# A second run only checks that everything is in place (a few seconds).
set -eu

CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
APT_PACKAGES="build-essential python3 pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev chromium ripgrep fonts-dejavu-core"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
E2E="$ROOT/vscode-extension/.e2e"
STAMP="$E2E/.installed-$CODE_SERVER_VERSION-$PLAYWRIGHT_VERSION"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

log() { echo "setup-vscode: $*"; }

install_apt_packages() {
    missing=""
    for package in $APT_PACKAGES; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
            missing="$missing $package"
        fi
    done
    if [ -z "$missing" ]; then
        log "Debian packages present"
        return
    fi
    log "installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq $missing >/dev/null
}

# node-gyp as bundled with npm: builds against /usr/include/node, no header download.
node_gyp() {
    npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
    node "$npm_dir/node_modules/node-gyp/bin/node-gyp.js" "$@"
}

install_node_packages() {
    mkdir -p "$E2E"
    cat > "$E2E/package.json" <<EOF
{
  "name": "prooflens-vscode-e2e",
  "private": true,
  "description": "code-server and playwright-core for tests/test_vscode_e2e.py (installed by .ci/setup-vscode.sh)",
  "dependencies": {
    "code-server": "$CODE_SERVER_VERSION",
    "playwright-core": "$PLAYWRIGHT_VERSION"
  }
}
EOF
    log "npm install code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION"
    (cd "$E2E" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
    vscode="$E2E/node_modules/code-server/lib/vscode"
    log "npm install VS Code's own dependencies"
    (cd "$vscode" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
}

build_native_modules() {
    vscode="$E2E/node_modules/code-server/lib/vscode"
    nodedir=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
    for module in @vscode/spdlog @vscode/deviceid kerberos native-watchdog node-pty; do
        log "building $module"
        (cd "$vscode/node_modules/$module" && node_gyp rebuild --nodedir="$nodedir" >"$E2E/build-$(basename "$module").log" 2>&1) || {
            tail -n 30 "$E2E/build-$(basename "$module").log"
            exit 1
        }
    done
    log "building argon2"
    (cd "$E2E/node_modules/argon2" && "$E2E/node_modules/.bin/node-pre-gyp" rebuild --build-from-source --nodedir="$nodedir" >"$E2E/build-argon2.log" 2>&1) || {
        tail -n 30 "$E2E/build-argon2.log"
        exit 1
    }
}

# What code-server's postinstall.sh would do besides downloading: links and rg.
finish_layout() {
    vscode="$E2E/node_modules/code-server/lib/vscode"
    mkdir -p "$vscode/node_modules/@vscode/ripgrep/bin"
    ln -sfn "$(command -v rg)" "$vscode/node_modules/@vscode/ripgrep/bin/rg"
    ln -sfn node_modules "$vscode/node_modules.asar"
    ln -sfn code-linux.sh "$vscode/bin/remote-cli/code-server"
    ln -sfn browser-linux.sh "$vscode/bin/helpers/browser.sh"
}

# Loads every native module and runs code-server --version: proves the install works.
# (code-server writes a default config even for --version: XDG folders point at a temp dir.)
verify() {
    vscode="$E2E/node_modules/code-server/lib/vscode"
    scratch=$(mktemp -d)
    status=0
    (cd "$vscode" && node -e '
        for (const m of ["@vscode/spdlog", "kerberos", "native-watchdog", "node-pty", "@vscode/deviceid"]) require(m);
    ') && (cd "$E2E" && node -e 'require("argon2"); require("playwright-core")') \
      && "$vscode/node_modules/@vscode/ripgrep/bin/rg" --version >/dev/null \
      && XDG_CONFIG_HOME="$scratch" XDG_DATA_HOME="$scratch" \
         node "$E2E/node_modules/code-server/out/node/entry.js" --version >/dev/null \
      && [ -x /usr/bin/chromium ] || status=1
    rm -rf "$scratch"
    return $status
}

install_apt_packages
if [ -f "$STAMP" ] && verify 2>/dev/null; then
    log "code-server $CODE_SERVER_VERSION and playwright-core $PLAYWRIGHT_VERSION present in $E2E"
    exit 0
fi
rm -f "$E2E"/.installed-*
install_node_packages
build_native_modules
finish_layout
verify
touch "$STAMP"
log "ready: code-server $CODE_SERVER_VERSION, playwright-core $PLAYWRIGHT_VERSION in $E2E"
