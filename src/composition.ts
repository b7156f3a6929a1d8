import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MinerUClient } from './core/api/client';
import { documentNameFromFile, documentNameFromUrl } from './core/results/naming';
import type { MinerUApi } from './core/api/mineruApi';
import { ResultIndex } from './core/results/resultIndex';
import { mineruServices } from './core/services/mineruServices';
import { SelfHostedService } from './core/services/selfHosted/selfHostedService';
import { ParseEngine, type ResultImporter } from './core/tasks/engine';
import type { TaskRecord } from './core/tasks/task';
import { TaskStore } from './core/tasks/taskStore';
import { systemClock } from './core/util/clock';
import type { CommandContext } from './vscode/commandContext';
import { registerConnectionCommand } from './vscode/commands/connectionCommand';
import { registerExtraFormatCommand } from './vscode/commands/extraFormatCommand';
import { registerFileCommands } from './vscode/commands/fileCommands';
import { registerPageRangeCommand } from './vscode/commands/pageRangeCommand';
import { registerParseCommands } from './vscode/commands/parseCommands';
import { registerTaskCommands } from './vscode/commands/taskCommands';
import { openViewerStates, registerViewerCommand, type ViewerInfo } from './vscode/commands/viewerCommand';
import { registerSelfHostedCommands } from './vscode/commands/selfHostedCommands';
import { registerTokenCommands, tokenChanged } from './vscode/commands/tokenCommands';
import { handleParseUri, registerUriHandler } from './vscode/commands/uriHandler';
import { EndpointConsent } from './vscode/endpointConsent';
import { lazy } from './vscode/lazy';
import { OutputLogger } from './vscode/log';
import { Notifier } from './vscode/notifier';
import { SelfHostedCredentialStore } from './vscode/selfHostedCredential';
import { engineSettings, readFileSettings, readSettings, type MinerUSettings } from './vscode/settings';
import { TaskStatusBar } from './vscode/statusBar';
import { TaskTreeProvider } from './vscode/taskTree';
import { createTaskView } from './vscode/taskView';
import { TokenStore } from './vscode/tokenStore';
import {
  createTools,
  FIND_TOOL,
  PARSE_TOOL,
  registerLanguageModelTools,
  type MinerUTools,
} from './vscode/tools/lmTools';
import { FolderWatcher } from './vscode/watch/folderWatcher';

/**
 * What activate() hands out in a test host only (ExtensionMode Development or Test), through
 * {@link MinerUTestHandle.ready}: the services the host tests observe, and hooks that stand in for
 * the user. In production activate() returns nothing, so no other extension can read the token,
 * set one, list tasks or drive the engine.
 */
export interface MinerUTestApi {
  engine: ParseEngine;
  store: TaskStore;
  statusBar: TaskStatusBar;
  tree: TaskTreeProvider;
  /** The index of finished results (source + options → result folder). */
  results: ResultIndex;
  /** The language-model tools' objects, to call prepareInvocation directly. */
  tools: MinerUTools;
  /** Watched folders (mineru.watch.folders). */
  watch: FolderWatcher;
  /** This extension's own SecretStorage, read directly (not through the token store's cache). */
  secrets: vscode.SecretStorage;
  /** Stores a token as the password box would, for tests that do not drive the UI. */
  setToken(token: string): Promise<void>;
  /** The open "Source beside Markdown" viewers: their Markdown, page and highlighted blocks. */
  viewers(): Promise<ViewerInfo[]>;
  /**
   * Hands a URI to the extension's URI handler, as VS Code does for vscode://<extension id>/…
   * (code-server hands its code-oss:// URIs to the browser, see test/integration/uriHandler.test.ts),
   * and resolves to the tasks it created.
   */
  handleUri(uri: vscode.Uri): Promise<TaskRecord[] | undefined>;
  /** Disposes this activation and activates again over the same storage: a window reload. */
  restart(): MinerUTestApi;
}

/** What the engine calls on the client (axios loads on the first of them). */
const API_METHODS = [
  'submitTask',
  'getTask',
  'submitBatch',
  'getBatch',
  'requestUploadUrls',
  'uploadFile',
  'agentParseUrl',
  'agentParseFile',
  'agentGetTask',
] as const satisfies readonly (keyof MinerUApi)[];
/** What the engine calls on the importer (adm-zip loads on the first of them). */
const IMPORTER_METHODS = ['importZip', 'importMarkdown'] as const satisfies readonly (keyof ResultImporter)[];

