"""The layers of DESIGN.md, kept: every import of every module (function-local ones too)
is checked against an allowed layer table, and the import graph has no cycles.

`analysis` is a pure library (no server, no CLI); `server` only translates (it reaches the
analysis through `check`, `syntax`, `verdicts`, `settings` and `presentation`, never an
engine); inside `analysis`, imports point down: data -> ir -> semantics/interpreter ->
passes -> frontends/engines/replay -> presentation -> check. A violation that exists today
is listed in KNOWN_VIOLATIONS with the issue that removes it; the list may only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {"analysis": "prooflens.analysis", "server": "prooflens.server"}

# (module or package, layer): an exact module, or a package and everything below it.
LAYER_OF = [
    ("prooflens", "root"),  # the package itself: `__version__`
    ("prooflens.analysis", "analysis-package"),
    ("prooflens.analysis.verdicts", "data"),
    ("prooflens.analysis.settings", "data"),
    ("prooflens.analysis.solver", "solver"),
    ("prooflens.analysis.ir", "ir"),
    ("prooflens.analysis.witness", "ir"),
    ("prooflens.analysis.syntax", "syntax"),
    ("prooflens.analysis.semantics", "semantics"),
    ("prooflens.analysis.interpreter", "interpreter"),
    ("prooflens.analysis.passes", "passes"),
    ("prooflens.analysis.unbounded", "passes"),
    ("prooflens.analysis.frontends", "frontends"),
    ("prooflens.analysis.engines", "engines"),
    ("prooflens.analysis.replay", "replay"),  # the package: sandbox, python, c, regression
    ("prooflens.analysis.presentation", "presentation"),
    ("prooflens.analysis.pipeline", "pipeline"),  # the stages: safety, termination, real runs
    ("prooflens.analysis.check", "pipeline"),
    ("prooflens.server", "server"),
    ("prooflens.cli", "cli"),
    ("prooflens.sarif", "cli"),
    ("prooflens.reuse", "cli"),
    ("prooflens.__main__", "cli"),
]

DATA = {"root", "analysis-package", "data"}
# layer -> the layers (or exact modules) it may import; its own layer is always allowed.
ALLOWED: dict[str, set[str]] = {
    "root": set(),
    "analysis-package": set(),
    "data": DATA,
    "solver": DATA,
    "ir": DATA,
    "syntax": DATA,
    "semantics": DATA | {"ir", "solver"},
    "interpreter": DATA | {"ir", "semantics"},
    "passes": DATA | {"ir", "solver", "semantics", "interpreter"},
    "frontends": DATA | {"ir", "syntax", "interpreter"},
    "engines": DATA | {"ir", "solver", "semantics", "interpreter", "passes"},
    "replay": DATA | {"ir"},
    "presentation": DATA,
    "pipeline": DATA | {"solver", "ir", "syntax", "semantics", "interpreter", "passes",
                        "frontends", "engines", "replay", "presentation"},  # fmt: skip
    # the code action writes regression tests with replay's own generator
    "server": DATA | {"syntax", "presentation", "pipeline",
                      "prooflens.analysis.replay.regression"},  # fmt: skip
    # the CLI shares the server's on-disk report cache (same unit keys)
    "cli": DATA | {"syntax", "presentation", "pipeline", "prooflens.server.main",
                   "prooflens.server.cache"},  # fmt: skip
}

# (importer, imported) edges that break the table today: remove a line when its edge goes.
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()
# Import cycles (function-local imports hide them from Python, not from this test).
KNOWN_CYCLES: set[frozenset[str]] = set()


# ------------------------------------------------------------------------- the walk


def module_files() -> dict[str, Path]:
    """Every module of the three import roots, by dotted name."""
    found: dict[str, Path] = {}
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = [p for p in path.relative_to(ROOT / folder).with_suffix("").parts
                     if p != "__init__"]  # fmt: skip
            found[".".join([package, *parts])] = path
    for path in sorted((ROOT / "prooflens").glob("*.py")):
        found["prooflens" if path.stem == "__init__" else f"prooflens.{path.stem}"] = path
    return found


MODULES = module_files()


def imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """The prooflens modules `module` imports (anywhere in the file), with line numbers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield _resolve(alias.name), node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                yield _resolve(f"{base}.{alias.name}"), node.lineno


