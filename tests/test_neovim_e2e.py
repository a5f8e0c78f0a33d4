"""A real, headless Neovim (Debian's, 0.7+) runs the README configuration against
`prooflens serve`, opens samples/seed.c, and reports diagnostics, a hover and the code
lenses it received. Needs `nvim` on PATH: `.ci/setup-neovim.sh` installs it."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
SEED_C = ROOT / "samples" / "seed.c"


def run_neovim(tmp_path: Path, source: Path, wait_for: str, hover_at: str) -> dict:
    nvim = shutil.which("nvim")
    assert nvim, "Neovim is missing: run .ci/setup-neovim.sh"
    assert shutil.which("prooflens"), "the prooflens command is missing: pip install -e ."
    out = tmp_path / "nvim-result.json"
    env = {
        **os.environ,
        "PROOFLENS_FILE": str(source),
        "PROOFLENS_OUT": str(out),
        "PROOFLENS_WAIT_FOR": wait_for,
        "PROOFLENS_HOVER_AT": hover_at,
        "PROOFLENS_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    init = ROOT / "tests" / "nvim" / "init.lua"
    subprocess.run([nvim, "--headless", "--clean", "-u", str(init)], cwd=tmp_path, env=env,
                   timeout=300, check=True, stdin=subprocess.DEVNULL,
                   capture_output=True)  # fmt: skip
    return json.loads(out.read_text())


def test_neovim_shows_prooflens_diagnostics_hover_and_lenses(tmp_path):
    text = SEED_C.read_text()
    result = run_neovim(tmp_path, SEED_C, "division by zero", "total / count")
    assert result["errors"] == [] and result["clients"] == 1
    division_line = next(i for i, t in enumerate(text.split("\n")) if "total / count" in t)
    division = [d for d in result["diagnostics"] if d["line"] == division_line]
    assert any(d["source"] == "prooflens" and d["severity"] == 1
               and "division by zero: average(" in d["message"]
               for d in division), division  # fmt: skip
    assert "division by zero" in result["hover"] and "**Inputs:**" in result["hover"]
    f_line = next(i for i, t in enumerate(text.split("\n")) if t.startswith("int f(unsigned"))
    titles = {(lens["line"], lens["title"]) for lens in result["lenses"]}
    assert (f_line, "✓ always returns True") in titles and (f_line, "▶ verify") in titles
