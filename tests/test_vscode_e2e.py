"""End to end in real VS Code: builds the .vsix, installs it into code-server, and drives
code-server in headless Chromium (playwright-core) over samples/seed.py and samples/seed.c.

Needs `bash .ci/setup-vscode.sh` (code-server, playwright-core, chromium). Every process
started here runs in its own process group, which is killed at the end; code-server's
settings, extensions, caches and XDG folders live in a temporary folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "vscode-extension"
E2E = EXTENSION / ".e2e"
CODE_SERVER = E2E / "node_modules" / "code-server" / "out" / "node" / "entry.js"
DRIVER = EXTENSION / "test" / "e2e" / "drive.mjs"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
SAMPLES = ("seed.py", "seed.c")
STARTUP_TIMEOUT_S = 60
# g2's counterexample as the server prints it: `g2(x=5, y=0)` or `g2(5, 0)`.
COUNTEREXAMPLE = re.compile(r"g2\((x\s*=\s*)?-?\d+,\s*(y\s*=\s*)?-?\d+\)")
DRIVER_TIMEOUT_S = 600

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class CodeServer:
    """A running code-server: its URL, the workspace folder it serves, and the sandboxed
    environment (XDG folders in the test's temporary folder) for the browser too."""

    url: str
    workspace: Path
    log: Path
    env: dict[str, str]


def run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600
) -> str:
    """Runs a command to completion in its own process group; raises with its output on failure."""
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        raise AssertionError(
            f"{' '.join(command)} timed out after {timeout} s:\n{output}"
        ) from None
    assert proc.returncode == 0, f"{' '.join(command)} failed ({proc.returncode}):\n{output}"
    return output


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Stops a process started with start_new_session=True and everything it started."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sandbox_env(home: Path) -> dict[str, str]:
    """The environment of code-server: XDG folders inside the test's temporary folder."""
    env = dict(os.environ)
    for name in ("CONFIG", "DATA", "CACHE", "STATE"):
        folder = home / f"xdg-{name.lower()}"
        folder.mkdir(parents=True, exist_ok=True)
        env[f"XDG_{name}_HOME"] = str(folder)
    env["XDG_RUNTIME_DIR"] = str(home / "xdg-runtime")
    (home / "xdg-runtime").mkdir(mode=0o700, exist_ok=True)
    env.pop("VSCODE_IPC_HOOK_CLI", None)
    return env


def user_settings(trusted: bool, interpreter: str) -> dict[str, object]:
    """code-server user settings: the interpreter for the server, no distractions;
    untrusted: Workspace Trust on, asking at startup (the driver answers "don't trust")."""
    return {
        "prooflens.interpreter": interpreter,
        "prooflens.workers": 1,
        "security.workspace.trust.enabled": not trusted,
        "security.workspace.trust.startupPrompt": "always",
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "extensions.ignoreRecommendations": True,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": False,
        "workbench.enableExperiments": False,
        "workbench.welcomePage.walkthroughs.openOnInstall": False,
        "workbench.colorTheme": "Default Dark Modern",
        "chat.commandCenter.enabled": False,
        "git.enabled": False,
        "editor.codeLens": True,
        "editor.minimap.enabled": False,
        "editor.hover.delay": 300,
        "files.autoSave": "off",
        "window.restoreWindows": "none",
    }


@pytest.fixture(scope="module")
def vsix() -> Path:
    """Builds the extension exactly as a release would: npm ci && npm run package."""
    assert CODE_SERVER.exists(), "code-server is missing: run `bash .ci/setup-vscode.sh` first"
    assert CHROMIUM.exists(), "chromium is missing: run `bash .ci/setup-vscode.sh` first"
    run(["npm", "ci", "--no-audit", "--no-fund"], EXTENSION)
    run(["npm", "run", "package"], EXTENSION)
    version = json.loads((EXTENSION / "package.json").read_text())["version"]
    path = EXTENSION / f"prooflens-{version}.vsix"
    assert path.exists(), f"npm run package did not produce {path.name}"
    return path


