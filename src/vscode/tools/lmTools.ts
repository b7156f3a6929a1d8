import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkFile, formatBytes } from '../../core/files/preflight';
import {
  fileSha256,
  indexedResultOf,
  resultKey,
  type IndexedResult,
  type ResultIndex,
} from '../../core/results/resultIndex';
import { describeResult } from './toolResultText';
import { isAuthCode } from '../../core/tasks/taskErrors';
import type { TaskRecord } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import { describeError } from '../errorText';
import { limitsFor } from '../files/fileLimits';
import { describeProblem } from '../files/preflightText';
import { suggestsPageRanges } from '../pageRangeText';
import { planParse, type ParseToolInput, type ToolPlan, type ToolSource } from './toolPlan';

export const PARSE_TOOL = 'mineru_parse_document';
export const FIND_TOOL = 'mineru_find_results';

export interface ToolDeps {
  ctx: CommandContext;
  results: ResultIndex;
  /** mineru.tool.maxCharacters: Markdown returned per document. */
  maxCharacters: () => number;
}

export interface MinerUTools {
  parse: vscode.LanguageModelTool<ParseToolInput>;
  find: vscode.LanguageModelTool<{ query?: string }>;
}

const text = (value: string): vscode.LanguageModelToolResult =>
  new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(value)]);

/** Both tools; registered by {@link registerLanguageModelTools} when the host has `vscode.lm`. */
export function createTools(deps: ToolDeps): MinerUTools {
  return { parse: parseTool(deps), find: findTool(deps) };
}

/** Registers the tools; nothing on a host without the language-model API. */
export function registerLanguageModelTools(tools: MinerUTools): vscode.Disposable[] {
  const lm = (vscode as { lm?: Partial<typeof vscode.lm> }).lm;
  if (typeof lm?.registerTool !== 'function') return [];
  return [lm.registerTool(PARSE_TOOL, tools.parse), lm.registerTool(FIND_TOOL, tools.find)];
}

function parseTool(deps: ToolDeps): vscode.LanguageModelTool<ParseToolInput> {
  const { ctx } = deps;
  return {
    async prepareInvocation(options) {
      const planned = await planParse(ctx, options.input);
      if (!planned.ok) return { invocationMessage: vscode.l10n.t('MinerU: checking the request') };
      const { plan } = planned;
      // Only what would really leave: not the results already there, not the files refused before sending.
      const stays = await Promise.all(
        plan.sources.map(
          async (s) => (await lookup(deps, plan, s)) !== undefined || !(await sendable(plan, s)),
        ),
      );
      const sent = plan.sources.filter((_, i) => !stays[i]);
      const invocationMessage = vscode.l10n.t('MinerU: parsing {0} document(s)', plan.sources.length);
      if (sent.length === 0) return { invocationMessage };
      const lines = sent.map((s) =>
        s.kind === 'file'
          ? vscode.l10n.t('Upload {0} ({1}) to {2}', s.label, formatBytes(s.size), plan.destination)
          : vscode.l10n.t('Send the link {0} to {1}, which downloads the document', s.url, plan.destination),
      );
      const title =
        sent.length === 1
          ? `${lines[0]!}?`
          : vscode.l10n.t('Send {0} documents to {1}?', sent.length, plan.destination);
      const message = new vscode.MarkdownString(
        [
          ...lines.map((l) => `- ${l}`),
          '',
          vscode.l10n.t('The results are written to {0}.', plan.outputDir),
        ].join('\n'),
      );
      return { invocationMessage, confirmationMessages: { title, message } };
    },

    async invoke(options, token) {
      try {
        return await run(deps, options.input, token);
      } catch (error) {
        if (error instanceof vscode.CancellationError) throw error;
        ctx.logger.error(`Language-model tool: ${String(error)}`);
        return text(
          vscode.l10n.t(
            'MinerU could not finish: {0}. The MinerU view and its log (command "MinerU: Show Log") have the details.',
            error instanceof Error ? error.message : String(error),
          ),
        );
      }
    },
  };
}

