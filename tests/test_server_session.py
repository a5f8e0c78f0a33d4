"""Session logic with a fake worker runner: what runs when, re-anchoring, cancellation,
debounce, modes, caching, stale results."""

import asyncio
import json
import re

import pytest

from prooflens.analysis.verdicts import FunctionReport, Result
from prooflens.server.cache import ReportCache
from prooflens.server.config import ServerConfig
from prooflens.server.documents import Change
from prooflens.server.session import Session
from prooflens.server.workers import JobRequest, Outcome

URI = "file:///w/m.py"
SOURCE = """\
def a(x):
    assert x != 1


def b(y):
    assert y != 2


def c(z):
    assert z != 3
"""


def fake_report(request: JobRequest) -> FunctionReport:
    """Refutes the first assert of the function, at its real line of `request.text`."""
    lines = request.text.split("\n")
    start = next(i for i, t in enumerate(lines) if t.startswith(f"def {request.name}("))
    results = []
    for number in range(start + 1, len(lines)):
        if lines[number] and not lines[number].startswith(" "):
            break
        match = re.search(r"assert \w+ != (\d+)", lines[number])
        if match:
            results.append(Result("assertion", number + 1, 5, "refuted",
                                  f"assertion can fail: {request.name}({match.group(1)})",
                                  witness={"v": int(match.group(1))}, confirmed=True))  # fmt: skip
            break
    return FunctionReport(request.name, start + 1, start + 2, tuple(results))


class FakeRunner:
    """Records requests; `hold` makes jobs of a function wait until released."""

    def __init__(self) -> None:
        self.requests: list[JobRequest] = []
        self.held: dict[str, asyncio.Event] = {}
        self.cancelled: list[str] = []
        self.outcome_kind = "ok"

    def hold(self, name: str) -> None:
        self.held[name] = asyncio.Event()

    async def __call__(self, request: JobRequest, budget_s: float) -> Outcome:
        self.requests.append(request)
        try:
            if request.name in self.held:
                await self.held[request.name].wait()
            await asyncio.sleep(0)
        except asyncio.CancelledError:
            self.cancelled.append(request.name)
            raise
        if self.outcome_kind != "ok":
            return Outcome(self.outcome_kind, detail="worker crashed (exit code -9)")
        return Outcome("ok", report=fake_report(request))


class Recorder:
    def __init__(self) -> None:
        self.published: list[tuple[str, int, list]] = []
        self.statuses: list[dict] = []
        self.progress_events: list[tuple[int, int]] = []
        self.refreshes = 0

    def diagnostics(self, uri, version, items):
        self.published.append((uri, version, items))

    def results_changed(self):
        self.refreshes += 1

    def status(self, counts):
        self.statuses.append(counts)

    def progress(self, uri, done, total):
        self.progress_events.append((done, total))

    def last(self):
        uri, version, items = self.published[-1]
        return version, sorted((d.range.start.line + 1, d.code, d.message) for d in items)


def make(config=None, cache=None, runner=None):
    runner = runner or FakeRunner()
    recorder = Recorder()
    session = Session(recorder, cache or ReportCache(None), runner, 1,
                      config or ServerConfig(debounce_ms=20))  # fmt: skip
    return session, runner, recorder


async def settle(session, rounds=200):
    for _ in range(rounds):
        await asyncio.sleep(0.005)
        if not session.scheduler.jobs() and not any(d.debouncing for d in session.docs.values()):
            return
    raise AssertionError("jobs did not finish")


def insert(line0, text):
    return Change((line0, 0, line0, 0), text)


def names(requests):
    return [r.name for r in requests]


async def test_open_runs_quick_then_deep_for_every_unit_and_publishes_with_version():
    session, runner, recorder = make()
    session.open(URI, "python", 7, SOURCE)
    await settle(session)
    modes = [(r.name, r.settings.deep) for r in runner.requests]
    assert sorted(modes) == sorted((n, d) for n in "abc" for d in (False, True))
    assert modes[:3] == [("a", False), ("b", False), ("c", False)]  # quick first
    assert recorder.last() == (7, [
        (2, "assertion-failure", "assertion can fail: a(1)"),
        (6, "assertion-failure", "assertion can fail: b(2)"),
        (10, "assertion-failure", "assertion can fail: c(3)"),
    ])  # fmt: skip
    assert recorder.statuses[-1]["refuted"] == 3 and recorder.statuses[-1]["running"] == 0
    assert recorder.progress_events[-1] == (0, 0) and recorder.refreshes > 0


