"""Documents: incremental edits (UTF-16 ranges) stay equal to a fresh parse; the text a
worker gets keeps only the unit and its callees; the cache tolerates bad files."""

import random

from prooflens.analysis import syntax
from prooflens.analysis.verdicts import FunctionReport, Result
from prooflens.server.cache import CachedReport, ReportCache
from prooflens.server.documents import Change, apply_changes, job_text, open_document
from prooflens.server.positions import LineIndex

PY = (
    "def a(x):\n    return b(x) + 1\n\n\n"
    "def b(y):\n    return y\n\n\n"
    "def c(z):\n    return 'é😀'\n"
)
C = (
    "int b(int y)\n{\n    return y;\n}\n\n"
    "int a(int x) { return b(x); }\n\n"
    "int c(void) {\n  return 1;\n}\n"
)


def test_random_incremental_edits_match_a_fresh_parse():
    rng = random.Random(7)
    doc = open_document("file:///t.py", "python", 1, PY)
    for _ in range(80):
        index = doc.index
        line0 = rng.randrange(index.line_count)
        text = index.line_text(line0)
        start = rng.randrange(len(text) + 1)
        end = rng.randrange(start, len(text) + 1)
        _, start_units = index.lsp_position(line0 + 1, start + 1)
        _, end_units = index.lsp_position(line0 + 1, end + 1)
        insert = rng.choice(["x", "", "\n", "😀", "(", "  ", "def z():\n    pass\n"])
        base = index.starts[line0]
        expected = doc.text[: base + start] + insert + doc.text[base + end :]
        apply_changes(doc, [Change((line0, start_units, line0, end_units), insert)])
        assert doc.text == expected
        fresh = syntax.parse(doc.text, "python")
        assert doc.parsed.units == fresh.units
        assert doc.parsed.syntax_errors == fresh.syntax_errors


def test_several_changes_in_one_notification_apply_in_order():
    doc = open_document("file:///t.py", "python", 1, "ab\ncd\n")
    apply_changes(doc, [Change((0, 0, 0, 1), "X"), Change((0, 1, 1, 1), ""), Change(None, "q\n")])
    assert doc.text == "q\n"
    apply_changes(doc, [Change((5, 0, 9, 0), "tail")])  # beyond the end: appended
    assert doc.text == "q\ntail"


def test_job_text_keeps_unit_and_callees_and_stubs_the_rest_on_the_same_lines():
    parsed = syntax.parse(PY, "python")
    index = LineIndex.of(PY)
    unit_a = parsed.units[0]
    text = job_text(parsed, index, unit_a)
    assert text.count("\n") == PY.count("\n")
    assert "return b(x) + 1" in text and "return y" in text
    assert "def c(*args, **kwargs): pass" in text and "😀" not in text
    reparsed = syntax.parse(text, "python")
    assert not reparsed.syntax_errors and [u.line for u in reparsed.units] == [1, 5, 9]


def test_job_text_c_keeps_prototypes_of_other_functions():
    parsed = syntax.parse(C, "c")
    text = job_text(parsed, LineIndex.of(C), parsed.units[2])  # c calls nobody
    assert "int b(int y);" in text and "int a(int x);" in text and "return 1;" in text
    assert text.count("\n") == C.count("\n") and not syntax.parse(text, "c").syntax_errors


def test_job_text_stubs_a_broken_function():
    broken = PY.replace("    return y\n", "    return y $\n")
    parsed = syntax.parse(broken, "python")
    unit_c = next(u for u in parsed.units if u.name == "c")
    text = job_text(parsed, LineIndex.of(broken), unit_c)
    assert "$" not in text and "def b(*args, **kwargs): pass" in text


def report(line):
    return FunctionReport("f", line, line + 2,
                          (Result("assertion", line + 1, 5, "proved", "holds"),))  # fmt: skip


def test_cache_round_trip_reanchors_and_tolerates_corruption(tmp_path):
    cache = ReportCache(tmp_path)
    key = "a" * 64
    cache.put(key, CachedReport(3, report(3)))
    disk = ReportCache(tmp_path)
    entry = disk.get(key)
    assert entry is not None and entry.at(10).results[0].line == 11
    (tmp_path / f"{'b' * 64}.json").write_text("\x00garbage")
    assert disk.get("b" * 64) is None
    (tmp_path / f"{'c' * 64}.json").write_text('{"format": 1, "key": "other"}')
    assert disk.get("c" * 64) is None
    assert disk.get("../../etc/passwd") is None  # not a key: never a path


def test_memory_cache_is_bounded():
    cache = ReportCache(None, memory_entries=2)
    for name in ("k1111111", "k2222222", "k3333333"):
        cache.put(name, CachedReport(1, report(1)))
    assert cache.get("k1111111") is None and cache.get("k3333333") is not None


def test_disk_cache_is_pruned_to_its_bound(tmp_path):
    cache = ReportCache(tmp_path, disk_entries=8)
    for number in range(12):
        cache.put(f"key{number:08d}", CachedReport(1, report(1)))
    cache.prune()
    assert len(list(tmp_path.glob("*.json"))) == 6
    assert not list(tmp_path.glob(".tmp-*"))