/** What one run of {@link compose} built, for src/extension.ts. */
export interface Composed {
  /** The test API (a test host only); undefined in production. */
  api: MinerUTestApi | undefined;
  /** The language-model tools by name, for the stand-ins registered at activation. */
  tools: Readonly<Record<string, vscode.LanguageModelTool<unknown>>>;
}

/** Ends the current composition (see the end of compose); undefined before the first one. */
let ending: (() => Promise<void>) | undefined;

/**
 * Composition root: builds the services, registers everything, and hands every disposable to
 * VS Code. src/extension.ts runs it just after activation (dist/composition.js). Nothing here
 * touches the network: polling of persisted tasks starts from the store.
 */
export function compose(
  context: vscode.ExtensionContext,
  /** restart() only: the API object to refill with the new activation's services. */
  into?: MinerUTestApi,
): Composed {
  const automation = context.extensionMode !== vscode.ExtensionMode.Production;
  const tokens = new TokenStore(context.secrets);
  const serverCredential = new SelfHostedCredentialStore(context.secrets);
  const logger = new OutputLogger(() => tokens.peek());
  const consent = new EndpointConsent(context.globalState);
  // Read on first use: the first getConfiguration() of a host costs a few ms, and the first paint
  // (tree, status bar, commands) needs no setting.
  let loaded: MinerUSettings | undefined;
  const settings = (): MinerUSettings => (loaded ??= readSettings());

  // The client (axios) and the importer (zip reader) load on first use, not during activation, and the
  // client is rebuilt when an endpoint setting changes; the engine always calls the current one.
  const client = lazy(buildClient, API_METHODS);
  async function buildClient(): Promise<MinerUClient> {
    // The network code loads in two turns of the extension host instead of one: axios
    // (dist/axios.js, ~12 ms to load), then the client with the rest of dist/later.js (~6 ms).
    await import('axios');
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { MinerUClient: Client } = await import('./core/api/client.js');
    return new Client({
      baseUrl: settings().apiBaseUrl,
      batchBaseUrl: settings().batchApiBaseUrl,
      agentBaseUrl: settings().agentBaseUrl,
      getToken: () => tokens.get(),
      // Asked at every request, so a "Send over HTTP" given after this client was built counts.
      allowInsecureHttp: (origin) => consent.isAllowed(origin),
      logger,
      userAgent: `mineru-vscode/${String((context.extension.packageJSON as { version?: string }).version ?? '0')}`,
    });
  }
  const api: MinerUApi = client.forward;
  // Imports in progress, so that deactivate() can wait until an aborted one has removed its
  // partial download: the host exits as soon as deactivate() has settled.
  const imports = new Set<Promise<unknown>>();
  const tracked = <T>(work: Promise<T>): Promise<T> => {
    imports.add(work);
    const forget = (): void => void imports.delete(work);
    work.then(forget, forget);
    return work;
  };
  // The user's own MinerU server, when mineru.selfHosted.url is set: its client is built per call
  // from the current settings, and its proxy credential goes only to that origin.
  const selfHosted = new SelfHostedService({
    connection: () =>
      settings().selfHostedUrl
        ? { baseUrl: settings().selfHostedUrl, credential: () => serverCredential.get() }
        : undefined,
    clock: systemClock,
    logger,
    downloadDir: path.join(context.globalStorageUri.fsPath, 'self-hosted-downloads'),
    maxDownloadBytes: () => readFileSettings().localDownloadMaxMB * 1_048_576,
  });
  const importerSettings = (): { maxZipBytes: number } => ({
    maxZipBytes: settings().maxResultSizeMB * 1_048_576,
  });
  const importer: ResultImporter = lazy(
    () =>
      Promise.all([
        import('./core/results/resultImporter.js'),
        import('./core/services/selfHosted/selfHostedResults.js'),
      ]).then(([cloud, own]) =>
        own.withSelfHostedResults(cloud.createResultImporter(logger, importerSettings), {
          clientFor: (base) => selfHosted.clientFor(base),
          settings: importerSettings,
          logger,
        }),
      ),
    IMPORTER_METHODS,
    tracked,
  ).forward;

  const store = new TaskStore(context.workspaceState);
  const engine = new ParseEngine({
    services: mineruServices(api, logger, selfHosted),
    importer,
    store,
    clock: systemClock,
    logger,
    settings: () => engineSettings(settings()),
    workRoot: path.join(context.globalStorageUri.fsPath, 'parts'),
    mergeParts: (request) =>
      import('./core/results/partsMerge.js').then((m) => m.mergePartResults(request, logger)),
    nameFor: (source) =>
      source.kind === 'url' ? documentNameFromUrl(source.url) : documentNameFromFile(source.path),
  });

  // Every finished result, by source (URL or content hash) and options, across reloads: the
  // language-model tool and watched folders find a result here instead of parsing again.
  const results = new ResultIndex(context.workspaceState);

  const tree = new TaskTreeProvider(store);
  const taskView = createTaskView(tree, store);
  const treeView = taskView.view;
  const statusBar = new TaskStatusBar(store);
  const notifier = new Notifier(engine);

  const ctx: CommandContext = {
    extension: context,
    engine,
    store,
    tokens,
    serverCredential,
    consent,
    logger,
    tree,
    treeView,
    settings,
    automation,
  };

  const tools = createTools({ ctx, results, maxCharacters: () => settings().toolMaxCharacters });

  // Watched folders start only in a trusted workspace, and only for globs the user confirmed.
  // They are why package.json activates on "onStartupFinished": a watcher must run without the
  // user opening the view, and no narrower event can say "this workspace sets mineru.watch.folders"
  // — workspaceContains matches files fixed in the manifest, not a setting's globs, and is checked
  // only at start-up, not for files that arrive later. onStartupFinished runs after the workbench
  // is up (it never delays start-up), and activation stays network-free (see CONTRIBUTING.md).
  const watch = new FolderWatcher(ctx, results);
  const owned: vscode.Disposable[] = [registerUriHandler(ctx), watch];
  context.subscriptions.push({ dispose: () => disposeAll(owned) });
  owned.push(
    tokens,
    serverCredential,
    logger,
    tree,
    taskView,
    statusBar,
    notifier,
    {
      dispose: () => {
        engine.dispose();
        void store.flush();
      },
    },
    engine.onEvent((e) => notifier.handle(e)),
    engine.onEvent((e) => {
      if (e.kind === 'finished' && e.task.state === 'done')
        void results.recordTask(e.task).catch(() => undefined);
    }),
    tokens.onDidChange(() => {
      notifier.resetAuth();
      engine.refresh();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('mineru')) return;
      loaded = readSettings();
      client.reset();
      logger.info(`Settings changed; API endpoint is ${settings().apiBaseUrl}.`);
    }),
    vscode.window.onDidChangeWindowState((s) => engine.setFocused(s.focused)),
    ...registerParseCommands(ctx),
    ...registerFileCommands(ctx),
    ...registerTokenCommands(ctx),
    ...registerSelfHostedCommands(ctx),
    ...registerTaskCommands(ctx),
    registerConnectionCommand(ctx, client.current),
    registerExtraFormatCommand(ctx),
    registerPageRangeCommand(ctx),
    ...registerLanguageModelTools(tools),
    ...registerViewerCommand(ctx),
  );

  ending = async () => {
    disposeAll(owned);
    await Promise.allSettled([...imports]);
    await store.flush();
  };

  // Sets the mineru.hasToken context key (welcome view, menus) without blocking activation.
  void tokens.get();
  engine.resume();
  logger.info(`MinerU Document Parser activated; ${store.size} task(s) restored.`);

  const byName = { [PARSE_TOOL]: tools.parse, [FIND_TOOL]: tools.find };
  if (!automation) return { api: undefined, tools: byName };
  const fields: MinerUTestApi = {
    engine,
    store,
    statusBar,
    tree,
    results,
    tools,
    watch,
    secrets: context.secrets,
    setToken: async (token) => {
      await tokens.set(token);
      tokenChanged(ctx);
    },
    viewers: openViewerStates,
    handleUri: (uri) => handleParseUri(ctx, uri),
    restart: () => {
      disposeAll(owned);
      return compose(context, target).api ?? target;
    },
  };
  // One object for the life of the extension: after restart() it holds the new activation's
  // services, so `extension.exports` (what the first activation handed out) never goes stale.
  const target = into ? Object.assign(into, fields) : fields;
  return { api: target, tools: byName };
}

function disposeAll(disposables: vscode.Disposable[]): void {
  for (const d of disposables.splice(0)) {
    try {
      d.dispose();
    } catch {
      // Keep disposing the rest.
    }
  }
}

/**
 * Disposes everything compose() registered, then waits until aborted imports have removed their
 * partial downloads and the task store is written (deactivate() in src/extension.ts).
 */
export function shutdown(): Promise<void> | undefined {
  return ending?.();
}
