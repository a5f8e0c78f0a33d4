import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { functionAtLine, LensInfo } from "../../src/functions";

const URI = "file:///w/seed.py";
const LENSES: readonly LensInfo[] = [
  { line: 0, command: "prooflens.verifyFunction", args: [URI, "f"] },
  { line: 0, command: undefined },
  { line: 5, command: "prooflens.showTrace", args: [URI, "g2", 6] },
  { line: 5, command: "prooflens.verifyFunction", args: [URI, "g2"] },
  { line: 9, command: "other.command", args: [URI, "h"] },
  { line: 12, command: "prooflens.verifyFunction", args: [URI, ""] },
];

describe("functionAtLine", () => {
  const cases: readonly [number, string | undefined][] = [
    [0, "f"],
    [3, "f"],
    [5, "g2"],
    [11, "g2"],
    [40, "g2"],
  ];
  for (const [line, expected] of cases) {
    it(`line ${line} -> ${String(expected)}`, () => {
      assert.equal(functionAtLine(LENSES, line), expected);
    });
  }
  it("is undefined above the first function", () => {
    assert.equal(functionAtLine(LENSES.slice(2), 1), undefined);
  });
});