async function lookup(
  deps: ToolDeps,
  plan: ToolPlan,
  source: ToolSource,
): Promise<IndexedResult | undefined> {
  return deps.results.lookup(await keyOf(plan, source));
}

async function sendable(plan: ToolPlan, source: ToolSource): Promise<boolean> {
  return source.kind === 'url' || (await checkFile(source.path, limitsFor(plan.mode))).ok;
}

async function keyOf(plan: ToolPlan, source: ToolSource): Promise<string> {
  return resultKey(
    source.kind === 'url'
      ? { kind: 'url', url: source.url }
      : { kind: 'file', sha256: await fileSha256(source.path) },
    plan.mode,
    plan.options,
  );
}

async function run(
  deps: ToolDeps,
  input: ParseToolInput,
  token: vscode.CancellationToken,
): Promise<vscode.LanguageModelToolResult> {
  const { ctx } = deps;
  const planned = await planParse(ctx, input);
  if (!planned.ok) return text(planned.problem);
  const { plan } = planned;
  const returnMarkdown = input.returnMarkdown !== false;

  // Results already there, and the files that cannot be sent as they are.
  const parts: string[] = [];
  const toSend: { source: ToolSource; key: string }[] = [];
  for (const source of plan.sources) {
    const key = await keyOf(plan, source);
    const found = await deps.results.lookup(key);
    if (found) {
      parts.push(await describeResult(deps.maxCharacters(), source.label, found, returnMarkdown, true));
      continue;
    }
    if (source.kind === 'file') {
      const checked = await checkFile(source.path, limitsFor(plan.mode));
      if (!checked.ok) {
        const problem = checked.problems[0]!;
        let why = describeProblem(source.label, problem, plan.mode);
        if (problem.code === 'too-many-pages')
          why += ` ${vscode.l10n.t('Call the tool again with pageRanges, e.g. "1-{0}".', problem.limit ?? 20)}`;
        parts.push(why);
        continue;
      }
    }
    toSend.push({ source, key });
  }
  if (toSend.length > 0) parts.push(...(await parseAndWait(deps, plan, toSend, returnMarkdown, token)));
  return text(parts.join('\n\n'));
}

/** Submits through the engine (the tasks appear in the MinerU view) and waits for every result. */
async function parseAndWait(
  deps: ToolDeps,
  plan: ToolPlan,
  items: { source: ToolSource; key: string }[],
  returnMarkdown: boolean,
  token: vscode.CancellationToken,
): Promise<string[]> {
  const { ctx } = deps;
  const request = { outputDir: plan.outputDir, options: plan.options, mode: plan.mode };
  const controller = new AbortController();
  const onCancel = token.onCancellationRequested(() => controller.abort());
  const tasks: TaskRecord[] = [];
  try {
    return await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Window,
        title: vscode.l10n.t('MinerU: parsing {0} document(s) for the chat', items.length),
      },
      async () => {
        const urls = items.filter((i) => i.source.kind === 'url');
        const files = items.filter((i) => i.source.kind === 'file');
        if (urls.length)
          tasks.push(
            ...(await ctx.engine.submitUrls(
              urls.map((i) => ({ url: (i.source as { url: string }).url })),
              request,
            )),
          );
        if (files.length && !controller.signal.aborted)
          tasks.push(
            ...(await ctx.engine.submitFiles(
              files.map((i) => {
                const s = i.source as { path: string; size: number };
                return { path: s.path, size: s.size };
              }),
              request,
              controller.signal,
            )),
          );
        const ended = await waitForTasks(ctx, tasks, controller.signal);
        if (controller.signal.aborted) throw new vscode.CancellationError();
        const out: string[] = [];
        for (let i = 0; i < tasks.length; i++) {
          const task = ctx.store.get(tasks[i]!.id) ?? tasks[i]!;
          const label = items[i]?.source.label ?? task.name;
          if (task.state === 'done' && task.result) {
            const result = indexedResultOf(task)!;
            if (items[i]) await deps.results.record(items[i]!.key, result);
            out.push(await describeResult(deps.maxCharacters(), label, result, returnMarkdown, false));
          } else out.push(failureText(label, task, ended));
        }
        return out;
      },
    );
  } catch (error) {
    if (controller.signal.aborted) {
      // Cancelled: stop the tasks of this call, so nothing more is sent or written.
      await ctx.engine.remove(tasks.map((t) => t.id));
      throw new vscode.CancellationError();
    }
    throw error;
  } finally {
    onCancel.dispose();
  }
}

