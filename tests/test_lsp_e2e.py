"""The real server over stdio, driven by a pytest-lsp client: diagnostics, lenses, hover,
inlay hints, code actions, incremental re-verification, rapid edits, crashing workers,
hostile input, configuration, shutdown."""

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.protocol import default_converter
from pytest_lsp import client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, LanguageClient, register_lsp_features

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
SEED_PY = ROOT / "samples" / "seed.py"
SEED_C = ROOT / "samples" / "seed.c"
WAIT_S = 120


# ------------------------------------------------------------------ the test client


class Client(LanguageClient):
    """A pytest-lsp client that keeps every diagnostics publication with its version."""

    def __init__(self) -> None:
        super().__init__(converter_factory=default_converter)
        self.published: list[lsp.PublishDiagnosticsParams] = []
        self.statuses: list[dict] = []
        self.refreshes = 0

    def latest(self, uri: str) -> lsp.PublishDiagnosticsParams | None:
        found = [p for p in self.published if p.uri == uri]
        return found[-1] if found else None


def make_client() -> Client:
    client = Client()
    features = dict(DEFAULT_CLIENT_FEATURES)
    features.pop(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    register_lsp_features(client, features)

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(ls: Client, params: lsp.PublishDiagnosticsParams) -> None:
        ls.published.append(params)
        ls.diagnostics[params.uri] = params.diagnostics

    @client.feature("prooflens/status")
    def status(ls: Client, params) -> None:
        ls.statuses.append(plain(params))

    @client.feature(lsp.WORKSPACE_CODE_LENS_REFRESH)
    def lens_refresh(ls: Client, params) -> None:
        ls.refreshes += 1

    @client.feature(lsp.WORKSPACE_INLAY_HINT_REFRESH)
    def hint_refresh(ls: Client, params) -> None:
        ls.refreshes += 1

    return client


async def start(
    tmp_path: Path, options: dict | None = None, configuration=None, encodings=None
) -> Client:
    client = make_client()
    capabilities = client_capabilities("visual-studio-code")
    if encodings is not None:
        capabilities.general = lsp.GeneralClientCapabilities(position_encodings=encodings)
    env = {**os.environ, "PROOFLENS_CACHE_DIR": str(tmp_path / "cache")}
    await client.start_io(sys.executable, "-m", "prooflens.server", env=env)
    if configuration is not None:
        client.set_configuration(configuration, section="prooflens")
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=capabilities,
            initialization_options={"debounceMs": 100, **(options or {})},
        )
    )
    return client


@pytest.fixture
async def servers(tmp_path):
    """Start servers with `await servers(options)`; all are shut down afterwards."""
    started: list[Client] = []

    async def launch(options=None, configuration=None, encodings=None):
        client = await start(tmp_path, options, configuration, encodings)
        started.append(client)
        return client

    yield launch
    for client in started:
        try:
            await asyncio.wait_for(client.shutdown_session(), 20)
        finally:
            await client.stop()


# ------------------------------------------------------------------ helpers


