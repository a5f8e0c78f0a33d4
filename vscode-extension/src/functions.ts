/**
 * Finds the function at the cursor from the server's own code lenses (which carry
 * `[uri, name]` for `prooflens.verifyFunction`), so client and server agree on units. Pure.
 */

/** One code lens as the client sees it: its line and command. */
export interface LensInfo {
  readonly line: number;
  readonly command?: string;
  readonly args?: readonly unknown[];
}

/** The function whose lens is on the closest line at or above `line` (0-based); undefined
 * when the cursor is above every function. */
export function functionAtLine(lenses: readonly LensInfo[], line: number): string | undefined {
  let best: { line: number; name: string } | undefined;
  for (const lens of lenses) {
    const name = functionName(lens);
    if (name === undefined || lens.line > line) {
      continue;
    }
    if (best === undefined || lens.line > best.line) {
      best = { line: lens.line, name };
    }
  }
  return best?.name;
}

/** The function name carried by a `prooflens.verifyFunction` or `prooflens.showTrace` lens. */
export function functionName(lens: LensInfo): string | undefined {
  if (lens.command !== "prooflens.verifyFunction" && lens.command !== "prooflens.showTrace") {
    return undefined;
  }
  const name = lens.args?.[1];
  return typeof name === "string" && name !== "" ? name : undefined;
}
