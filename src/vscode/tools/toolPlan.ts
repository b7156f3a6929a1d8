import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ParseOptions } from '../../core/api/types';
import { parseAgentPageRange, parsePageRanges } from '../../core/options/pageRanges';
import type { TaskMode } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import { resolveOutputDir } from '../flows/outputFolder';
import { pageRangesText } from '../pageRangeText';

/**
 * What the language-model tool will do, worked out without prompts or side effects: the mode, the
 * options, where results go and each source. Used by prepareInvocation (the confirmation) and by
 * invoke. Anything wrong comes back as `problem`, a sentence the model can act on.
 */
export interface ParseToolInput {
  sources: string[];
  pageRanges?: string;
  mode?: TaskMode;
  returnMarkdown?: boolean;
}

export const MAX_TOOL_SOURCES = 5;

export type ToolSource =
  { kind: 'url'; url: string; label: string } | { kind: 'file'; path: string; label: string; size: number };

export interface ToolPlan {
  mode: TaskMode;
  options: ParseOptions;
  outputDir: string;
  sources: ToolSource[];
  /** Where documents go, for the confirmation: "mineru.net" or "your server at …". */
  destination: string;
}

export type PlanResult = { ok: true; plan: ToolPlan } | { ok: false; problem: string };

export async function planParse(ctx: CommandContext, input: unknown): Promise<PlanResult> {
  const fail = (problem: string): PlanResult => ({ ok: false, problem });
  const parsed = readInput(input);
  if (typeof parsed === 'string') return fail(parsed);
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0)
    return fail(
      vscode.l10n.t(
        'No folder is open, and MinerU writes its results into the workspace. Ask the user to open a folder, then call the tool again.',
      ),
    );
  const mode = await planMode(ctx, parsed.mode);
  if (typeof mode !== 'string') return fail(mode.problem);

  const options: ParseOptions = { ...ctx.settings().defaults };
  if (parsed.pageRanges !== undefined && parsed.pageRanges.trim() !== '') {
    const ranges =
      mode === 'quick' ? parseAgentPageRange(parsed.pageRanges) : parsePageRanges(parsed.pageRanges);
    if (!ranges.ok)
      return fail(
        vscode.l10n.t(
          'The page range "{0}" was refused: {1} Call the tool again with pageRanges such as "1-20".',
          parsed.pageRanges,
          pageRangesText(ranges, vscode.l10n),
        ),
      );
    if (ranges.normalized) options.pageRanges = ranges.normalized;
  }

  const sources: ToolSource[] = [];
  for (const raw of parsed.sources) {
    const source = resolveSource(raw.trim(), folders);
    if (typeof source === 'string') return fail(source);
    sources.push(source);
  }
  const first = sources.find((s) => s.kind === 'file');
  const folder =
    (first?.kind === 'file' && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(first.path))) ||
    folders[0]!;
  const outputDir = resolveOutputDir(folder.uri, ctx.settings().outputDirectory);
  if (typeof outputDir !== 'string') return fail(outputDir.error);
  return { ok: true, plan: { mode, options, outputDir, sources, destination: destinationOf(ctx, mode) } };
}

function readInput(input: unknown): ParseToolInput | string {
  const bad = vscode.l10n.t(
    'The input needs "sources": a list of 1 to {0} URLs (http or https) or workspace file paths.',
    MAX_TOOL_SOURCES,
  );
  if (typeof input !== 'object' || input === null) return bad;
  const v = input as Record<string, unknown>;
  const sources = v.sources;
  if (
    !Array.isArray(sources) ||
    sources.length === 0 ||
    sources.length > MAX_TOOL_SOURCES ||
    !sources.every((s): s is string => typeof s === 'string' && s.trim() !== '')
  )
    return bad;
  const mode = v.mode;
  if (mode !== undefined && mode !== 'precise' && mode !== 'quick' && mode !== 'selfHosted')
    return vscode.l10n.t(
      '"mode" must be "precise", "quick" or "selfHosted", or left out (the user\'s setting).',
    );
  if (v.pageRanges !== undefined && typeof v.pageRanges !== 'string')
    return vscode.l10n.t('"pageRanges" must be a string such as "1-20" or "1-5,8".');
  return {
    sources,
    ...(mode ? { mode } : {}),
    ...(typeof v.pageRanges === 'string' ? { pageRanges: v.pageRanges } : {}),
    returnMarkdown: v.returnMarkdown !== false,
  };
}