type WaitEnd = 'settled' | 'auth' | 'paused' | 'aborted';

/** Until every task is done or failed (or removed), the token is refused, the queue pauses, or the call is cancelled. */
function waitForTasks(
  ctx: CommandContext,
  tasks: readonly TaskRecord[],
  signal: AbortSignal,
): Promise<WaitEnd> {
  const ids = new Set(tasks.map((t) => t.id));
  return new Promise((resolve) => {
    const disposables: { dispose(): void }[] = [];
    const finish = (end: WaitEnd): void => {
      for (const d of disposables.splice(0)) d.dispose();
      signal.removeEventListener('abort', onAbort);
      resolve(end);
    };
    const onAbort = (): void => finish('aborted');
    const check = (): void => {
      const open = [...ids].some((id) => {
        const t = ctx.store.get(id);
        return t !== undefined && t.state !== 'done' && t.state !== 'failed';
      });
      if (!open) finish('settled');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    disposables.push(
      ctx.store.onDidChange(check),
      ctx.engine.onEvent((e) => {
        if (e.kind === 'auth-failed') finish('auth');
        else if (e.kind === 'paused') finish('paused');
      }),
    );
    if (signal.aborted) onAbort();
    else check();
  });
}

function failureText(label: string, task: TaskRecord, ended: WaitEnd): string {
  if (ended === 'auth' || (task.error && isAuthCode(task.error.code)))
    return vscode.l10n.t(
      '"{0}": the service refused the MinerU API token. Ask the user to run "MinerU: Set API Token" (command mineru.setToken) with a valid token, then call the tool again.',
      label,
    );
  if (ended === 'paused' && task.state !== 'failed')
    return vscode.l10n.t(
      '"{0}": the service paused the queue (quota or queue full). The task waits in the MinerU view and continues by itself; call mineru_find_results later to find its result.',
      label,
    );
  if (!task.error) return vscode.l10n.t('"{0}" was removed from the MinerU view before it finished.', label);
  let why = vscode.l10n.t('"{0}" failed. {1}', label, describeError(task.error, vscode.l10n));
  if (suggestsPageRanges(task.error))
    why += ` ${vscode.l10n.t('Call the tool again with pageRanges, e.g. "1-50", to parse it in parts.')}`;
  return why;
}

function findTool(deps: ToolDeps): vscode.LanguageModelTool<{ query?: string }> {
  return {
    prepareInvocation() {
      return { invocationMessage: vscode.l10n.t('MinerU: listing parsed documents') };
    },
    async invoke(options) {
      const query = typeof options.input?.query === 'string' ? options.input.query.toLowerCase() : '';
      const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
      const entries = (await deps.results.list()).filter(
        (e) =>
          folders.some((f) => !path.relative(f, e.folder).startsWith('..')) &&
          (!query || e.sourceLabel.toLowerCase().includes(query) || e.folder.toLowerCase().includes(query)),
      );
      if (entries.length === 0)
        return text(
          vscode.l10n.t(
            'No MinerU results in this workspace yet{0}. Use mineru_parse_document to parse a document.',
            query ? vscode.l10n.t(' matching "{0}"', query) : '',
          ),
        );
      const lines = entries.map((e) =>
        vscode.l10n.t(
          '- {0} | pages: {1} | mode: {2} | Markdown: {3} | {4}',
          e.sourceLabel,
          e.pages ?? e.pageRanges ?? '?',
          e.mode,
          e.markdownPath,
          new Date(e.date).toISOString(),
        ),
      );
      return text([vscode.l10n.t('{0} MinerU result(s):', entries.length), ...lines].join('\n'));
    },
  };
}