def plain(value):
    """pygls' generic response objects as plain dicts and lists."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


async def jobs(client: Client) -> dict:
    return plain(await client.protocol.send_request_async("prooflens/jobs", {}))


async def wait_until(condition, timeout=WAIT_S, what="condition"):
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def idle(client: Client) -> dict:
    """Wait until no job is queued, running or waiting for the debounce delay."""
    state = {}

    async def quiet():
        state.update(await jobs(client))
        return not state["running"] and not state["pending"] and not state["debouncing"]

    await wait_until(quiet, what="the server to finish its jobs")
    await asyncio.sleep(0.2)  # let the last publications arrive
    return state


def open_file(client: Client, path: Path, text: str | None = None, language=None) -> str:
    uri = path.as_uri()
    text = path.read_text() if text is None else text
    language = language or ("c" if path.suffix == ".c" else "python")
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=uri, language_id=language, version=1,
                                               text=text)  # fmt: skip
        )
    )
    return uri


def edit(client: Client, uri: str, version: int, line0: int, start: int, end: int, text: str):
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(
                        start=lsp.Position(line=line0, character=start),
                        end=lsp.Position(line=line0, character=end),
                    ),
                    text=text,
                )
            ],
        )
    )


def line_of(text: str, needle: str) -> int:
    """0-based line of the first line containing `needle`."""
    return next(i for i, line in enumerate(text.split("\n")) if needle in line)


def by_line(client: Client, uri: str) -> dict[int, list[lsp.Diagnostic]]:
    out: dict[int, list[lsp.Diagnostic]] = {}
    for diag in client.diagnostics.get(uri, []):
        out.setdefault(diag.range.start.line, []).append(diag)
    return out


async def lenses(client: Client, uri: str) -> dict[int, list[str]]:
    found = await client.text_document_code_lens_async(
        lsp.CodeLensParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    out: dict[int, list[str]] = {}
    for lens in found:
        out.setdefault(lens.range.start.line, []).append(lens.command.title)
    return out


async def hover(client: Client, uri: str, line0: int, char: int) -> str | None:
    answer = await client.text_document_hover_async(
        lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri),
                        position=lsp.Position(line=line0, character=char))  # fmt: skip
    )
    return answer.contents.value if answer is not None else None


# ------------------------------------------------------------------ the seed samples

# (function, 0-based line needle, diagnostic code, severity, message part)
PY_EXPECTED = [
    ("countdown_fails_late", "assert i != 4", "assertion-failure", 1, "countdown_fails_late(n=4)"),
    ("average", "return total // count", "division-by-zero", 1, "count=0"),
]
# `is_positive_after_double` can return False: a predicate's job, a hint (issue 15), so
# it has no diagnostic; `tests/test_presentation.py` covers the policy.
PY_LENSES = [("def f(", "✓ always returns True"), ("def average(", "✗ division by zero")]


async def test_python_seed(servers):
    client = await servers()
    text = SEED_PY.read_text()
    uri = open_file(client, SEED_PY)
    await idle(client)
    published = client.latest(uri)
    assert published.version == 1
    diags = by_line(client, uri)
    for _, needle, code, severity, part in PY_EXPECTED:
        found = diags.get(line_of(text, needle), [])
        assert any(d.code == code and d.severity == severity and part in d.message
                   and d.source == "prooflens" for d in found), (needle, found)  # fmt: skip
    titles = await lenses(client, uri)
    for needle, title in PY_LENSES:
        assert titles[line_of(text, needle)][0].startswith(title), titles[line_of(text, needle)]
        assert "▶ verify" in titles[line_of(text, needle)]
    assert "show trace" in titles[line_of(text, "def average(")]

    assert_line = line_of(text, "assert i != 4")
    shown = await hover(client, uri, assert_line, 8)
    assert "refuted" in shown and "countdown_fails_late(n=4)" in shown
    assert "| step | line | values |" in shown
    assert await hover(client, uri, line_of(text, '"""The seed'), 3) is None

    hints = await client.text_document_inlay_hint_async(
        lsp.InlayHintParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=lsp.Range(start=lsp.Position(line=assert_line - 5, character=0),
                            end=lsp.Position(line=assert_line + 1, character=0)),
        )
    )  # fmt: skip
    assert any(h.position.line == assert_line and "i = 4" in h.label for h in hints), hints

    code_actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=lsp.Range(start=lsp.Position(line=assert_line, character=0),
                            end=lsp.Position(line=assert_line, character=0)),
            context=lsp.CodeActionContext(diagnostics=list(diags[assert_line])),
        )
    )  # fmt: skip
    (test_action,) = [a for a in code_actions if "add regression test" in a.title]
    create, insert = test_action.edit.document_changes
    assert create.uri.endswith("/samples/test_prooflens_countdown_fails_late.py")
    assert "from seed import countdown_fails_late" in insert.edits[0].new_text
    assert not (ROOT / "samples" / "test_prooflens_countdown_fails_late.py").exists()

    trace = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="prooflens.showTrace",
                                 arguments=[uri, "countdown_fails_late"])  # fmt: skip
    )
    assert "countdown_fails_late(n=4)" in trace and "| step |" in trace
    assert client.statuses[-1]["refuted"] >= 3 and client.statuses[-1]["running"] == 0
    assert client.refreshes > 0
    kinds = [v.kind for reports in client.progress_reports.values() for v in reports]
    assert kinds[0] == "begin" and kinds[-1] == "end"


async def test_c_seed(servers):
    client = await servers()
    text = SEED_C.read_text()
    uri = open_file(client, SEED_C)
    await idle(client)
    diags = by_line(client, uri)
    division = line_of(text, "return total / count;")
    assert any(d.code == "division-by-zero" and d.severity == 1 and "average(" in d.message
               for d in diags[division]), diags.get(division)  # fmt: skip
    titles = await lenses(client, uri)
    assert titles[line_of(text, "int f(unsigned")][0] == "✓ always returns True"
    shown = await hover(client, uri, division, 12)
    assert "division by zero" in shown and "**Inputs:**" in shown


