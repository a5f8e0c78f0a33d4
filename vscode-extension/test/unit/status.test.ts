import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lifecycleView, parseStatus, StatusCounts, statusView } from "../../src/status";

function counts(partial: Partial<StatusCounts>): StatusCounts {
  return { proved: 0, refuted: 0, bounded: 0, unknown: 0, running: 0, files: 1, ...partial };
}

describe("statusView text", () => {
  const cases: readonly [string, Partial<StatusCounts>, boolean, string][] = [
    ["idle, all proved", { proved: 12 }, false, "✓ 12  ✗ 0  ? 0"],
    ["the issue's example", { proved: 12, refuted: 1, unknown: 2 }, false, "✓ 12  ✗ 1  ? 2"],
    ["bounded shown only when present", { proved: 1, bounded: 3 }, false, "✓ 1  ✗ 0  ~ 3  ? 0"],
    ["spinner while verifying", { proved: 1, running: 2 }, false, "$(sync~spin) ✓ 1  ✗ 0  ? 0"],
    ["shield when untrusted", { refuted: 1 }, true, "$(workspace-untrusted) ✓ 0  ✗ 1  ? 0"],
    ["shield then spinner", { running: 1 }, true, "$(workspace-untrusted) $(sync~spin) ✓ 0  ✗ 0  ? 0"],
  ];
  for (const [name, partial, untrusted, expected] of cases) {
    it(name, () => {
      assert.equal(statusView(counts(partial), { untrusted, replay: !untrusted }).text, expected);
    });
  }
});

describe("statusView severity and tooltip", () => {
  const trusted = { untrusted: false, replay: true };
  it("is an error when something is refuted and replay confirms it", () => {
    assert.equal(statusView(counts({ refuted: 1 }), trusted).severity, "error");
    assert.equal(statusView(counts({ unknown: 4, bounded: 2 }), trusted).severity, "none");
  });
  it("is only a warning when refuted without replay (nothing is confirmed)", () => {
    assert.equal(statusView(counts({ refuted: 1 }), { untrusted: true, replay: false }).severity, "warning");
    assert.equal(statusView(counts({ refuted: 1 }), { untrusted: false, replay: false }).severity, "warning");
  });
  it("explains every count, the running work and untrusted replay", () => {
    const tooltip = statusView(counts({ proved: 2, running: 1, files: 2 }), { untrusted: true, replay: false }).tooltip;
    assert.match(tooltip, /2 open files/);
    assert.match(tooltip, /✓ 2 proved/);
    assert.match(tooltip, /1 function being verified/);
    assert.match(tooltip, /not replayed/);
  });
});

describe("parseStatus", () => {
  it("reads the contract's payload", () => {
    assert.deepEqual(parseStatus({ proved: 1, refuted: 2, bounded: 3, unknown: 4, running: 5, files: 6 }), {
      proved: 1,
      refuted: 2,
      bounded: 3,
      unknown: 4,
      running: 5,
      files: 6,
    });
  });
  it("counts a missing key as zero", () => {
    assert.deepEqual(parseStatus({ proved: 1 }), counts({ proved: 1, files: 0 }));
  });
  const malformed: readonly unknown[] = [null, 3, "x", { proved: -1 }, { refuted: 1.5 }, { unknown: "2" }];
  for (const value of malformed) {
    it(`rejects ${JSON.stringify(value)}`, () => {
      assert.equal(parseStatus(value), undefined);
    });
  }
});

describe("lifecycleView", () => {
  it("puts the failure reason in the tooltip", () => {
    const view = lifecycleView("failed", "python3 not found");
    assert.equal(view.severity, "error");
    assert.match(view.tooltip, /python3 not found/);
  });
  it("spins while starting", () => {
    assert.match(lifecycleView("starting").text, /sync~spin/);
  });
});
