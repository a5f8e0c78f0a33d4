/**
 * Interprets the check `<python> -c "import prooflens"` run before starting the server,
 * turning a failure into an actionable message. Pure.
 */

/** Outcome of running the probe process. */
export interface ProbeOutcome {
  /** Node's spawn error code (e.g. `ENOENT` when the interpreter does not exist). */
  readonly errorCode?: string;
  readonly exitCode: number | null;
  readonly stderr: string;
}

/** A problem found by the probe, with the pip command (to complete) that fixes a missing package. */
export interface ProbeProblem {
  readonly kind: "interpreterMissing" | "packageMissing" | "probeFailed";
  readonly message: string;
  readonly installCommand?: string;
}

/** The Python code the probe runs: imports the package and prints its version. */
export const PROBE_CODE =
  "import importlib.metadata as m, prooflens; print(m.version('prooflens'))";

/** The problem shown to the user, or undefined when prooflens imports fine. */
export function probeProblem(outcome: ProbeOutcome, python: readonly string[]): ProbeProblem | undefined {
  const shown = python.join(" ");
  if (outcome.errorCode === "ENOENT") {
    return {
      kind: "interpreterMissing",
      message:
        `prooflens: the Python interpreter "${shown}" was not found. Set "prooflens.interpreter" ` +
        "to a Python 3.11+ executable in which prooflens is installed.",
    };
  }
  if (outcome.errorCode !== undefined) {
    return { kind: "probeFailed", message: `prooflens: could not run "${shown}" (${outcome.errorCode}).` };
  }
  if (outcome.exitCode === 0) {
    return undefined;
  }
  if (/No module named ['"]?prooflens/.test(outcome.stderr) || /PackageNotFoundError/.test(outcome.stderr)) {
    return {
      kind: "packageMissing",
      message:
        `prooflens: the Python package is not installed in "${shown}". Install it there ` +
        "(pip install <path to a prooflens checkout or wheel>) or choose another interpreter.",
      installCommand: installCommand(python, "<path to a prooflens checkout or wheel>"),
    };
  }
  const lastLine = outcome.stderr.trim().split(/\r?\n/).pop() ?? "";
  return {
    kind: "probeFailed",
    message: `prooflens: "${shown}" cannot import prooflens: ${lastLine || `exit code ${outcome.exitCode}`}`,
  };
}

/** The shell command that installs a prooflens package (a checkout, a wheel or a package
 * name) into the given interpreter. */
export function installCommand(python: readonly string[], spec: string): string {
  return [...python, "-m", "pip", "install", spec].map(shellQuote).join(" ");
}

function shellQuote(part: string): string {
  return /^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replace(/'/g, "'\\''")}'`;
}