# ------------------------------------------------------------------ incrementality

THREE = """\
def first(x):
    v = x
    assert v != 11


def second(y):
    v = y
    assert v != 22


def third(z):
    v = z
    assert v != 33
"""


async def test_edit_reverifies_only_the_edited_unit_and_reanchors_the_rest(servers, tmp_path):
    client = await servers({"mode": "onChange"})
    path = tmp_path / "three.py"
    uri = open_file(client, path, THREE)
    before = await idle(client)
    assert sorted({(j["function"], j["mode"]) for j in before["jobs"]}) == [
        (name, mode) for name in ("first", "second", "third") for mode in ("deep", "quick")
    ]
    # one line inserted above everything, and second's constant changed
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(start=lsp.Position(line=0, character=0),
                                    end=lsp.Position(line=0, character=0)),
                    text="# moved\n"),
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(start=lsp.Position(line=8, character=16),
                                    end=lsp.Position(line=8, character=18)),
                    text="44"),
            ],
        )
    )  # fmt: skip
    after = await idle(client)
    new_jobs = after["jobs"][len(before["jobs"]) :]
    assert [(j["function"], j["mode"]) for j in new_jobs] == [("second", "quick")]
    published = client.latest(uri)
    assert published.version == 2
    messages = sorted((d.range.start.line, d.message) for d in published.diagnostics)
    assert messages == [
        (3, "assertion can fail: first(x=11)"),
        (8, "assertion can fail: second(y=44)"),
        (13, "assertion can fail: third(z=33)"),
    ]


async def test_rapid_edits_end_with_diagnostics_for_the_final_version_only(servers, tmp_path):
    client = await servers({"debounceMs": 150})
    uri = open_file(client, tmp_path / "rapid.py", "def h(x):\n    v = x\n    assert v != 0\n")
    await idle(client)
    first_publication = len(client.published)
    before = len((await jobs(client))["jobs"])
    value = "0"
    for version in range(2, 202):
        new = str(version)
        edit(client, uri, version, 2, 16, 16 + len(value), new)
        value = new
        if version % 50 == 0:
            await asyncio.sleep(0)
    state = await idle(client)
    final = client.latest(uri)
    assert final.version == 201
    (diag,) = final.diagnostics
    assert diag.message == "assertion can fail: h(x=201)" and diag.range.start.line == 2
    later = client.published[first_publication:]
    assert [p.version for p in later] == sorted(p.version for p in later)
    assert all("x=201" in d.message for p in later if p.version == 201 for d in p.diagnostics)
    assert len(state["jobs"]) - before < 20  # debounced: not one job per keystroke


# ------------------------------------------------------------------ resilience


SLOW = """\
def cubes(a, b, c):
    assert a > 0 and b > 0 and c > 0
    d = a * a * a + b * b * b
    assert d != c * c * c


def fine(x):
    return x // 1
"""


async def test_killed_worker_gives_dont_know_and_the_server_keeps_serving(servers, tmp_path):
    client = await servers({"mode": "manual", "timeoutSeconds": 30})
    uri = open_file(client, tmp_path / "slow.py", SLOW)
    await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="prooflens.verifyFunction", arguments=[uri, "cubes"])
    )
    state = {}

    async def running():
        state.update(await jobs(client))
        return any(job.get("pid") for job in state["running"])

    await wait_until(running, 30, "the job to reach a worker")
    (victim,) = [job["pid"] for job in state["running"]]
    os.kill(victim, signal.SIGKILL)
    after = await idle(client)
    assert after["jobs"][-1]["outcome"] == "crashed" and victim not in after["workers"]
    titles = await lenses(client, uri)
    assert titles[0][0].startswith("? don't know: worker crashed")
    await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="prooflens.verifyFunction", arguments=[uri, "fine"])
    )
    final = await idle(client)
    assert final["jobs"][-1]["function"] == "fine" and final["jobs"][-1]["outcome"] == "ok"


