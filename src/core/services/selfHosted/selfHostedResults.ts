/**
 * Results of a self-hosted server. Its zip is nested (`<name>/<parse dir>/<name>.md`, `images/`,
 * the JSON files), and its result route may sit behind a proxy that wants the credential; so the
 * zip is downloaded by the server's client, imported by the same safe importer as the cloud's, and
 * the folder is then flattened to the cloud's layout: `<document>/<document>.md` beside `images/`.
 * Every other task goes to the cloud importer unchanged.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs, type Dirent } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MinerUError } from '../../errors';
import { importResultZip } from '../../results/extract';
import { mergePartResults, type MergePart } from '../../results/partsMerge';
import { removeStaleTempFolders } from '../../results/staleTempFolders';
import type { ResultImporter } from '../../tasks/engineTypes';
import type { ImportSummary } from '../../tasks/task';
import type { Logger } from '../../util/logger';
import type { SelfHostedClient } from './serverClient';
import { pageWindows } from './serverOptions';

export interface SelfHostedResultDeps {
  clientFor(baseUrl: string | undefined): SelfHostedClient;
  settings(): { maxZipBytes: number; tempDir?: string };
  logger: Logger;
}

export function withSelfHostedResults(cloud: ResultImporter, deps: SelfHostedResultDeps): ResultImporter {
  const swept = new Map<string, Promise<number>>();
  return {
    importMarkdown: (task, url, signal, onProgress) => cloud.importMarkdown(task, url, signal, onProgress),
    async importZip(task, zipUrl, signal, onProgress): Promise<ImportSummary> {
      if (task.mode !== 'selfHosted') return cloud.importZip(task, zipUrl, signal, onProgress);
      const ids = task.remote?.parts ?? (task.remote?.taskId ? [task.remote.taskId] : []);
      if (ids.length === 0) {
        throw new MinerUError({
          phase: 'download',
          message: 'the task has no server task id',
          retryable: true,
        });
      }
      const s = deps.settings();
      const client = deps.clientFor(task.remote?.server);
      const tempDir = s.tempDir ?? os.tmpdir();
      let sweep = swept.get(task.outputDir);
      if (!sweep) swept.set(task.outputDir, (sweep = removeStaleTempFolders(task.outputDir, deps.logger)));
      await sweep;
      /** One server task's zip, imported and flattened into a new folder under `outputDir`. */
      const importPart = async (taskId: string, outputDir: string) => {
        const tmp = path.join(tempDir, `mineru-${randomUUID()}.zip`);
        try {
          await client.downloadResult(taskId, tmp, { signal, maxBytes: s.maxZipBytes, onProgress });
          const result = await importResultZip(tmp, {
            outputDir,
            documentName: task.name,
            signal,
            logger: deps.logger,
          });
          const flat = await flattenNested(result.folder, result.markdownPath, result.extras);
          return { ...result, ...flat };
        } finally {
          await fs.rm(tmp, { force: true });
        }
      };
      if (ids.length === 1) {
        const only = await importPart(ids[0]!, task.outputDir);
        for (const b of only.brokenImageLinks)
          deps.logger.warn(`"${task.name}": image link does not resolve: ${b}`);
        deps.logger.info(`"${task.name}" (self-hosted) imported into ${only.folder}.`);
        return {
          folder: only.folder,
          markdownPath: only.markdownPath,
          extras: only.extras,
          rejectedEntries: only.rejected.length,
          brokenImageLinks: only.brokenImageLinks.length,
        };
      }
      // A page range in several pieces: each piece is imported outside the workspace, then the
      // pieces are merged into one new folder as the parts of a split document are (pages numbered
      // as in the document, images kept once or renamed); nothing is written there twice.
      const windows = pageWindows(task.options.pageRanges) ?? [];
      const scratches: string[] = [];
      try {
        const parts: MergePart[] = [];
        let rejected = 0;
        for (const [k, id] of ids.entries()) {
          const scratch = path.join(tempDir, `mineru-part-${randomUUID()}`);
          scratches.push(scratch);
          const part = await importPart(id, scratch);
          rejected += part.rejected.length;
          const w = windows[k];
          parts.push({
            folder: part.folder,
            firstPage: w ? w.start + 1 : 1,
            lastPage: w ? w.end + 1 : 1,
          });
        }
        const merged = await mergePartResults(
          { parts, name: task.name, outputDir: task.outputDir, signal },
          deps.logger,
        );
        deps.logger.info(
          `"${task.name}" (self-hosted, ${ids.length} page pieces) imported into ${merged.folder}.`,
        );
        return { ...merged, rejectedEntries: rejected };
      } finally {
        for (const scratch of scratches) await fs.rm(scratch, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Moves everything beside the Markdown (its folder `<name>/<parse dir>/` of the server's zip) up
 * into the result folder, and removes the folders left empty. Nothing is overwritten: when a name
 * is taken at the top, the nested layout is kept as it is.
 */
export async function flattenNested(
  folder: string,
  markdownPath: string,
  extras: readonly { format: string; path: string }[],
): Promise<{ markdownPath: string; extras: { format: string; path: string }[] }> {
  const unchanged = { markdownPath, extras: extras.map((e) => ({ ...e })) };
  const mdDir = path.dirname(markdownPath);
  const rel = path.relative(folder, mdDir);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return unchanged;
  const top = rel.split(path.sep)[0]!;
  // The nested folder moves aside first, so that a child named like `top` does not collide.
  const aside = path.join(folder, `.mineru-flatten-${randomUUID()}`);
  await fs.rename(mdDir, aside);
  await removeEmptyTree(path.join(folder, top));
  const children = await fs.readdir(aside);
  const taken = await Promise.all(children.map((c) => exists(path.join(folder, c))));
  if (taken.some(Boolean)) {
    await fs.mkdir(path.dirname(mdDir), { recursive: true });
    await fs.rename(aside, mdDir);
    return unchanged;
  }
  for (const child of children) await fs.rename(path.join(aside, child), path.join(folder, child));
  await fs.rmdir(aside);
  const moved = (p: string): string => {
    const r = path.relative(mdDir, p);
    return r.startsWith('..') || path.isAbsolute(r) ? p : path.join(folder, r);
  };
  return {
    markdownPath: moved(markdownPath),
    extras: extras.map((e) => ({ format: e.format, path: moved(e.path) })),
  };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Removes `dir` and its sub-folders when they hold no file. */
async function removeEmptyTree(dir: string): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) await removeEmptyTree(path.join(dir, e.name));
  if ((await fs.readdir(dir)).length === 0) await fs.rmdir(dir);
}
