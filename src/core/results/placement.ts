/**
 * Placement of an import: everything is written into a temporary folder beside the result
 * folders and renamed into place only when complete, so a result folder is never half-written.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MinerUError } from '../errors';
import { uniqueFolder } from './naming';
import { outputWriteError } from './outputWriteError';

/** Prefix of the temporary folder an import extracts into, beside the result folders. */
export const TEMP_PREFIX = '.mineru-tmp-';

/** Creates `outputDir` if needed and a fresh temporary folder in it. */
export async function createTempFolder(outputDir: string): Promise<string> {
  try {
    await fs.mkdir(outputDir, { recursive: true });
    return await fs.mkdtemp(path.join(outputDir, TEMP_PREFIX));
  } catch (error) {
    throw outputWriteError(error, outputDir);
  }
}

/**
 * Renames the finished temporary folder to the first free `<name>`, `<name> (2)` … A rename onto a
 * folder created meanwhile by someone else fails (non-empty) or is retried with the next name; an
 * existing folder is never replaced.
 */
export async function moveIntoPlace(temp: string, outputDir: string, name: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const target = await uniqueFolder(outputDir, name);
    // Reserve the name first: mkdir fails if it appeared since uniqueFolder looked.
    try {
      await fs.mkdir(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    try {
      // POSIX renames onto the empty folder we just reserved; Windows refuses, so fall back below.
      await fs.rename(temp, target);
      return target;
    } catch {
      try {
        await fs.rmdir(target);
        await fs.rename(temp, target);
        return target;
      } catch (error) {
        if (['EEXIST', 'ENOTEMPTY', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) continue;
        throw error;
      }
    }
  }
  throw new MinerUError({
    phase: 'extract',
    message: `Could not find a free folder name for "${name}"`,
    reason: 'output.noFreeName',
    params: { name, folder: outputDir },
    hint: `Clean up ${outputDir} and try again.`,
    retryable: true,
  });
}
