/**
 * Which command starts the prooflens server. Pure: the caller gathers the inputs
 * (settings, the Python extension's interpreter, the environment) so this is unit-testable.
 */

/** Where the command came from; shown in the log and in error messages. */
export type LaunchSource = "serverCommand" | "setting" | "pythonExtension" | "default";

/** Everything the resolution depends on. */
export interface LaunchInputs {
  /** `prooflens.serverCommand`: a full command line, used as is when not empty. */
  readonly serverCommand: readonly string[];
  /** `prooflens.interpreter`: a Python executable, may use `~` and `${workspaceFolder}`. */
  readonly interpreter: string;
  /** The Python extension's selected interpreter (its exec command), if any. */
  readonly pythonExtension?: readonly string[];
  /** First workspace folder's file system path, if any (for `${workspaceFolder}`). */
  readonly workspaceFolder?: string;
  /** The user's home folder (for `~` and `${userHome}`). */
  readonly home: string;
  /** Environment variables (for `${env:NAME}`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `process.platform`: the default interpreter is `python` on Windows, else `python3`. */
  readonly platform: string;
}

/** A process to spawn, and the Python interpreter in it when there is one. */
export interface ServerLaunch {
  readonly command: string;
  readonly args: readonly string[];
  readonly source: LaunchSource;
  /** The interpreter plus its leading arguments, when the server runs as `-m prooflens`. */
  readonly python?: readonly string[];
}

/** The arguments that turn a Python interpreter into the prooflens language server. */
export const SERVER_MODULE_ARGS: readonly string[] = ["-m", "prooflens", "serve"];

/** Resolves the server command: serverCommand, else the interpreter setting, else the
 * Python extension's interpreter, else `python3` (`python` on Windows). */
export function resolveServerLaunch(inputs: LaunchInputs): ServerLaunch {
  const custom = inputs.serverCommand.map((part) => expandVariables(part, inputs)).filter(nonEmpty);
  if (custom.length > 0) {
    return { command: custom[0], args: custom.slice(1), source: "serverCommand" };
  }
  const fromSetting = expandVariables(inputs.interpreter.trim(), inputs);
  if (fromSetting !== "") {
    return pythonLaunch([fromSetting], "setting");
  }
  const fromExtension = (inputs.pythonExtension ?? []).filter(nonEmpty);
  if (fromExtension.length > 0) {
    return pythonLaunch(fromExtension, "pythonExtension");
  }
  return pythonLaunch([inputs.platform === "win32" ? "python" : "python3"], "default");
}

function pythonLaunch(python: readonly string[], source: LaunchSource): ServerLaunch {
  return {
    command: python[0],
    args: [...python.slice(1), ...SERVER_MODULE_ARGS],
    source,
    python,
  };
}

/** Expands `~` (leading), `${userHome}`, `${workspaceFolder}` and `${env:NAME}`; an unknown
 * variable is left as written so the resulting error message shows it. */
export function expandVariables(value: string, inputs: LaunchInputs): string {
  let result = value;
  if (result === "~" || result.startsWith("~/") || result.startsWith("~\\")) {
    result = inputs.home + result.slice(1);
  }
  return result.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name === "userHome") {
      return inputs.home;
    }
    if (name === "workspaceFolder") {
      return inputs.workspaceFolder ?? whole;
    }
    if (name.startsWith("env:")) {
      return inputs.env[name.slice(4)] ?? "";
    }
    return whole;
  });
}

/** A human-readable command line (for logs and messages), quoting parts with spaces. */
export function describeCommand(command: string, args: readonly string[]): string {
  return [command, ...args].map((part) => (/[\s"']/.test(part) ? JSON.stringify(part) : part)).join(" ");
}

function nonEmpty(part: string): boolean {
  return part.trim() !== "";
}
