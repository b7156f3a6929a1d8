/**
 * Results of a self-hosted server. Its zip is nested (`<name>/<parse dir>/<name>.md`, `images/`,
 * the JSON files), and its result route may sit behind a proxy that wants the credential; so the
 * zip is downloaded by the server's client, imported by the same safe importer as the cloud's, and
 * the folder is then flattened to the cloud's layout: `<document>/<document>.md` beside `images/`.
 * Every other task goes to the cloud importer unchanged.
 */
import { randomUUID } from 'node:crypto';
import { constants as fsConstants, promises as fs, type Dirent } from 'node:fs';
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
      const first = await importPart(ids[0]!, task.outputDir);
      let rejected = first.rejected.length;
      let broken = first.brokenImageLinks.length;
      const extras = first.extras.map((e) => ({ ...e }));
      // A page range in several pieces: the later pieces' Markdown is appended in page order, their
      // images and files join the first folder (under new names when taken; nothing is overwritten).
      for (const [k, id] of ids.slice(1).entries()) {
        const scratch = path.join(tempDir, `mineru-part-${randomUUID()}`);
        try {
          const part = await importPart(id, scratch);
          rejected += part.rejected.length;
          broken += part.brokenImageLinks.length;
          const md = await fs.readFile(part.markdownPath, 'utf8');
          await fs.appendFile(first.markdownPath, `\n\n${md}`);
          const extraPaths = new Map(part.extras.map((e) => [e.path, e.format]));
          for (const rel of await listFiles(part.folder)) {
            const from = path.join(part.folder, rel);
            if (from === part.markdownPath) continue;
            const to = await freePath(path.join(first.folder, rel), `_part${k + 2}`);
            await fs.mkdir(path.dirname(to), { recursive: true });
            await fs.copyFile(from, to, fsConstants.COPYFILE_EXCL);
            const format = extraPaths.get(from);
            if (format) extras.push({ format, path: to });
          }
        } finally {
          await fs.rm(scratch, { recursive: true, force: true });
        }
      }
      for (const b of first.brokenImageLinks)
        deps.logger.warn(`"${task.name}": image link does not resolve: ${b}`);
      deps.logger.info(
        `"${task.name}" (self-hosted${ids.length > 1 ? `, ${ids.length} page pieces` : ''}) imported into ${first.folder}.`,
      );
      return {
        folder: first.folder,
        markdownPath: first.markdownPath,
        extras,
        rejectedEntries: rejected,
        brokenImageLinks: broken,
      };
    },
  };
}

/** Files under `dir`, relative, '/'-free platform paths. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory())
      for (const r of await listFiles(path.join(dir, e.name))) out.push(path.join(e.name, r));
    else if (e.isFile()) out.push(e.name);
  }
  return out;
}

/** `p`, or `p` with `suffix` (and a number) before its extension when taken. */
async function freePath(p: string, suffix: string): Promise<string> {
  if (!(await exists(p))) return p;
  const ext = path.extname(p);
  const stem = p.slice(0, p.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = `${stem}${suffix}${n === 1 ? '' : `_${n}`}${ext}`;
    if (!(await exists(candidate))) return candidate;
  }
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
