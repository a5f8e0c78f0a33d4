/**
 * The status bar item's text and tooltip from the server's `prooflens/status` counts. Pure.
 */

/** The payload of the `prooflens/status` notification (counts over all open documents). */
export interface StatusCounts {
  readonly proved: number;
  readonly refuted: number;
  readonly bounded: number;
  readonly unknown: number;
  readonly running: number;
  readonly files: number;
}

export type StatusSeverity = "error" | "warning" | "none";

/** What the status bar item shows. */
export interface StatusView {
  readonly text: string;
  readonly tooltip: string;
  readonly severity: StatusSeverity;
}

const COUNT_KEYS: readonly (keyof StatusCounts)[] = [
  "proved",
  "refuted",
  "bounded",
  "unknown",
  "running",
  "files",
];

/** The counts from a notification's params, or undefined when they are malformed (a
 * missing key counts as 0; a negative or non-integer value is malformed). */
export function parseStatus(params: unknown): StatusCounts | undefined {
  if (typeof params !== "object" || params === null) {
    return undefined;
  }
  const record = params as Record<string, unknown>;
  const counts: Record<string, number> = {};
  for (const key of COUNT_KEYS) {
    const value = record[key] ?? 0;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      return undefined;
    }
    counts[key] = value;
  }
  return counts as unknown as StatusCounts;
}

/** Context of the counts: whether the workspace is trusted and counterexamples are replayed. */
export interface StatusContext {
  readonly untrusted: boolean;
  readonly replay: boolean;
}

/** `✓ 12  ✗ 1  ? 2` (bounded `~ n` only when there are some), a spinner while verifying,
 * and a shield when replay is off because the workspace is untrusted. Refuted counts are an
 * error only when replay is on: without it no counterexample is confirmed. */
export function statusView(counts: StatusCounts, context: StatusContext): StatusView {
  const untrusted = context.untrusted;
  const parts = [`✓ ${counts.proved}`, `✗ ${counts.refuted}`];
  if (counts.bounded > 0) {
    parts.push(`~ ${counts.bounded}`);
  }
  parts.push(`? ${counts.unknown}`);
  const prefix = [
    ...(untrusted ? ["$(workspace-untrusted)"] : []),
    ...(counts.running > 0 ? ["$(sync~spin)"] : []),
  ];
  const text = [...prefix, parts.join("  ")].join(" ");
  return { text, tooltip: statusTooltip(counts, untrusted), severity: severityOf(counts, context.replay) };
}

/** Status while the server is not (yet) reporting counts. */
export function lifecycleView(state: "starting" | "stopped" | "failed", detail?: string): StatusView {
  switch (state) {
    case "starting":
      return { text: "$(sync~spin) prooflens", tooltip: "prooflens: starting the server", severity: "none" };
    case "stopped":
      return { text: "$(circle-slash) prooflens", tooltip: "prooflens: the server is stopped", severity: "warning" };
    case "failed":
      return {
        text: "$(error) prooflens",
        tooltip: `prooflens: the server could not start${detail ? `: ${detail}` : ""}. Click for options.`,
        severity: "error",
      };
  }
}

function statusTooltip(counts: StatusCounts, untrusted: boolean): string {
  const lines = [
    `prooflens: ${plural(counts.files, "open file")}`,
    `✓ ${counts.proved} proved`,
    `✗ ${counts.refuted} refuted`,
    `~ ${counts.bounded} bounded (no failure within the unwinding bound)`,
    `? ${counts.unknown} don't know`,
  ];
  if (counts.running > 0) {
    lines.push(`${plural(counts.running, "function")} being verified`);
  }
  if (untrusted) {
    lines.push("Counterexamples are not replayed: this workspace is not trusted.");
  }
  lines.push("Click for the Problems view, the log, or a restart.");
  return lines.join("\n");
}

function severityOf(counts: StatusCounts, replay: boolean): StatusSeverity {
  if (counts.refuted === 0) {
    return "none";
  }
  return replay ? "error" : "warning";
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
