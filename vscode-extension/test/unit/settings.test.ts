import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_SETTINGS, replayOffReason, SettingReader, toServerSettings } from "../../src/settings";

function reader(values: Record<string, unknown>): SettingReader {
  return (key) => values[key];
}

describe("toServerSettings", () => {
  it("gives the contract's defaults when nothing is set", () => {
    assert.deepEqual(toServerSettings(reader({}), true), DEFAULT_SETTINGS);
    assert.deepEqual(DEFAULT_SETTINGS, {
      mode: "onChange",
      debounceMs: 300,
      unwind: 10,
      timeoutSeconds: 10,
      workers: 0,
      memoryMb: 2048,
      checks: { overflow: true, divisionByZero: true, shifts: true, arrayBounds: true, termination: true },
      replay: true,
      inlayHints: true,
    });
  });

  it("maps every setting, with dotted check keys nested under checks", () => {
    const settings = toServerSettings(
      reader({
        mode: "onSave",
        debounceMs: 50,
        unwind: 25,
        timeoutSeconds: 2.5,
        workers: 3,
        memoryMb: 512,
        "checks.overflow": false,
        "checks.divisionByZero": true,
        "checks.shifts": false,
        "checks.arrayBounds": true,
        "checks.termination": false,
        replay: false,
        inlayHints: false,
      }),
      true,
    );
    assert.deepEqual(settings, {
      mode: "onSave",
      debounceMs: 50,
      unwind: 25,
      timeoutSeconds: 2.5,
      workers: 3,
      memoryMb: 512,
      checks: { overflow: false, divisionByZero: true, shifts: false, arrayBounds: true, termination: false },
      replay: false,
      inlayHints: false,
    });
  });

  const badValues: readonly [string, unknown][] = [
    ["mode", "always"],
    ["debounceMs", -1],
    ["debounceMs", 1.5],
    ["unwind", 0],
    ["unwind", "10"],
    ["timeoutSeconds", 0],
    ["timeoutSeconds", Number.NaN],
    ["timeoutSeconds", 3601],
    ["workers", 257],
    ["memoryMb", 10],
    ["replay", "yes"],
    ["inlayHints", 1],
  ];
  for (const [key, value] of badValues) {
    it(`replaces a bad ${key} (${String(value)}) by the default`, () => {
      const settings = toServerSettings(reader({ [key]: value }), true) as unknown as Record<string, unknown>;
      assert.deepEqual(settings[key], (DEFAULT_SETTINGS as unknown as Record<string, unknown>)[key]);
    });
  }

  it("replaces a mistyped check by its default", () => {
    assert.equal(toServerSettings(reader({ "checks.termination": "off" }), true).checks.termination, true);
  });

  it("turns replay off in an untrusted workspace whatever the setting says", () => {
    assert.equal(toServerSettings(reader({ replay: true }), false).replay, false);
    assert.equal(toServerSettings(reader({}), false).replay, false);
    assert.equal(toServerSettings(reader({}), true).replay, true);
  });

  it("keeps the other settings in an untrusted workspace", () => {
    const settings = toServerSettings(reader({ unwind: 7 }), false);
    assert.equal(settings.unwind, 7);
    assert.equal(settings.mode, "onChange");
  });
});

describe("replayOffReason", () => {
  it("names the untrusted workspace first", () => {
    assert.match(replayOffReason(reader({ replay: false }), false) ?? "", /not trusted/);
  });
  it("names the setting when trusted but off", () => {
    assert.match(replayOffReason(reader({ replay: false }), true) ?? "", /prooflens\.replay/);
  });
  it("is undefined when replay runs", () => {
    assert.equal(replayOffReason(reader({}), true), undefined);
  });
});
