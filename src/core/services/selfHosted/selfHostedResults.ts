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
import { removeStaleTempFolders } from '../../results/staleTempFolders';
import type { ResultImporter } from '../../tasks/engineTypes';
import type { ImportSummary } from '../../tasks/task';
import type { Logger } from '../../util/logger';
import type { SelfHostedClient } from './serverClient';

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
      const taskId = task.remote?.taskId;
      if (!taskId) {
        throw new MinerUError({
          phase: 'download',
          message: 'the task has no server task id',
          retryable: true,
        });
      }
      const s = deps.settings();
      const client = deps.clientFor(task.remote?.server);
      const tmp = path.join(s.tempDir ?? os.tmpdir(), `mineru-${randomUUID()}.zip`);
      try {
        await client.downloadResult(taskId, tmp, { signal, maxBytes: s.maxZipBytes, onProgress });
        let sweep = swept.get(task.outputDir);
        if (!sweep) swept.set(task.outputDir, (sweep = removeStaleTempFolders(task.outputDir, deps.logger)));
        await sweep;
        const result = await importResultZip(tmp, {
          outputDir: task.outputDir,
          documentName: task.name,
          signal,
          logger: deps.logger,
        });
        const flat = await flattenNested(result.folder, result.markdownPath, result.extras);
        for (const b of result.brokenImageLinks)
          deps.logger.warn(`"${task.name}": image link does not resolve: ${b}`);
        deps.logger.info(`"${task.name}" (self-hosted) imported into ${result.folder}.`);
        return {
          folder: result.folder,
          markdownPath: flat.markdownPath,
          extras: flat.extras,
          rejectedEntries: result.rejected.length,
          brokenImageLinks: result.brokenImageLinks.length,
        };
      } finally {
        await fs.rm(tmp, { force: true });
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
