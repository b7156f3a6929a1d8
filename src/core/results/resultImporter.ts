import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TransferProgress } from '../api/types';
import type { ResultImporter } from '../tasks/engine';
import type { ImportSummary, TaskRecord } from '../tasks/task';
import type { Logger } from '../util/logger';
import { downloadToFile } from './download';
import { importResultZip } from './extract';
import { neutralizeOutsideLinks } from './markdownLinks';
import { uniqueFolder } from './naming';
import { removeStaleTempFolders } from './staleTempFolders';

export interface ImporterSettings {
  /** Largest result archive accepted, in bytes. */
  maxZipBytes: number;
  /** Where archives wait between download and extraction (never the workspace). */
  tempDir?: string;
}

/**
 * Downloads a result to a temporary file outside the workspace, then extracts it safely into a
 * fresh folder named after the document. The temporary file is always removed.
 */
export function createResultImporter(logger: Logger, settings: () => ImporterSettings): ResultImporter {
  // A host that died mid-extract leaves a temporary folder in the output folder. No import of this
  // activation has started when an output folder is first used, so it is swept then, exactly once.
  const swept = new Map<string, Promise<number>>();
  const sweep = (outputDir: string): Promise<number> => {
    let done = swept.get(outputDir);
    if (!done) {
      done = removeStaleTempFolders(outputDir, logger);
      swept.set(outputDir, done);
    }
    return done;
  };
  return {
    async importZip(
      task: TaskRecord,
      zipUrl: string,
      signal: AbortSignal,
      onProgress: TransferProgress,
    ): Promise<ImportSummary> {
      const s = settings();
      const tmp = path.join(s.tempDir ?? os.tmpdir(), `mineru-${randomUUID()}.zip`);
      try {
        await downloadToFile(zipUrl, tmp, { signal, maxBytes: s.maxZipBytes, onProgress, logger });
        await sweep(task.outputDir);
        const result = await importResultZip(tmp, {
          outputDir: task.outputDir,
          documentName: task.name,
          signal,
        });
        for (const r of result.rejected)
          logger.warn(`"${task.name}": refused archive entry ${JSON.stringify(r.entry)}: ${r.reason}`);
        for (const b of result.brokenImageLinks)
          logger.warn(`"${task.name}": image link does not resolve: ${b}`);
        logger.info(`"${task.name}" imported into ${result.folder}.`);
        return {
          folder: result.folder,
          markdownPath: result.markdownPath,
          extras: result.extras.map((e) => ({ format: e.format, path: e.path })),
          rejectedEntries: result.rejected.length,
          brokenImageLinks: result.brokenImageLinks.length,
        };
      } finally {
        await fs.rm(tmp, { force: true });
      }
    },

    async importMarkdown(
      task: TaskRecord,
      markdownUrl: string,
      signal: AbortSignal,
      onProgress: TransferProgress,
    ): Promise<ImportSummary> {
      const s = settings();
      const tmp = path.join(s.tempDir ?? os.tmpdir(), `mineru-${randomUUID()}.md`);
      try {
        await downloadToFile(markdownUrl, tmp, { signal, maxBytes: s.maxZipBytes, onProgress, logger });
        const markdown = neutralizeOutsideLinks(await fs.readFile(tmp, 'utf8'));
        await fs.mkdir(task.outputDir, { recursive: true });
        const folder = await uniqueFolder(task.outputDir, task.name);
        await fs.mkdir(folder);
        const markdownPath = path.join(folder, `${path.basename(folder)}.md`);
        await fs.writeFile(markdownPath, markdown, { flag: 'wx' });
        logger.info(`"${task.name}" (quick) imported into ${folder}.`);
        return { folder, markdownPath, extras: [], rejectedEntries: 0, brokenImageLinks: 0 };
      } finally {
        await fs.rm(tmp, { force: true });
      }
    },
  };
}