/** The mode of this call, as the parse commands would choose it, but asking nothing. */
async function planMode(
  ctx: CommandContext,
  requested: TaskMode | undefined,
): Promise<TaskMode | { problem: string }> {
  const s = ctx.settings();
  if (requested === 'selfHosted' || (requested === undefined && s.service === 'selfHosted')) {
    if (!s.selfHostedUrl)
      return {
        problem: vscode.l10n.t(
          'Self-hosted mode needs a server, and none is set. Ask the user to set mineru.selfHosted.url, or call the tool with mode "precise" or "quick".',
        ),
      };
    if (!ctx.consent.isAllowed(s.selfHostedUrl)) return { problem: consentProblem(s.selfHostedUrl) };
    return 'selfHosted';
  }
  const setting = requested ?? s.mode;
  const token = await ctx.tokens.get();
  const mode: TaskMode = setting === 'auto' ? (token ? 'precise' : 'quick') : setting;
  if (mode === 'quick') return 'quick';
  if (!ctx.consent.isAllowed(s.apiBaseUrl)) return { problem: consentProblem(s.apiBaseUrl) };
  if (s.batchApiBaseUrl !== s.apiBaseUrl && !ctx.consent.isAllowed(s.batchApiBaseUrl))
    return { problem: consentProblem(s.batchApiBaseUrl) };
  if (!token)
    return {
      problem: vscode.l10n.t(
        'No MinerU API token is set, and precise mode needs one. Ask the user to run "MinerU: Set API Token" (command mineru.setToken), then call the tool again; or call it with mode "quick" (Markdown only, up to 10 MB and 20 pages).',
      ),
    };
  return 'precise';
}

function consentProblem(url: string): string {
  return vscode.l10n.t(
    'The endpoint {0} uses plain HTTP and the user has not allowed it. Ask the user to parse one document with a MinerU command first (it asks for that consent), then call the tool again.',
    url,
  );
}

/** Where this mode sends documents: the service's host, or the user's own server. */
export function destinationOf(ctx: CommandContext, mode: TaskMode): string {
  const s = ctx.settings();
  const host = (url: string): string => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  };
  if (mode === 'selfHosted') return vscode.l10n.t('your server at {0}', s.selfHostedUrl);
  return host(mode === 'quick' ? s.agentBaseUrl : s.apiBaseUrl);
}

/**
 * A URL, or a file inside one of the workspace folders (relative to one, or absolute). Nothing
 * outside the workspace is ever uploaded: an agent must not be able to send ~/.ssh to a service.
 */
function resolveSource(raw: string, folders: readonly vscode.WorkspaceFolder[]): ToolSource | string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return vscode.l10n.t('"{0}" is not a valid URL.', raw);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'file:')
      return vscode.l10n.t('"{0}" is not an http or https URL.', raw);
    if (url.protocol !== 'file:') return { kind: 'url', url: url.toString(), label: raw };
    raw = vscode.Uri.parse(raw).fsPath;
  }
  const candidates = path.isAbsolute(raw) ? [raw] : folders.map((f) => path.join(f.uri.fsPath, raw));
  for (const candidate of candidates) {
    const inside = folders.some((f) => isInside(f.uri.fsPath, candidate));
    if (!inside) continue;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(candidate);
    } catch {
      continue;
    }
    if (!stat.isFile()) continue;
    const real = fs.realpathSync.native(candidate);
    if (!folders.some((f) => isInside(safeReal(f.uri.fsPath), real))) continue;
    const label = vscode.workspace.asRelativePath(candidate, folders.length > 1);
    return { kind: 'file', path: candidate, label, size: stat.size };
  }
  return vscode.l10n.t(
    '"{0}" is not a file in the workspace. Give a path relative to the workspace folder (e.g. "papers/thesis.pdf") or an http(s) URL; files outside the workspace are never sent.',
    raw,
  );
}

function safeReal(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return p;
  }
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, path.resolve(target));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}