@contextlib.contextmanager
def code_server(
    vsix: Path, home: Path, trusted: bool, interpreter: str = sys.executable
) -> Iterator[CodeServer]:
    """code-server with the .vsix installed, serving a copy of the samples on a free port."""
    user_data, extensions = home / "user-data", home / "extensions"
    workspace = home / "workspace"
    workspace.mkdir()
    for name in SAMPLES:
        shutil.copy(ROOT / "samples" / name, workspace / name)
    (user_data / "User").mkdir(parents=True)
    (user_data / "User" / "settings.json").write_text(
        json.dumps(user_settings(trusted, interpreter), indent=2)
    )
    env = sandbox_env(home)
    dirs = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    node = shutil.which("node") or "node"
    output = run(
        [node, str(CODE_SERVER), *dirs, "--install-extension", str(vsix), "--force"], home, env
    )
    assert "prooflens" in run([node, str(CODE_SERVER), *dirs, "--list-extensions"], home, env), (
        output
    )
    port = free_port()
    log = home / "code-server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [
                node,
                str(CODE_SERVER),
                *dirs,
                "--bind-addr",
                f"127.0.0.1:{port}",
                "--auth",
                "none",
                "--disable-telemetry",
                "--disable-update-check",
                *([] if not trusted else ["--disable-workspace-trust"]),
                "--disable-getting-started-override",
                "--ignore-last-opened",
                str(workspace),
            ],
            cwd=home,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_healthy(url, proc, log)
        yield CodeServer(url=url, workspace=workspace, log=log, env=env)
    finally:
        stop_group(proc)
        keep_log(log, home.name)


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Waits until code-server answers /healthz."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"code-server exited:\n{log.read_text(errors='replace')}"
        try:
            with urllib.request.urlopen(url + "healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"code-server did not answer within {STARTUP_TIMEOUT_S} s")


def artifacts_dir() -> Path:
    """tests/artifacts/, created with a .gitignore that keeps its contents out of git."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / ".gitignore").write_text("*\n")
    return ARTIFACTS


def keep_log(log: Path, scenario: str) -> None:
    """Copies code-server's log next to the screenshots, for a failing run's post-mortem."""
    artifacts_dir()
    if log.exists():
        shutil.copy(log, ARTIFACTS / f"vscode-code-server-{scenario}.log")


def drive(server: CodeServer, scenario: str) -> dict[str, object]:
    """Runs the playwright driver; returns its observations (JSON on its last stdout line)."""
    artifacts_dir()
    config = {
        "scenario": scenario,
        "url": f"{server.url}?folder={server.workspace}",
        "files": list(SAMPLES),
        "artifacts": str(ARTIFACTS),
        "e2eDir": str(E2E),
        "chromium": str(CHROMIUM),
    }
    proc = subprocess.Popen(
        ["node", str(DRIVER), json.dumps(config)],
        cwd=EXTENSION,
        env=server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=DRIVER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        raise AssertionError(f"the driver timed out:\n{stderr[-4000:]}") from None
    (ARTIFACTS / f"vscode-driver-{scenario}.log").write_text(stderr)
    lines = stdout.strip().splitlines()
    assert proc.returncode == 0 and lines, f"driver failed ({proc.returncode}):\n{stderr[-4000:]}"
    return json.loads(lines[-1])


@pytest.fixture(scope="module")
def observations(vsix: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What a trusted workspace showed, per sample file (one browser session for all checks)."""
    with code_server(vsix, tmp_path_factory.mktemp("trusted"), trusted=True) as server:
        return drive(server, "trusted")


@pytest.fixture(scope="module")
def untrusted(vsix: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What a workspace opened in Restricted Mode showed."""
    with code_server(vsix, tmp_path_factory.mktemp("untrusted"), trusted=False) as server:
        return drive(server, "untrusted")


def file_view(observations: dict[str, object], name: str) -> dict[str, object]:
    """The observations of one sample file."""
    files = observations["files"]
    assert isinstance(files, dict) and name in files, f"no observations of {name}: {observations}"
    return files[name]


@pytest.mark.parametrize("name", SAMPLES)
def test_code_lens_proves_f_and_refutes_g2(observations: dict[str, object], name: str) -> None:
    view = file_view(observations, name)
    lenses = view["lenses"]
    assert any(text.startswith("✓") for text in lenses["f"]), lenses
    assert any(text.startswith("✗") and "g2(" in text for text in lenses["g2"]), lenses


@pytest.mark.parametrize("name", SAMPLES)
def test_error_squiggle_inside_g2(observations: dict[str, object], name: str) -> None:
    view = file_view(observations, name)
    assert view["squiggles"]["g2"] >= 1, view["squiggles"]
    assert view["squiggles"]["f"] == 0, view["squiggles"]


@pytest.mark.parametrize("name", SAMPLES)
def test_hover_shows_the_counterexample(observations: dict[str, object], name: str) -> None:
    hover = file_view(observations, name)["hover"]
    assert COUNTEREXAMPLE.search(hover) and "never returns" in hover, hover


@pytest.mark.parametrize("name", SAMPLES)
def test_problems_panel_lists_g2_as_error(observations: dict[str, object], name: str) -> None:
    rows = file_view(observations, name)["problems"]
    errors = [row for row in rows if row.startswith("Error:")]
    assert any(COUNTEREXAMPLE.search(row) and "never returns" in row for row in errors), rows


def test_status_bar_counts(observations: dict[str, object]) -> None:
    status = observations["status"]
    assert status["text"].startswith("✓ ") or "✓ " in status["text"], status
    counts = status["counts"]
    assert counts["proved"] >= 2 and counts["refuted"] >= 2, status


def test_screenshots_saved(observations: dict[str, object]) -> None:
    shots = observations["screenshots"]
    assert len(shots) >= len(SAMPLES), shots
    for shot in shots:
        assert (ARTIFACTS / shot).stat().st_size > 10_000, shot


@pytest.mark.parametrize("name", SAMPLES)
def test_show_trace_at_cursor_opens_a_preview(observations: dict[str, object], name: str) -> None:
    title = file_view(observations, name)["trace"]
    assert "g2" in title and "Preview" in title, title


@pytest.fixture(scope="module")
def missing(vsix: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What the page showed when the interpreter cannot import prooflens: a fresh venv
    without the system's site-packages."""
    home = tmp_path_factory.mktemp("missing")
    run([sys.executable, "-m", "venv", "--without-pip", str(home / "venv")], home)
    python = str(home / "venv" / "bin" / "python")
    with code_server(vsix, home, trusted=True, interpreter=python) as server:
        return drive(server, "missing")


def test_missing_package_message_is_actionable(missing: dict[str, object]) -> None:
    toast = missing["toast"]
    assert "not installed" in toast and "venv" in toast and "pip install" in toast, toast
    for button in ("Install…", "Choose Interpreter", "Show Log"):
        assert button in toast, toast


def test_untrusted_workspace_says_why_replay_is_off(untrusted: dict[str, object]) -> None:
    notifications = untrusted["notifications"]
    assert "not replayed" in notifications and "not trusted" in notifications, notifications
    assert "not replayed" in untrusted["status"]["label"], untrusted["status"]


def test_untrusted_workspace_still_verifies_but_reports_no_error(
    untrusted: dict[str, object],
) -> None:
    view = file_view(untrusted, SAMPLES[0])
    assert any(text.startswith("✓") for text in view["lenses"]["f"]), view["lenses"]
    # Without replay no counterexample is confirmed: shown as a warning, never an error.
    assert any(text.startswith("⚠") and "not confirmed" in text
               for text in view["lenses"]["g2"]), view["lenses"]
    assert view["squiggles"]["g2"] == 0, view


def test_extension_unit_tests_pass(vsix: Path) -> None:
    """The client's own unit tests (tsc strict + node --test), after the same npm ci."""
    output = run(["npm", "test"], EXTENSION)
    assert re.search(r"^# fail 0$", output, re.MULTILINE), output[-3000:]
    assert re.search(r"^# pass [1-9]\d*$", output, re.MULTILINE), output[-3000:]
