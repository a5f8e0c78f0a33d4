/**
 * prooflens for VS Code: a thin client of `python -m prooflens serve`. It starts the server,
 * passes the settings, shows the server's status in the status bar and offers the commands;
 * diagnostics, code lenses, hovers and inlay hints come from the server itself.
 */
import { execFile } from "node:child_process";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  DynamicFeature,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  StaticFeature,
} from "vscode-languageclient/node";
import { functionAtLine, functionName, LensInfo } from "./functions";
import { describeCommand, resolveServerLaunch, ServerLaunch } from "./interpreter";
import { installCommand, PROBE_CODE, ProbeOutcome, probeProblem, ProbeProblem } from "./probe";
import { replayOffReason, RESTART_SETTINGS, toServerSettings } from "./settings";
import { lifecycleView, parseStatus, StatusView, statusView } from "./status";

const SECTION = "prooflens";
const TRACE_SCHEME = "prooflens-trace";
const PROBE_TIMEOUT_MS = 30_000;
const PYTHON_EXTENSION_TIMEOUT_MS = 10_000;
const DOCUMENT_SELECTOR = [
  { scheme: "file", language: "c" },
  { scheme: "file", language: "python" },
  { scheme: "untitled", language: "c" },
  { scheme: "untitled", language: "python" },
];

let controller: Controller | undefined;

/** Entry point: called on the first C or Python document. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  controller = new Controller(context);
  await controller.start();
}

/** Stops the server when VS Code shuts the extension down. */
export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}

/**
 * The language client without the executeCommand feature: the server's command ids are the
 * extension's own commands (they also work from the palette, pick the function at the cursor and
 * show the trace), so the extension registers them itself and forwards them to the server.
 */
class ProoflensClient extends LanguageClient {
  public override registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
    const method = (feature as Partial<DynamicFeature<unknown>>).registrationType?.method;
    if (method === ExecuteCommandRequest.method) {
      return;
    }
    super.registerFeature(feature);
  }
}

/** Read-only Markdown documents holding traces returned by the server. */
class TraceDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  public readonly onDidChange = this.changed.event;

  public set(uri: vscode.Uri, markdown: string): void {
    this.contents.set(uri.toString(), markdown);
    this.changed.fire(uri);
  }

  public provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? "";
  }
}

/** Owns the client, the status bar item and the commands. */
class Controller implements vscode.Disposable {
  private client: ProoflensClient | undefined;
  private readonly output: vscode.OutputChannel;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly traces = new TraceDocuments();
  private restarting: Promise<void> = Promise.resolve();
  private untrustedNoticeShown = false;