async def test_hostile_input_and_malformed_requests(servers, tmp_path):
    client = await servers({"mode": "manual"})
    with pytest.raises(Exception, match="(?i)method"):
        await client.protocol.send_request_async("prooflens/noSuchMethod", {})
    with pytest.raises(Exception):  # noqa: B017 - any LSP error answer will do
        await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command="prooflens.verifyFunction", arguments=[42])
        )
    # malformed messages straight on the wire: not JSON, and not UTF-8
    for body in (b"{garbage}", b'{"jsonrpc": "2.0", "method": "x", "params": "\xff\xfe"}'):
        client._server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    huge_uri = open_file(client, tmp_path / "huge.py", "x = 1\n" * 600_000)
    binary = "def f(x):\n    return x\n\x00\x01\ufffd\udcff\x7f" + "é" * 10
    binary_uri = open_file(client, tmp_path / "binary.py", binary)
    emoji_uri = open_file(client, tmp_path / "emoji.py", "s = '😀😀' +\n")
    edit(client, huge_uri, 2, 599_999, 0, 0, "def g(:\n")
    await wait_until(lambda: _published(client, emoji_uri), 30, "emoji diagnostics")
    (error,) = client.latest(emoji_uri).diagnostics
    # the error spans the line: 12 UTF-16 units (10 code points, 16 UTF-8 bytes)
    assert error.source == "prooflens-syntax" and error.range.end.character == 12
    assert await hover(client, binary_uri, 1, 4) is None
    titles = await lenses(client, binary_uri)
    assert titles[0][0] == "▷ not verified yet"
    assert client.latest(huge_uri) is not None
    assert (await jobs(client))["jobs"] == []


async def _published(client: Client, uri: str) -> bool:
    return client.latest(uri) is not None


async def _version(client: Client, uri: str, version: int) -> bool:
    latest = client.latest(uri)
    return latest is not None and latest.version == version


async def test_configuration_sources(servers, tmp_path):
    client = await servers({"mode": "manual"}, configuration={"mode": "manual", "unwind": 3})
    uri = open_file(client, tmp_path / "conf.py", "def h(x):\n    assert x != 5\n")
    await asyncio.sleep(0.5)
    assert (await jobs(client))["jobs"] == []  # manual: nothing runs by itself
    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"prooflens": {"mode": "onChange",
                                                                 "unwind": 4}})
    )  # fmt: skip
    state = await idle(client)
    assert [(j["function"], j["mode"], j["unwind"]) for j in state["jobs"]] == [
        ("h", "quick", 4), ("h", "deep", 4)]  # fmt: skip
    await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="prooflens.verifyFunction",
                                 arguments=[uri, "h", {"timeoutSeconds": 7}])  # fmt: skip
    )
    state = await idle(client)
    assert (state["jobs"][-1]["mode"], state["jobs"][-1]["timeout_s"]) == ("budget", 7)


async def test_shutdown_ends_every_worker(tmp_path):
    client = await start(tmp_path)
    uri = open_file(client, tmp_path / "w.py", "def h(x):\n    return 1 // x\n")
    state = await idle(client)
    pids = state["workers"]
    assert pids and client.latest(uri).diagnostics
    await asyncio.wait_for(client.shutdown_session(), 20)
    await client.stop()
    await asyncio.sleep(0.3)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


async def test_utf8_position_encoding_when_the_client_prefers_it(servers, tmp_path):
    client = await servers({"mode": "manual"}, encodings=[lsp.PositionEncodingKind.Utf8])
    uri = open_file(client, tmp_path / "emoji.py", "s = '😀😀' +\n")
    await wait_until(lambda: _published(client, uri), 30, "diagnostics")
    (error,) = client.latest(uri).diagnostics
    assert error.range.end.character == 16  # bytes: 8 ASCII + 2 x 4
    edit(client, uri, 2, 0, 4, 4, "é")  # a byte offset: before the first quote
    await wait_until(lambda: _version(client, uri, 2), 30, "diagnostics of version 2")
    (error,) = client.latest(uri).diagnostics
    assert error.range.end.character == 18


async def test_workers_are_started_at_initialize_and_the_cursor_function_goes_first(
    servers, tmp_path
):
    """No document is open, yet the (warmed) workers come up; then a hover on the last
    function of a newly opened file while the first one runs puts its quick check next."""
    client = await servers({"workers": 1, "timeoutSeconds": 2})
    state: dict = {}

    async def workers_up():
        state.update(await jobs(client))
        return bool(state["workers"])

    await wait_until(workers_up, what="the workers to start without any document")
    assert state["jobs"] == [] and not state["pending"]
    text = "".join(f"def f{i}(x):\n    assert x * x != {i * i + 2}\n\n\n" for i in range(6))
    path = tmp_path / "cursor.py"
    path.write_text(text)
    uri = open_file(client, path)
    await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri),
        position=lsp.Position(line=line_of(text, "def f5"), character=5)))  # fmt: skip
    state = await idle(client)
    quick = [e["function"] for e in state["jobs"] if e["mode"] == "quick"]
    assert sorted(quick) == [f"f{i}" for i in range(6)]
    assert quick.index("f5") <= 1  # next after whatever had already started
