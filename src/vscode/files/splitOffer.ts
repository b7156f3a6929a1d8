import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ParseOptions } from '../../core/api/types';
import type { FileLimits, PreflightResult } from '../../core/files/preflight';
import { planSplit, type SplitLimits } from '../../core/split/splitPlan';
import type { TaskMode, TaskRecord } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import { revealTasks } from '../flows/revealTasks';

/** The cloud's own limits, when a mode has none of its own for a file (never used for selfHosted). */
const DEFAULT_MAX_PAGES = 600;

/** A PDF refused for its pages and/or its size alone: what splitting can fix. */
export function isSplittable(r: PreflightResult): boolean {
  return (
    path.extname(r.path).toLowerCase() === '.pdf' &&
    r.problems.length > 0 &&
    r.problems.every((p) => p.code === 'too-large' || p.code === 'too-many-pages')
  );
}

export function splitLimitsFor(limits: FileLimits): SplitLimits {
  return { maxPages: limits.maxPages ?? DEFAULT_MAX_PAGES, maxBytes: limits.maxBytes };
}

/** How many parts the file becomes, or undefined when its page count could not be read cheaply. */
export function partCount(r: PreflightResult, limits: FileLimits): number | undefined {
  if (r.pages === undefined || r.pages < 1) return undefined;
  return planSplit(r.pages, r.size, splitLimitsFor(limits)).length;
}

/**
 * Splits one PDF into parts and parses them (ParseEngine.submitFileInParts), with a cancellable
 * notification while it is split and uploaded; the document's row is revealed.
 */
export async function parseFileInParts(
  ctx: CommandContext,
  file: { path: string; size: number; name?: string },
  limits: FileLimits,
  request: { outputDir: string; options: ParseOptions; mode: TaskMode },
): Promise<TaskRecord | undefined> {
  const name = file.name ?? path.basename(file.path);
  const task = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('MinerU: splitting "{0}" into parts and uploading them', name),
      cancellable: true,
    },
    async (_progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => {
        ctx.logger.info('Parsing in parts cancelled by the user.');
        controller.abort();
      });
      try {
        return await ctx.engine.submitFileInParts(
          { path: file.path, size: file.size, ...(file.name ? { name: file.name } : {}) },
          splitLimitsFor(limits),
          request,
          controller.signal,
        );
      } finally {
        cancel.dispose();
      }
    },
  );
  await revealTasks(ctx, [task]);
  return task;
}