  public constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel("prooflens");
    this.statusItem = vscode.window.createStatusBarItem("prooflens.status", vscode.StatusBarAlignment.Left, 10);
    this.statusItem.name = "prooflens";
    this.statusItem.command = "prooflens.statusMenu";
    context.subscriptions.push(
      this,
      this.output,
      this.statusItem,
      vscode.workspace.registerTextDocumentContentProvider(TRACE_SCHEME, this.traces),
      vscode.commands.registerCommand("prooflens.verifyFile", (uri?: unknown) => this.verifyFile(uri)),
      vscode.commands.registerCommand("prooflens.verifyFunction", (uri?: unknown, name?: unknown, options?: unknown) =>
        this.verifyFunction(uri, name, options),
      ),
      vscode.commands.registerCommand("prooflens.showTrace", (uri?: unknown, name?: unknown, line?: unknown) =>
        this.showTrace(uri, name, line),
      ),
      vscode.commands.registerCommand("prooflens.restartServer", () => this.restart()),
      vscode.commands.registerCommand("prooflens.showLog", () => this.output.show(true)),
      vscode.commands.registerCommand("prooflens.statusMenu", () => this.statusMenu()),
      vscode.workspace.onDidChangeConfiguration((event) => this.onConfigurationChanged(event)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log("workspace trusted: restarting with replay as configured");
        void this.restart();
      }),
    );
  }

  public dispose(): void {
    void this.stop();
  }

  /** Resolves the command, checks that prooflens imports, then starts the client. */
  public async start(): Promise<void> {
    this.show(lifecycleView("starting"));
    this.noticeUntrusted();
    const launch = await this.resolveLaunch();
    this.log(`server command (${launch.source}): ${describeCommand(launch.command, launch.args)}`);
    if (launch.python !== undefined) {
      const problem = probeProblem(await probe(launch.python), launch.python);
      if (problem !== undefined) {
        this.log(problem.message);
        this.show(lifecycleView("failed", problem.message));
        void this.reportProblem(problem, launch.python);
        return;
      }
    }
    const client = this.createClient(launch);
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      // The client has already shown its own error with a "Go to output" button.
      this.log(`the server failed to start: ${errorText(error)}`);
      this.show(lifecycleView("failed", errorText(error)));
    }
  }

  /** Stops the server process if one is running. */
  public async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) {
      return;
    }
    try {
      if (client.state !== State.Stopped) {
        await client.stop(5000);
      }
    } catch (error) {
      this.log(`stopping the server: ${errorText(error)}`);
    }
  }

  /** Stops and starts again; concurrent calls are serialised. */
  public restart(): Promise<void> {
    this.restarting = this.restarting.then(async () => {
      await this.stop();
      await this.start();
    });
    return this.restarting;
  }

  private createClient(launch: ServerLaunch): ProoflensClient {
    // No `transport`: with TransportKind.stdio the client would append `--stdio` to the
    // arguments, which `prooflens serve` does not take; stdio is the default anyway.
    const serverOptions: ServerOptions = {
      command: launch.command,
      args: [...launch.args],
      options: { env: { ...process.env, PYTHONUNBUFFERED: "1" } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: this.serverSettings(),
      synchronize: { configurationSection: SECTION },
      middleware: {
        workspace: {
          configuration: (params, token, next) => this.answerConfiguration(params, token, next),
          didChangeConfiguration: () => this.pushSettings(),
        },
      },
    };
    const client = new ProoflensClient(SECTION, "prooflens", serverOptions, clientOptions);
    client.onNotification("prooflens/status", (params: unknown) => {
      const counts = parseStatus(params);
      if (counts !== undefined) {
        this.show(statusView(counts, this.statusContext()));
      }
    });
    client.onDidChangeState((event) => {
      if (event.newState === State.Stopped && this.client === client) {
        this.show(lifecycleView("stopped"));
      } else if (event.newState === State.Running) {
        const none = { proved: 0, refuted: 0, bounded: 0, unknown: 0, running: 0, files: 0 };
        this.show(statusView(none, this.statusContext()));
      }
    });
    return client;
  }

  /** Whether the status counts come from a trusted workspace with replay on. */
  private statusContext(): { untrusted: boolean; replay: boolean } {
    return { untrusted: !vscode.workspace.isTrusted, replay: this.serverSettings().replay };
  }

  /** The contract's settings object: the user's settings, replay off when untrusted. */
  private serverSettings(scope?: vscode.Uri): ReturnType<typeof toServerSettings> {
    const config = vscode.workspace.getConfiguration(SECTION, scope);
    return toServerSettings((key) => config.get(key), vscode.workspace.isTrusted);
  }

  /** Answers `workspace/configuration`: our mapped object for section `prooflens`. */
  private async answerConfiguration(
    params: { items: { section?: string; scopeUri?: string }[] },
    token: vscode.CancellationToken,
    next: (params: { items: { section?: string; scopeUri?: string }[] }, token: vscode.CancellationToken) => unknown,
  ): Promise<unknown[]> {
    const fallback = await Promise.resolve(next(params, token));
    const answers = Array.isArray(fallback) ? [...fallback] : params.items.map(() => null);
    params.items.forEach((item, index) => {
      if (item.section === SECTION) {
        answers[index] = this.serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined);
      }
    });
    return answers;
  }

  /** Sends `workspace/didChangeConfiguration` with the mapped settings. */
  private async pushSettings(): Promise<void> {
    const client = this.client;
    if (client?.state === State.Running) {
      await client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { [SECTION]: this.serverSettings() },
      });
    }
  }

  private onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
    if (RESTART_SETTINGS.some((key) => event.affectsConfiguration(key))) {
      this.log("interpreter or server command changed: restarting the server");
      void this.restart();
    }
  }

  /** The server command from the settings and, when present, the Python extension. */
  private async resolveLaunch(): Promise<ServerLaunch> {
    const config = vscode.workspace.getConfiguration(SECTION);
    const serverCommand = config.get<string[]>("serverCommand") ?? [];
    const interpreter = config.get<string>("interpreter") ?? "";
    const needsPythonExtension = serverCommand.length === 0 && interpreter.trim() === "";
    return resolveServerLaunch({
      serverCommand,
      interpreter,
      pythonExtension: needsPythonExtension ? await this.pythonExtensionInterpreter() : undefined,
      workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      home: os.homedir(),
      env: process.env,
      platform: process.platform,
    });
  }

  /** The interpreter selected in the Python extension (ms-python.python), if installed. */
  private async pythonExtensionInterpreter(): Promise<string[] | undefined> {
    const extension = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
    if (extension === undefined) {
      return undefined;
    }
    try {
      const api = extension.isActive
        ? extension.exports
        : await withTimeout(Promise.resolve(extension.activate()), PYTHON_EXTENSION_TIMEOUT_MS);
      const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
      const environments = api?.environments;
      if (environments !== undefined) {
        this.watchPythonEnvironment(environments);
        const active = environments.getActiveEnvironmentPath(resource);
        const resolved = await environments.resolveEnvironment(active);
        const executable = resolved?.executable?.uri?.fsPath;
        if (executable) {
          return [executable];
        }
      }
      const command = api?.settings?.getExecutionDetails?.(resource)?.execCommand;
      return command && command.length > 0 ? [...command] : undefined;
    } catch (error) {
      this.log(`could not ask the Python extension for its interpreter: ${errorText(error)}`);
      return undefined;
    }
  }

  private watchingPython = false;

  private watchPythonEnvironment(environments: PythonEnvironmentsApi): void {
    if (this.watchingPython || environments.onDidChangeActiveEnvironmentPath === undefined) {
      return;
    }
    this.watchingPython = true;
    this.context.subscriptions.push(
      environments.onDidChangeActiveEnvironmentPath(() => {
        const config = vscode.workspace.getConfiguration(SECTION);
        if ((config.get<string>("interpreter") ?? "").trim() === "" && (config.get<string[]>("serverCommand") ?? []).length === 0) {
          this.log("the Python extension's interpreter changed: restarting the server");
          void this.restart();
        }
      }),
    );
  }

  /** Tells the user once why replay is off in an untrusted workspace. */
  private noticeUntrusted(): void {
    if (vscode.workspace.isTrusted || this.untrustedNoticeShown) {
      return;
    }
    this.untrustedNoticeShown = true;
    const config = vscode.workspace.getConfiguration(SECTION);
    const reason = replayOffReason((key) => config.get(key), false);
    const message =
      `prooflens: counterexamples are not replayed because ${reason}. Verification still runs, ` +
      "but no counterexample is confirmed by a real run, so none is reported as an error.";
    this.log(message);
    void vscode.window.showInformationMessage(message, "Manage Workspace Trust").then((choice) => {
      if (choice === "Manage Workspace Trust") {
        void vscode.commands.executeCommand("workbench.trust.manage");
      }
    });
  }

  /** The error message with the buttons that fix it. */
  private async reportProblem(problem: ProbeProblem, python: readonly string[]): Promise<void> {
    const buttons = problem.installCommand !== undefined ? ["Install…", "Choose Interpreter", "Show Log"] : ["Choose Interpreter", "Show Log"];
    const choice = await vscode.window.showErrorMessage(problem.message, ...buttons);
    if (choice === "Install…") {
      await this.installInto(python);
    } else if (choice === "Choose Interpreter") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "prooflens.interpreter");
    } else if (choice === "Show Log") {
      this.output.show(true);
    }
  }

  /** Runs pip in a terminal, with a package spec the user confirms (name or local path). */
  private async installInto(python: readonly string[]): Promise<void> {
    const spec = await vscode.window.showInputBox({
      title: "Install prooflens",
      prompt: `pip install into ${python.join(" ")}: a prooflens checkout folder or wheel file`,
      placeHolder: "/path/to/prooflens",
      value: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "",
    });
    if (!spec) {
      return;
    }
    const terminal = vscode.window.createTerminal("prooflens install");
    terminal.show();
    terminal.sendText(installCommand(python, spec));
    const choice = await vscode.window.showInformationMessage(
      "prooflens: restart the server when the installation has finished.",
      "Restart Server",
    );
    if (choice === "Restart Server") {
      await this.restart();
    }
  }

  private async statusMenu(): Promise<void> {
    const items = [
      { label: "$(warning) Show Problems", command: "workbench.actions.view.problems" },
      { label: "$(output) Show Server Log", command: "prooflens.showLog" },
      { label: "$(check-all) Verify File", command: "prooflens.verifyFile" },
      { label: "$(debug-restart) Restart Server", command: "prooflens.restartServer" },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: "prooflens" });
    if (picked !== undefined) {
      await vscode.commands.executeCommand(picked.command);
    }
  }

  /** Deep check of every function of a file (the active editor's by default). */
  private async verifyFile(uri?: unknown): Promise<void> {
    const target = uriArgument(uri) ?? activeDocumentUri();
    if (target === undefined) {
      void vscode.window.showWarningMessage("prooflens: open a C or Python file to verify it.");
      return;
    }
    await this.execute("prooflens.verifyFile", [target]);
  }

  /** Deep check of one function: from a code lens ([uri, name]) or the one at the cursor. */
  private async verifyFunction(uri?: unknown, name?: unknown, options?: unknown): Promise<void> {
    const target = await this.functionTarget(uri, name);
    if (target === undefined) {
      return;
    }
    const args: unknown[] = [target.uri, target.name];
    if (typeof options === "object" && options !== null) {
      args.push(options);
    }
    await this.execute("prooflens.verifyFunction", args);
  }

  /** Shows the trace or certificate of a function as a Markdown preview. */
  private async showTrace(uri?: unknown, name?: unknown, line?: unknown): Promise<void> {
    const target = await this.functionTarget(uri, name);
    if (target === undefined) {
      return;
    }
    const args: unknown[] = [target.uri, target.name];
    if (typeof line === "number") {
      args.push(line);
    }
    const markdown = await this.execute("prooflens.showTrace", args);
    if (typeof markdown !== "string" || markdown.trim() === "") {
      void vscode.window.showInformationMessage(`prooflens: no trace or certificate for ${target.name} yet.`);
      return;
    }
    const document = vscode.Uri.from({ scheme: TRACE_SCHEME, path: `/${target.name}.md`, query: target.uri });
    this.traces.set(document, markdown);
    try {
      await vscode.commands.executeCommand("markdown.showPreviewToSide", document);
    } catch {
      const text = await vscode.workspace.openTextDocument(document);
      await vscode.window.showTextDocument(text, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
  }

  /** The function named by command arguments, else the one at the cursor. */
  private async functionTarget(uri: unknown, name: unknown): Promise<{ uri: string; name: string } | undefined> {
    const explicitUri = uriArgument(uri);
    if (explicitUri !== undefined && typeof name === "string" && name !== "") {
      return { uri: explicitUri, name };
    }
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined) {
      void vscode.window.showWarningMessage("prooflens: open a C or Python file and put the cursor in a function.");
      return undefined;
    }
    const lenses = await this.functionLenses(editor.document.uri);
    const atCursor = functionAtLine(lenses, editor.selection.active.line);
    if (atCursor !== undefined) {
      return { uri: editor.document.uri.toString(), name: atCursor };
    }
    const names = [...new Set(lenses.map(functionName).filter((n): n is string => n !== undefined))];
    if (names.length === 0) {
      void vscode.window.showWarningMessage("prooflens: no verified functions in this file yet.");
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(names, { title: "prooflens: which function?" });
    return picked === undefined ? undefined : { uri: editor.document.uri.toString(), name: picked };
  }

  /** The server's code lenses of a document, as plain data. */
  private async functionLenses(uri: vscode.Uri): Promise<LensInfo[]> {
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri)) ?? [];
    return lenses.map((lens) => ({
      line: lens.range.start.line,
      command: lens.command?.command,
      args: lens.command?.arguments,
    }));
  }

  /** Sends `workspace/executeCommand`; failures go to the log and a message. */
  private async execute(command: string, args: unknown[]): Promise<unknown> {
    const client = this.client;
    if (client === undefined || client.state !== State.Running) {
      const choice = await vscode.window.showWarningMessage("prooflens: the server is not running.", "Restart Server", "Show Log");
      if (choice === "Restart Server") {
        await this.restart();
      } else if (choice === "Show Log") {
        this.output.show(true);
      }
      return undefined;
    }
    try {
      return await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
    } catch (error) {
      this.log(`${command} failed: ${errorText(error)}`);
      void vscode.window.showErrorMessage(`prooflens: ${command} failed: ${errorText(error)}`);
      return undefined;
    }
  }

  private show(view: StatusView): void {
    this.statusItem.text = view.text;
    this.statusItem.tooltip = view.tooltip;
    this.statusItem.accessibilityInformation = { label: view.tooltip.split("\n").join(", ") };
    this.statusItem.backgroundColor =
      view.severity === "none" ? undefined : new vscode.ThemeColor(`statusBarItem.${view.severity}Background`);
    this.statusItem.show();
  }

  private log(message: string): void {
    this.output.appendLine(`[client ${new Date().toISOString()}] ${message}`);
  }
}

/** The parts of the Python extension's API this extension reads. */
interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri): unknown;
  resolveEnvironment(environment: unknown): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
}

interface PythonExtensionApi {
  environments?: PythonEnvironmentsApi;
  settings?: { getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] } | undefined };
}

/** Runs `<python> -c "import prooflens"` and reports how it went. */
function probe(python: readonly string[]): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    execFile(
      python[0],
      [...python.slice(1), "-c", PROBE_CODE],
      { timeout: PROBE_TIMEOUT_MS, encoding: "utf8" },
      (error, _stdout, stderr) => {
        const code = (error as NodeJS.ErrnoException | null)?.code;
        resolve({
          errorCode: typeof code === "string" ? code : undefined,
          exitCode: error === null ? 0 : typeof code === "number" ? code : 1,
          stderr: String(stderr),
        });
      },
    );
  });
}

function uriArgument(value: unknown): string | undefined {
  if (value instanceof vscode.Uri) {
    return value.toString();
  }
  return typeof value === "string" && value !== "" ? value : undefined;
}

function activeDocumentUri(): string | undefined {
  return vscode.window.activeTextEditor?.document.uri.toString();
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