async def test_edit_reverifies_only_changed_unit_and_reanchors_the_others():
    session, runner, recorder = make()
    session.open(URI, "python", 1, SOURCE)
    await settle(session)
    before = len(runner.requests)
    # two lines at the top (shifts everything), and b's assert changes
    session.change(URI, 2, [insert(0, "# header\n\n"), Change((7, 16, 7, 17), "5")])
    assert recorder.last() == (2, [
        (4, "assertion-failure", "assertion can fail: a(1)"),
        (12, "assertion-failure", "assertion can fail: c(3)"),
    ])  # fmt: skip  (b has no result for its new text yet: nothing stale is shown)
    await settle(session)
    assert names(runner.requests[before:]) == ["b"]
    assert recorder.last() == (2, [
        (4, "assertion-failure", "assertion can fail: a(1)"),
        (8, "assertion-failure", "assertion can fail: b(5)"),
        (12, "assertion-failure", "assertion can fail: c(3)"),
    ])  # fmt: skip


async def test_newer_edit_cancels_the_running_job_of_that_unit():
    session, runner, recorder = make(ServerConfig(mode="onChange", debounce_ms=0))
    runner.hold("b")
    session.open(URI, "python", 1, SOURCE)
    for _ in range(20):
        await asyncio.sleep(0.005)
    assert [j.request.name for j in session.scheduler.running.values()] == ["b"]
    session.change(URI, 2, [Change((5, 16, 5, 17), "7")])
    await asyncio.sleep(0.01)
    assert runner.cancelled == ["b"]
    runner.held.pop("b").set()
    await settle(session)
    assert recorder.last()[1][1] == (6, "assertion-failure", "assertion can fail: b(7)")
    log = session.scheduler.log
    assert [e["outcome"] for e in log if e["function"] == "b"][0] == "cancelled"


async def test_rapid_edits_are_debounced_and_end_with_the_final_version():
    session, runner, recorder = make(ServerConfig(debounce_ms=30))
    session.open(URI, "python", 1, SOURCE)
    await settle(session)
    before = len(runner.requests)
    for version in range(2, 52):
        value = str(version)
        old = str(version - 1) if version > 2 else "1"
        session.change(URI, version, [Change((1, 16, 1, 16 + len(old)), value)])
    await settle(session)
    assert names(runner.requests[before:]) == ["a"]  # one quick job after the typing
    version, diagnostics = recorder.last()
    assert version == 51 and diagnostics[0] == (2, "assertion-failure", "assertion can fail: a(51)")
    assert all(v == 51 for _, v, _ in recorder.published[-2:])


async def test_failed_job_gives_dont_know_and_is_not_cached(tmp_path):
    cache = ReportCache(tmp_path)
    session, runner, recorder = make(ServerConfig(mode="manual"), cache)
    runner.outcome_kind = "crashed"
    session.open(URI, "python", 1, SOURCE)
    assert session.verify_function(URI, "a")
    await settle(session)
    (view,) = [v for v in session.views(URI) if v.name == "a"]
    assert view.report.results[0].status == "unknown"
    assert "worker crashed" in view.report.results[0].message
    assert list(tmp_path.iterdir()) == []


async def test_reopen_uses_memory_and_disk_cache_without_jobs(tmp_path):
    session, runner, recorder = make(cache=ReportCache(tmp_path))
    session.open(URI, "python", 1, SOURCE)
    await settle(session)
    assert len(list(tmp_path.glob("*.json"))) == 6
    fresh, fresh_runner, fresh_recorder = make(cache=ReportCache(tmp_path))
    fresh.open(URI, "python", 1, "\n\n" + SOURCE)  # moved down: re-anchored from disk
    assert fresh_recorder.last()[1][0] == (4, "assertion-failure", "assertion can fail: a(1)")
    await settle(fresh)
    assert fresh_runner.requests == []


async def test_corrupt_cache_file_is_a_miss(tmp_path):
    session, runner, _ = make(ServerConfig(mode="manual"), ReportCache(tmp_path))
    session.open(URI, "python", 1, SOURCE)
    session.verify_file(URI)
    await settle(session)
    for path in tmp_path.glob("*.json"):
        path.write_text("{not json")
    fresh, fresh_runner, _ = make(ServerConfig(mode="manual"), ReportCache(tmp_path))
    fresh.open(URI, "python", 1, SOURCE)
    assert all(v.report is None for v in fresh.views(URI))
    json.dumps([v.state for v in fresh.views(URI)])


@pytest.mark.parametrize(
    ("mode", "after_open", "after_change", "after_save"),
    [
        ("onChange", 6, 1, 1),  # quick+deep on open; quick on change; deep on save
        ("onSave", 3, 0, 1),
        ("manual", 0, 0, 0),
    ],
)
async def test_modes(mode, after_open, after_change, after_save):
    session, runner, _ = make(ServerConfig(mode=mode, debounce_ms=0))
    session.open(URI, "python", 1, SOURCE)
    await settle(session)
    assert len(runner.requests) == after_open
    session.change(URI, 2, [Change((1, 16, 1, 17), "9")])
    await settle(session)
    assert len(runner.requests) == after_open + after_change
    session.save(URI)
    await settle(session)
    assert len(runner.requests) == after_open + after_change + after_save


