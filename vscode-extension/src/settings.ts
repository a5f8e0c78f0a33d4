/**
 * Maps the `prooflens.*` VS Code settings to the object the server expects (the LSP
 * contract's `prooflens` section). Pure: the caller passes a reader of setting values.
 */

/** Reads one setting below `prooflens.` (e.g. `"checks.overflow"`); undefined when unset. */
export type SettingReader = (key: string) => unknown;

export type Mode = "onChange" | "onSave" | "manual";

export interface CheckSettings {
  readonly overflow: boolean;
  readonly divisionByZero: boolean;
  readonly shifts: boolean;
  readonly arrayBounds: boolean;
  readonly termination: boolean;
}

/** The settings object of the contract: sent as initializationOptions and as the answer to
 * `workspace/configuration` for section `prooflens`. */
export interface ServerSettings {
  readonly mode: Mode;
  readonly debounceMs: number;
  readonly unwind: number;
  readonly timeoutSeconds: number;
  readonly workers: number;
  readonly memoryMb: number;
  readonly checks: CheckSettings;
  readonly replay: boolean;
  readonly inlayHints: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  mode: "onChange",
  debounceMs: 300,
  unwind: 10,
  timeoutSeconds: 10,
  workers: 0,
  memoryMb: 2048,
  checks: { overflow: true, divisionByZero: true, shifts: true, arrayBounds: true, termination: true },
  replay: true,
  inlayHints: true,
};

const MODES: readonly Mode[] = ["onChange", "onSave", "manual"];
const CHECK_KEYS: readonly (keyof CheckSettings)[] = [
  "overflow",
  "divisionByZero",
  "shifts",
  "arrayBounds",
  "termination",
];

/** Settings whose change needs a new server process (the others are pushed live). */
export const RESTART_SETTINGS: readonly string[] = ["prooflens.interpreter", "prooflens.serverCommand"];

/** The server settings from the user's, with out-of-range or mistyped values replaced by
 * the default (so a typo never reaches the server); replay is forced off when untrusted. */
export function toServerSettings(read: SettingReader, trusted: boolean): ServerSettings {
  const d = DEFAULT_SETTINGS;
  const checks = Object.fromEntries(
    CHECK_KEYS.map((key) => [key, bool(read(`checks.${key}`), d.checks[key])]),
  ) as unknown as CheckSettings;
  return {
    mode: MODES.includes(read("mode") as Mode) ? (read("mode") as Mode) : d.mode,
    debounceMs: integerIn(read("debounceMs"), 0, 60_000, d.debounceMs),
    unwind: integerIn(read("unwind"), 1, 10_000, d.unwind),
    timeoutSeconds: positiveNumber(read("timeoutSeconds"), 3600, d.timeoutSeconds),
    workers: integerIn(read("workers"), 0, 256, d.workers),
    memoryMb: integerIn(read("memoryMb"), 64, 1 << 20, d.memoryMb),
    checks,
    replay: trusted && bool(read("replay"), d.replay),
    inlayHints: bool(read("inlayHints"), d.inlayHints),
  };
}

/** Why replay is off, for the status tooltip and the one-time message; undefined if on. */
export function replayOffReason(read: SettingReader, trusted: boolean): string | undefined {
  if (!trusted) {
    return "this workspace is not trusted, and replay would run its code";
  }
  if (!bool(read("replay"), DEFAULT_SETTINGS.replay)) {
    return "the setting prooflens.replay is off";
  }
  return undefined;
}

function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === "boolean" ? value : fallback;
}

function integerIn(value: unknown, low: number, high: number, fallback: number): number {
  return typeof value === "number" && Number.isInteger(value) && value >= low && value <= high
    ? value
    : fallback;
}

function positiveNumber(value: unknown, high: number, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 && value <= high
    ? value
    : fallback;
}
