import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { silentLogger, type Logger } from '../util/logger';
import { TEMP_PREFIX } from './placement';

/**
 * Removes the temporary import folders (`.mineru-tmp-*`) that a host which died mid-extract left in
 * `outputDir`. Only call it while no import of this process writes there: the result importer does
 * so once per folder and activation, before its first import into it. Returns how many it removed.
 */
export async function removeStaleTempFolders(
  outputDir: string,
  logger: Logger = silentLogger,
): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(outputDir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const stale = path.join(outputDir, name);
    const stat = await fs.lstat(stale).catch(() => undefined);
    if (!stat?.isDirectory()) continue;
    try {
      await fs.rm(stale, { recursive: true, force: true });
      removed++;
    } catch (error) {
      logger.warn(`Could not remove the interrupted import folder ${stale}: ${String(error)}`);
    }
  }
  if (removed > 0) logger.info(`Removed ${removed} interrupted import folder(s) from ${outputDir}.`);
  return removed;
}