def _resolve(name: str) -> str:
    """The longest prefix of `name` that is a module (`a.b.X` -> `a.b`)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def layer_of(module: str) -> str:
    """The layer of the longest matching entry of LAYER_OF."""
    matches = [(prefix, layer) for prefix, layer in LAYER_OF
               if module == prefix or module.startswith(prefix + ".")]  # fmt: skip
    assert matches, f"{module} is in no layer: add it to LAYER_OF"
    return max(matches, key=lambda m: len(m[0]))[1]


def edges() -> set[tuple[str, str]]:
    return {(module, target) for module, path in MODULES.items()
            for target, _ in imports(module, path) if target and target != module}  # fmt: skip


def allowed(importer: str, imported: str) -> bool:
    source, target = layer_of(importer), layer_of(imported)
    permitted = ALLOWED[source]
    return target == source or target in permitted or imported in permitted


# ------------------------------------------------------------------------- the tests


def test_every_module_has_a_layer():
    assert MODULES, "no modules found"
    for module in MODULES:
        assert layer_of(module) in ALLOWED, module


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_follow_the_layers(module):
    bad = []
    for target, line in imports(module, MODULES[module]):
        if not target or target == module or (module, target) in KNOWN_VIOLATIONS:
            continue
        if not allowed(module, target):
            bad.append(f"line {line}: {layer_of(module)} -> {layer_of(target)} ({target})")
    assert not bad, f"{module} imports across the layers: {bad}"


def test_known_violations_still_exist():
    """So the list shrinks when one is fixed (delete the line)."""
    gone = KNOWN_VIOLATIONS - edges()
    assert not gone, f"fixed, remove from KNOWN_VIOLATIONS: {sorted(gone)}"
    for importer, imported in KNOWN_VIOLATIONS:
        assert not allowed(importer, imported), (importer, imported)


def cycles(graph: set[tuple[str, str]]) -> set[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    succ: dict[str, list[str]] = {}
    for a, b in graph:
        succ.setdefault(a, []).append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in succ.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                top = stack.pop()
                component.add(top)
                if top == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in sorted(succ):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    found = cycles(edges())
    assert found <= KNOWN_CYCLES, f"new import cycles: {[sorted(c) for c in found - KNOWN_CYCLES]}"
    gone = KNOWN_CYCLES - found
    assert not gone, f"fixed, remove from KNOWN_CYCLES: {[sorted(c) for c in gone]}"


def test_the_table_catches_what_it_should():
    """The guard itself: forbidden edges of DESIGN.md are refused."""
    forbidden = [
        ("prooflens.analysis.check", "prooflens.server.render"),
        ("prooflens.analysis.verdicts", "prooflens.cli"),
        ("prooflens.server.session", "prooflens.cli"),
        ("prooflens.server.session", "prooflens.analysis.engines.bmc"),
        ("prooflens.analysis.engines.bmc", "prooflens.analysis.frontends.python"),
        ("prooflens.analysis.engines.bmc", "prooflens.analysis.check"),
        ("prooflens.analysis.frontends.python", "prooflens.analysis.replay"),
        ("prooflens.analysis.frontends.c", "prooflens.analysis.engines.bmc"),
        ("prooflens.analysis.presentation", "prooflens.analysis.check"),
        ("prooflens.sarif", "prooflens.server.render"),
    ]
    for importer, imported in forbidden:
        assert not allowed(importer, imported), (importer, imported)
    assert allowed("prooflens.cli", "prooflens.server.main")
    assert allowed("prooflens.server.workers", "prooflens.analysis.check")
    assert cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == {frozenset("abc")}
