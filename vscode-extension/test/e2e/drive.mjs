// Drives code-server in headless Chromium (playwright-core) and reports what the page shows.
// Scenario "trusted": for each sample file, the code lens texts and error squiggles of f and g2,
// the hover on g2's squiggle, the trace preview of g2, the Problems panel rows and the status bar.
// Scenario "untrusted": Restricted Mode, the first sample's lenses and squiggles, the status bar
// and the notification centre. Scenario "missing": the interpreter lacks prooflens; the error
// toast and the status bar. Screenshots go to the artifacts folder.
// Usage: node drive.mjs '{"scenario", "url", "files", "artifacts", "e2eDir", "chromium"}'.
// Prints progress on stderr and one JSON line of observations on stdout.
import { createRequire } from "node:module";
import * as path from "node:path";

const config = JSON.parse(process.argv[2]);
const { chromium } = createRequire(path.join(config.e2eDir, "package.json"))("playwright-core");

const WAIT_MS = Number(process.env.PROOFLENS_E2E_WAIT_MS ?? 240_000);
const FUNCTIONS = ["f", "g2"];

function log(message) {
  process.stderr.write(`[drive ${new Date().toISOString()}] ${message}\n`);
}

/** Runs a command from the palette: the row whose label is exactly `title`. */
async function runCommand(page, title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: 15_000 });
  await input.fill(`>${title}`);
  const row = page
    .locator(".quick-input-widget .monaco-list-row")
    .filter({ has: page.locator(".label-name", { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) })
    .first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: 15_000 }).catch(() => {});
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Opens a workspace file with Quick Open. */
async function openFile(page, name) {
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: 15_000 });
  await input.fill(name);
  await page.locator(".quick-input-widget .monaco-list-row").first().waitFor({ timeout: 15_000 });
  await page.waitForTimeout(300);
  await page.keyboard.press("Enter");
  await page.locator(`.tab.active[aria-label^="${name}"]`).waitFor({ timeout: 15_000 });
  await page.locator(".monaco-editor .view-lines").first().waitFor({ timeout: 15_000 });
}

/** Per function of the active editor: its code lens texts and its number of error squiggles.
 * A function's vertical band runs from its definition line to the next function's. */
