import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeCommand, expandVariables, LaunchInputs, resolveServerLaunch } from "../../src/interpreter";

const BASE: LaunchInputs = {
  serverCommand: [],
  interpreter: "",
  home: "/home/ada",
  env: { VENV: "/opt/venv" },
  platform: "linux",
  workspaceFolder: "/work/project",
};

interface Case {
  readonly name: string;
  readonly inputs: Partial<LaunchInputs>;
  readonly expected: { command: string; args: string[]; source: string };
}

const CASES: readonly Case[] = [
  {
    name: "default is python3 -m prooflens serve",
    inputs: {},
    expected: { command: "python3", args: ["-m", "prooflens", "serve"], source: "default" },
  },
  {
    name: "default on Windows is python",
    inputs: { platform: "win32" },
    expected: { command: "python", args: ["-m", "prooflens", "serve"], source: "default" },
  },
  {
    name: "the interpreter setting wins over the Python extension",
    inputs: { interpreter: "/usr/bin/python3.11", pythonExtension: ["/ext/python"] },
    expected: { command: "/usr/bin/python3.11", args: ["-m", "prooflens", "serve"], source: "setting" },
  },
  {
    name: "the Python extension is used when the setting is blank",
    inputs: { interpreter: "   ", pythonExtension: ["conda", "run", "-n", "env", "python"] },
    expected: {
      command: "conda",
      args: ["run", "-n", "env", "python", "-m", "prooflens", "serve"],
      source: "pythonExtension",
    },
  },
  {
    name: "an empty Python extension answer falls back to the default",
    inputs: { pythonExtension: [""] },
    expected: { command: "python3", args: ["-m", "prooflens", "serve"], source: "default" },
  },
  {
    name: "serverCommand overrides everything and is used verbatim",
    inputs: { serverCommand: ["prooflens", "serve"], interpreter: "/usr/bin/python3" },
    expected: { command: "prooflens", args: ["serve"], source: "serverCommand" },
  },
  {
    name: "a serverCommand of blanks is ignored",
    inputs: { serverCommand: ["", " "], interpreter: "py" },
    expected: { command: "py", args: ["-m", "prooflens", "serve"], source: "setting" },
  },
  {
    name: "variables are expanded in the interpreter",
    inputs: { interpreter: "${workspaceFolder}/.venv/bin/python" },
    expected: { command: "/work/project/.venv/bin/python", args: ["-m", "prooflens", "serve"], source: "setting" },
  },
  {
    name: "variables are expanded in the server command",
    inputs: { serverCommand: ["${env:VENV}/bin/prooflens", "serve", "--tcp", "127.0.0.1:2087"] },
    expected: {
      command: "/opt/venv/bin/prooflens",
      args: ["serve", "--tcp", "127.0.0.1:2087"],
      source: "serverCommand",
    },
  },
];

describe("resolveServerLaunch", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const launch = resolveServerLaunch({ ...BASE, ...c.inputs });
      assert.deepEqual(
        { command: launch.command, args: [...launch.args], source: launch.source },
        c.expected,
      );
    });
  }

  it("reports the interpreter for the import probe, but not for a custom command", () => {
    assert.deepEqual(resolveServerLaunch({ ...BASE, pythonExtension: ["conda", "run", "python"] }).python, [
      "conda",
      "run",
      "python",
    ]);
    assert.equal(resolveServerLaunch({ ...BASE, serverCommand: ["prooflens", "serve"] }).python, undefined);
  });
});

describe("expandVariables", () => {
  const cases: readonly [string, string][] = [
    ["~", "/home/ada"],
    ["~/venv/bin/python", "/home/ada/venv/bin/python"],
    ["a~b", "a~b"],
    ["${userHome}/py", "/home/ada/py"],
    ["${env:MISSING}python", "python"],
    ["${unknown}/python", "${unknown}/python"],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => {
      assert.equal(expandVariables(input, BASE), expected);
    });
  }

  it("leaves ${workspaceFolder} visible when there is no folder", () => {
    assert.equal(expandVariables("${workspaceFolder}/py", { ...BASE, workspaceFolder: undefined }), "${workspaceFolder}/py");
  });
});

describe("describeCommand", () => {
  it("quotes parts with spaces", () => {
    assert.equal(describeCommand("/my python/bin/python", ["-m", "prooflens"]), '"/my python/bin/python" -m prooflens');
  });
});