async def test_verify_function_with_larger_budget_is_shown_first():
    session, runner, _ = make(ServerConfig(mode="manual", timeout_s=10))
    session.open(URI, "python", 1, SOURCE)
    session.verify_function(URI, "c", timeout_s=40)
    await settle(session)
    assert [(r.name, r.settings.timeout_s, r.settings.deep) for r in runner.requests] == [
        ("c", 40, True)
    ]
    assert {v.name: v.mode for v in session.views(URI)}["c"] == "budget"
    assert not session.verify_function(URI, "nope")


async def test_settings_change_rekeys_and_reverifies():
    session, runner, _ = make()
    session.open(URI, "python", 1, SOURCE)
    await settle(session)
    before = len(runner.requests)
    session.set_config(ServerConfig(debounce_ms=20, unwind=3))
    await settle(session)
    assert sorted(names(runner.requests[before:])) == ["a", "a", "b", "b", "c", "c"]
    assert all(r.settings.unwind == 3 for r in runner.requests[before:])


async def test_units_with_syntax_errors_are_not_verified_and_errors_published_at_once():
    session, runner, recorder = make(ServerConfig(debounce_ms=0))
    session.open(URI, "python", 1, SOURCE)
    await settle(session)
    before = len(runner.requests)
    session.change(URI, 2, [Change((5, 4, 5, 4), "assert (")])
    version, diagnostics = recorder.last()
    assert version == 2 and any(code == "syntax-error" for _, code, _ in diagnostics)
    await settle(session)
    assert "b" not in names(runner.requests[before:])
    assert {v.name: v.state for v in session.views(URI)}["b"] == "syntax-error"


async def test_close_cancels_and_clears():
    session, runner, recorder = make()
    runner.hold("a")
    session.open(URI, "python", 1, SOURCE)
    await asyncio.sleep(0.02)
    session.close(URI)
    await asyncio.sleep(0.01)
    assert runner.cancelled == ["a"] and not session.scheduler.jobs()
    assert recorder.published[-1] == (URI, 1, [])


async def test_change_to_unknown_document_is_ignored():
    session, runner, recorder = make()
    session.change("file:///nowhere.py", 3, [Change(None, "x")])
    assert recorder.published == []


OTHER = "file:///w/n.py"


async def test_open_is_not_debounced():
    session, runner, _ = make(ServerConfig(debounce_ms=60_000))
    session.open(URI, "python", 1, SOURCE)
    assert not session.docs[URI].debouncing
    await settle(session)  # would time out if the 60 s debounce applied
    assert sorted(names(runner.requests)) == sorted("aabbcc")


async def test_a_newly_opened_document_goes_before_every_queued_job():
    session, runner, _ = make()
    runner.hold("a")
    session.open(URI, "python", 1, SOURCE)  # a (quick) runs and waits; b, c and deep queue
    await asyncio.sleep(0.01)
    session.open(OTHER, "python", 1, SOURCE.replace("!= ", "!= 1"))
    runner.held["a"].set()
    await settle(session)
    order = [(r.path, r.name, r.settings.deep) for r in runner.requests]
    first = order.index(("/w/n.py", "a", False))
    assert order[:first] == [("/w/m.py", "a", False)]
    quick_new = [(p, n) for p, n, deep in order[first:first + 3] if not deep]
    assert quick_new == [("/w/n.py", "a"), ("/w/n.py", "b"), ("/w/n.py", "c")]
    # then the older document's quick checks, then deep checks: newest document first
    assert [(p, n) for p, n, deep in order[first + 3:first + 5]] == [("/w/m.py", "b"),
                                                                    ("/w/m.py", "c")]
    deep = [(p, n) for p, n, d in order if d]
    assert deep[:3] == [("/w/n.py", "a"), ("/w/n.py", "b"), ("/w/n.py", "c")]


async def test_the_function_under_the_cursor_is_verified_first():
    session, runner, _ = make()
    runner.hold("a")
    session.open(URI, "python", 1, SOURCE)
    await asyncio.sleep(0.01)
    session.focus(URI, 10)  # inside c (lines 9-10)
    session.focus(OTHER, 1)  # not open: ignored
    runner.held["a"].set()
    await settle(session)
    assert [(r.name, r.settings.deep) for r in runner.requests] == [
        ("a", False), ("c", False), ("b", False), ("c", True), ("a", True), ("b", True)]


async def test_warm_up_parses_without_publishing_or_scheduling():
    session, runner, recorder = make()
    session.warm_up()
    assert not session.docs and not session.scheduler.jobs() and not recorder.published
