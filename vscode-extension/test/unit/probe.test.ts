import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { installCommand, probeProblem } from "../../src/probe";

describe("probeProblem", () => {
  it("is undefined when prooflens imports", () => {
    assert.equal(probeProblem({ exitCode: 0, stderr: "" }, ["python3"]), undefined);
  });
  it("says the interpreter is missing on ENOENT", () => {
    const problem = probeProblem({ errorCode: "ENOENT", exitCode: null, stderr: "" }, ["/nope/python"]);
    assert.equal(problem?.kind, "interpreterMissing");
    assert.match(problem?.message ?? "", /\/nope\/python.*not found.*prooflens\.interpreter/);
  });
  it("offers pip when the module is missing", () => {
    const stderr = "Traceback (most recent call last):\nModuleNotFoundError: No module named 'prooflens'\n";
    const problem = probeProblem({ exitCode: 1, stderr }, ["/venv/bin/python"]);
    assert.equal(problem?.kind, "packageMissing");
    assert.equal(
      problem?.installCommand,
      "/venv/bin/python -m pip install '<path to a prooflens checkout or wheel>'",
    );
  });
  it("shows the last stderr line for any other import failure", () => {
    const stderr = "Traceback...\nImportError: libz3.so: cannot open shared object file\n";
    const problem = probeProblem({ exitCode: 1, stderr }, ["python3"]);
    assert.equal(problem?.kind, "probeFailed");
    assert.match(problem?.message ?? "", /libz3\.so/);
  });
});

describe("installCommand", () => {
  it("quotes paths with spaces", () => {
    assert.equal(
      installCommand(["/my env/python"], "/src/prooflens checkout"),
      "'/my env/python' -m pip install '/src/prooflens checkout'",
    );
  });
});