function readEditor(functions) {
  const editor = document.querySelector(".editor-group-container.active .monaco-editor");
  if (!editor) {
    return { error: "no active editor" };
  }
  const lines = [...editor.querySelectorAll(".view-lines .view-line")].map((line) => ({
    text: line.textContent.replace(/\u00a0/g, " "),
    top: line.getBoundingClientRect().top,
    bottom: line.getBoundingClientRect().bottom,
    left: line.getBoundingClientRect().left,
  }));
  const definition = (name) =>
    lines.find((line) => new RegExp(`^\\s*(def\\s+${name}\\s*\\(|[\\w\\s\\*]*\\b${name}\\s*\\()`).test(line.text) && !/^\s*(return|\/\*|#)/.test(line.text));
  const starts = lines
    .filter((line) => /^\s*def\s+\w+\s*\(/.test(line.text) || /^[A-Za-z_][\w\s\*]*\b\w+\s*\([^;]*\)\s*\{?\s*$/.test(line.text))
    .map((line) => line.top)
    .sort((a, b) => a - b);
  const lenses = [...editor.querySelectorAll(".codelens-decoration")].map((lens) => ({
    texts: [...lens.querySelectorAll("a, span")]
      .filter((el) => el.children.length === 0 || el.tagName === "A")
      .map((el) => el.textContent.replace(/\u00a0/g, " ").trim())
      .filter((text) => text !== "" && text !== "|"),
    top: lens.getBoundingClientRect().top,
    bottom: lens.getBoundingClientRect().bottom,
  }));
  const squiggles = [...editor.querySelectorAll(".squiggly-error")].map((el) => {
    const box = el.getBoundingClientRect();
    return { top: box.top, bottom: box.bottom, x: box.left + box.width / 2, y: box.top + box.height / 2 };
  });
  const warnings = [...editor.querySelectorAll(".squiggly-warning")].map((el) => el.getBoundingClientRect());
  const result = { lenses: {}, squiggles: {}, warnings: {}, squiggleAt: {}, found: {}, defAt: {} };
  for (const name of functions) {
    const line = definition(name);
    result.found[name] = line ? line.text : null;
    result.defAt[name] = line ? { x: line.left + 40, y: (line.top + line.bottom) / 2 } : null;
    if (!line) {
      result.lenses[name] = [];
      result.squiggles[name] = 0;
      result.warnings[name] = 0;
      continue;
    }
    const end = starts.find((top) => top > line.top + 1) ?? Number.POSITIVE_INFINITY;
    // A lens sits just above its line: its bottom within one line height of the line's top.
    const height = line.bottom - line.top;
    result.lenses[name] = lenses
      .filter((lens) => Math.abs(lens.bottom - line.top) <= height * 1.5)
      .flatMap((lens) => lens.texts);
    const inside = squiggles.filter((s) => s.top >= line.top - 1 && s.bottom <= end + 1);
    result.squiggles[name] = inside.length;
    result.squiggleAt[name] = inside[0] ?? null;
    result.warnings[name] = warnings.filter((w) => w.top >= line.top - 1 && w.bottom <= end + 1).length;
  }
  return result;
}

/** True when a function's lens shows a verdict (not "… verifying"). */
function settled(view, name) {
  return (view.lenses[name] ?? []).some((text) => /^[✓✗⚠~?]/.test(text));
}

/** True when f and g2 are settled, g2 is refuted and has an error squiggle. */
function hasRefutedG2(view) {
  const refuted = (view.lenses.g2 ?? []).some((text) => text.startsWith("✗"));
  return FUNCTIONS.every((name) => settled(view, name)) && refuted && view.squiggles.g2 > 0;
}

/** Polls the editor until `done(view)` holds or the budget runs out (then logs what it saw). */
async function waitFor(page, done) {
  const deadline = Date.now() + WAIT_MS;
  let view;
  while (Date.now() < deadline) {
    view = await page.evaluate(readEditor, FUNCTIONS);
    if (done(view)) {
      return view;
    }
    await page.waitForTimeout(1000);
  }
  log(`condition not met after ${WAIT_MS} ms: ${JSON.stringify(view)}`);
  return view;
}

/** Waits (within the budget) until the status bar says nothing is being verified, so the
 * screenshots show final verdicts; returns whether it got there. */
async function waitForIdle(page, budgetMs) {
  const deadline = Date.now() + budgetMs;
  while (Date.now() < deadline) {
    const status = await statusItem(page);
    if (status.text !== "" && !/being verified/.test(status.label)) {
      return true;
    }
    await page.waitForTimeout(1000);
  }
  return false;
}

/** Hovers the first error squiggle inside g2 and returns the hover's text. */
async function hoverText(page, view) {
  const spot = view.squiggleAt?.g2;
  if (!spot) {
    return "";
  }
  await page.mouse.move(10, 10);
  await page.waitForTimeout(300);
  await page.mouse.move(spot.x, spot.y);
  const hover = page.locator(".monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents").first();
  try {
    await hover.waitFor({ state: "visible", timeout: 10_000 });
    await page.waitForTimeout(1500);
  } catch {
    return "";
  }
  const text = await page.locator(".monaco-hover:not(.hidden)").first().innerText();
  return text;
}

/** Puts the cursor on g2's definition, runs "Show Trace of Function at Cursor", and returns the
 * title of the Markdown preview that opens (then closes it). */
async function showTrace(page, view, screenshot) {
  const spot = view.defAt?.g2;
  if (!spot) {
    return "";
  }
  await page.mouse.click(spot.x, spot.y);
  await runCommand(page, "prooflens: Show Trace of Function at Cursor");
  const tab = page.locator('.tab[aria-label*="g2"]').filter({ hasText: "Preview" }).first();
  try {
    await tab.waitFor({ timeout: 20_000 });
  } catch {
    return "";
  }
  await page.waitForTimeout(2000);
  await page.screenshot({ path: screenshot });
  const title = (await tab.textContent()) ?? "";
  await tab.hover();
  await tab.locator(".tab-actions .action-label").first().click();
  await page.waitForTimeout(500);
  return title.trim();
}

/** The Problems panel's rows (aria labels carry severity, message, position and file). */
async function problemRows(page) {
  await page.keyboard.press("Control+Shift+M");
  // The list is virtualised: filter it to g2's problems so both files' rows are rendered.
  const filter = page.locator(".viewpane-filter input").first();
  await filter.waitFor({ timeout: 15_000 });
  await filter.fill("g2");
  await page.waitForTimeout(1000);
  const rows = page.locator(".markers-panel .monaco-list-row");
  await rows.first().waitFor({ timeout: 15_000 }).catch(() => {});
  await page.waitForTimeout(800);
  return rows.evaluateAll((elements) =>
    elements.map((el) => `${el.getAttribute("aria-label") ?? ""} | ${el.textContent ?? ""}`),
  );
}

/** The prooflens status bar item: its text and the counts it shows. */
async function statusItem(page) {
  return page.evaluate(() => {
    const items = [...document.querySelectorAll(".statusbar-item")];
    const item = items.find((el) => /✓ \d+/.test(el.textContent ?? ""));
    if (!item) {
      return { text: "", label: "", counts: {} };
    }
    const text = (item.textContent ?? "").replace(/\u00a0/g, " ").trim();
    const number = (symbol) => Number((text.match(new RegExp(`${symbol} (\\d+)`)) ?? [])[1] ?? NaN);
    return {
      id: item.id,
      text,
      label: item.getAttribute("aria-label") ?? "",
      counts: { proved: number("✓"), refuted: number("✗"), unknown: number("\\?"), bounded: number("~") },
    };
  });
}

/** The trusted scenario: every sample file deep-checked, with lenses, squiggles, hover, trace,
 * Problems rows and the status bar observed. */
async function trustedScenario(page, observations) {
  for (const name of config.files) {
    const view = await openAndVerify(page, name, (v) => hasRefutedG2(v));
    const stem = `vscode-${name.replace(/\W/g, "-")}`;
    await screenshot(page, observations, `${stem}.png`);
    const hover = await hoverText(page, view);
    await screenshot(page, observations, `${stem}-hover.png`);
    await page.mouse.move(10, 10);
    await page.keyboard.press("Escape");
    const trace = await showTrace(page, view, path.join(config.artifacts, `${stem}-trace.png`));
    if (trace !== "") {
      observations.screenshots.push(`${stem}-trace.png`);
    }
    observations.files[name] = { ...view, hover, trace, problems: [] };
  }
  const rows = await problemRows(page);
  for (const name of config.files) {
    observations.files[name].problems = rowsOf(rows, name);
  }
  observations.problemRows = rows;
  observations.status = await statusItem(page);
  await screenshot(page, observations, "vscode-problems.png");
}

/** The untrusted scenario: the folder opened in Restricted Mode; the first sample file is
 * verified without replay; the notification centre and status bar are observed. */
async function untrustedScenario(page, observations) {
  const refuse = page.locator(".monaco-dialog-box .monaco-button", { hasText: "don't trust" }).first();
  await refuse.waitFor({ timeout: 30_000 });
  await refuse.click();
  await page.locator(".monaco-dialog-box").waitFor({ state: "hidden", timeout: 15_000 });
  const name = config.files[0];
  const view = await openAndVerify(page, name, (v) => settled(v, "g2"));
  observations.files[name] = view;
  observations.status = await statusItem(page);
  await screenshot(page, observations, "vscode-untrusted.png");
  await runCommand(page, "Notifications: Show Notifications");
  const center = page.locator(".notifications-center");
  await center.waitFor({ timeout: 15_000 });
  await page.waitForTimeout(500);
  observations.notifications = await center.innerText();
  await screenshot(page, observations, "vscode-untrusted-notifications.png");
}

/** The "missing" scenario: the interpreter lacks prooflens; the error toast is observed. */
async function missingPackageScenario(page, observations) {
  await openFile(page, config.files[0]);
  const toast = page.locator(".notification-toast", { hasText: "not installed" }).first();
  await toast.waitFor({ timeout: 60_000 });
  await page.waitForTimeout(500);
  observations.toast = await toast.innerText();
  observations.statusBar = await page.locator("#workbench\\.parts\\.statusbar").innerText();
  await screenshot(page, observations, "vscode-missing-package.png");
}

/** Opens a file, runs Verify File, waits for `done` (within the budget) and for idle. */
async function openAndVerify(page, name, done) {
  log(`opening ${name}`);
  await openFile(page, name);
  await page.waitForTimeout(1500);
  log("prooflens: Verify File");
  await runCommand(page, "prooflens: Verify File (deep check)");
  await waitFor(page, done);
  const idle = await waitForIdle(page, WAIT_MS);
  const view = await page.evaluate(readEditor, FUNCTIONS);
  log(`${name}: idle=${idle} ${JSON.stringify(view)}`);
  return view;
}

async function screenshot(page, observations, name) {
  await page.screenshot({ path: path.join(config.artifacts, name) });
  observations.screenshots.push(name);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: config.chromium,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-dev-shm-usage",
    ],
  });
  const observations = { scenario: config.scenario, files: {}, screenshots: [], status: null };
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on("pageerror", (error) => log(`page error: ${error.message}`));
    log(`opening ${config.url}`);
    await page.goto(config.url, { waitUntil: "domcontentloaded" });
    await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
    await page.waitForTimeout(3000);
    if (config.scenario === "untrusted") {
      await untrustedScenario(page, observations);
    } else if (config.scenario === "missing") {
      await missingPackageScenario(page, observations);
    } else {
      await trustedScenario(page, observations);
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(`${JSON.stringify(observations)}\n`);
}

/** Problems rows are grouped under a file row ("N problems in file seed.py ..."); a marker row
 * (and its related-information rows) belongs to the file row above it. */
function rowsOf(rows, name) {
  let current = null;
  const mine = [];
  for (const row of rows) {
    const header = row.match(/problems? in file (\S+)/);
    if (header) {
      current = header[1];
    } else if (current === name) {
      mine.push(row);
    }
  }
  return mine;
}

main().catch((error) => {
  log(`failed: ${error.stack ?? error}`);
  process.exit(1);
});
