import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorMessage, MinerUError } from '../errors';
import { abortReason } from '../util/clock';
import { silentLogger, type Logger } from '../util/logger';
import { checkEntryPath } from './entryPath';
import {
  checkDeclaredSizes,
  checkEntryCount,
  checkEntrySize,
  checkInflatedTotal,
  DEFAULT_EXTRACT_LIMITS,
  type ExtractLimits,
} from './extractLimits';
import { sanitizeName } from './naming';
import { isFolderError, outputWriteError, stopsTheImport } from './outputWriteError';
import { createTempFolder, moveIntoPlace } from './placement';
import { arrangeResult, type ExtraFormatKind } from './resultLayout';
import { declaredEntry, entryKind, readZipEntries } from './zipDirectory';
import { SMALL_ENTRY_BYTES, ZipEntryError, type ZipArchive, type ZipEntryInfo } from './zipReader';
import { writeNewFile } from './writeNewFile';

/** Safe import of a MinerU result zip: each entry checked, written into a temporary folder, placed whole. */

export interface ImportedResult {
  /** The new result folder (never an existing one). */
  folder: string;
  /** `<folder>/<documentName>.md` */
  markdownPath: string;
  /** Absolute paths of the files under `images/`. */
  images: string[];
  extras: { format: ExtraFormatKind; path: string }[];
  /** Entries not written, with the reason (unsafe path, symlink, duplicate, unreadable …). */
  rejected: { entry: string; reason: string }[];
  /** Image links of the Markdown that do not resolve inside the folder, as written. */
  brokenImageLinks: string[];
}

export interface ImportOptions {
  /** Parent of the result folder, e.g. `<workspace>/mineru`; created if missing. */
  outputDir: string;
  /** Base name of the folder and files; sanitised again here. */
  documentName: string;
  limits?: Partial<ExtractLimits>;
  signal?: AbortSignal;
  logger?: Logger;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/**
 * Imports a result zip into a new folder `<outputDir>/<documentName>` (or `… (2)` etc.): extracts
 * into a temporary sibling, makes `full.md` `<documentName>.md` beside `images/`, renames extra
 * formats, neutralises links that leave the folder, then renames the temporary folder into place.
 * Unsafe entries are skipped and reported in `rejected`; a breached limit aborts the import with
 * a MinerUError (phase 'extract') and leaves nothing behind. Existing files are never touched.
 */
export async function importResultZip(zipPath: string, opts: ImportOptions): Promise<ImportedResult> {
  const limits: ExtractLimits = { ...DEFAULT_EXTRACT_LIMITS, ...opts.limits };
  const logger = opts.logger ?? silentLogger;
  const name = sanitizeName(opts.documentName);
  throwIfAborted(opts.signal);

  // One open of the archive: the declared entry count is checked before the directory is parsed.
  const archive = await readZipEntries(zipPath, (declared) => checkEntryCount(declared, limits));
  try {
    return await extractArchive(archive, archive.size, name, opts, limits, logger);
  } finally {
    await archive.close().catch(() => undefined);
  }
}

async function extractArchive(
  archive: ZipArchive,
  zipSize: number,
  name: string,
  opts: ImportOptions,
  limits: ExtractLimits,
  logger: Logger,
): Promise<ImportedResult> {
  const signal = opts.signal;
  const entries = archive.entries;
  checkEntryCount(entries.length, limits);
  checkDeclaredSizes(entries.map(declaredEntry), zipSize, limits);

  const temp = await createTempFolder(opts.outputDir);
  try {
    const rejected: ImportedResult['rejected'] = [];
    const written: string[] = []; // relative paths of files, in archive order
    const taken = new Set<string>(); // lower-cased relative paths: no two names differing only in case
    // Folders known to exist in the temporary folder: one mkdir per folder, not one per entry.
    const folders = new Set<string>([temp]);
    let actualTotal = 0;

    for (const entry of entries) {
      throwIfAborted(signal);
      const entryName = entry.name;
      const check = checkEntryPath(entryName, temp);
      if (!check.ok) {
        rejected.push({ entry: entryName, reason: check.reason });
        continue;
      }
      const kind = entryKind(entry);
      if (kind === 'symlink') {
        rejected.push({ entry: entryName, reason: 'symbolic link' });
        continue;
      }
      if (kind === 'special') {
        rejected.push({ entry: entryName, reason: 'special file (device, FIFO or socket)' });
        continue;
      }
      const key = check.relative.toLowerCase();
      if (kind === 'directory') {
        await fs.mkdir(check.absolute, { recursive: true }).then(
          () => folders.add(check.absolute),
          (error: unknown) => {
            if (stopsTheImport(error)) throw outputWriteError(error, opts.outputDir);
            rejected.push({
              entry: entryName,
              reason: `cannot create folder (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
            });
          },
        );
        continue;
      }
      if (taken.has(key)) {
        rejected.push({ entry: entryName, reason: 'duplicate name (possibly differing only in case)' });
        continue;
      }
      // One entry at a time, from the archive to its file: inflated by zlib off the event loop,
      // capped at its declared size, its CRC checked, the limits checked on every chunk (a small
      // entry: on its one Buffer, before anything of it is written).
      const small = entry.size <= SMALL_ENTRY_BYTES && entry.compressedSize <= SMALL_ENTRY_BYTES;
      const outcome = await (small ? writeSmallEntry : writeEntry)(
        archive,
        entry,
        check.absolute,
        folders,
        signal,
        (bytes) => {
          checkEntrySize(entryName, bytes, limits);
          checkInflatedTotal(actualTotal + bytes, limits);
        },
      );
      if (outcome.kind === 'unreadable') {
        rejected.push({ entry: entryName, reason: `unreadable (${errorMessage(outcome.error)})` });
        continue;
      }
      if (outcome.kind === 'write-failed') {
        const error = outcome.error;
        if (stopsTheImport(error)) throw outputWriteError(error, opts.outputDir);
        rejected.push({
          entry: entryName,
          reason: `cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        });
        continue;
      }
      actualTotal += outcome.bytes;
      taken.add(key);
      written.push(check.relative);
    }
    throwIfAborted(signal);

    const layout = await arrangeResult(temp, written, name);

    throwIfAborted(signal);
    const folder = await moveIntoPlace(temp, opts.outputDir, name);
    logger.info(
      `Imported result into ${folder}: ${written.length} files, ${rejected.length} rejected, ${layout.brokenImageLinks.length} broken image links.`,
    );
    for (const r of rejected) logger.warn(`Rejected zip entry ${JSON.stringify(r.entry)}: ${r.reason}`);
    return {
      folder,
      markdownPath: path.join(folder, layout.markdown),
      images: layout.images.map((p) => path.join(folder, ...p.split('/'))),
      extras: layout.extras.map((e) => ({
        format: e.format,
        path: path.join(folder, ...e.relative.split('/')),
      })),
      rejected,
      brokenImageLinks: layout.brokenImageLinks,
    };
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    if (!(error instanceof MinerUError) && isFolderError(error))
      throw outputWriteError(error, opts.outputDir);
    throw error;
  }
}

/**
 * Writes a small entry (SMALL_ENTRY_BYTES at most, declared): read and checked whole in memory
 * first, so that a damaged one or one over a limit leaves nothing behind, then written into a new
 * file (`wx`) with one open, write and close. The outcomes are those of `writeEntry`.
 */
async function writeSmallEntry(
  archive: ZipArchive,
  entry: ZipEntryInfo,
  target: string,
  folders: Set<string>,
  signal: AbortSignal | undefined,
  onBytes: (bytes: number) => void,
): Promise<EntryOutcome> {
  let data: Buffer;
  try {
    data = await archive.readEntry(entry);
  } catch (error) {
    if (error instanceof ZipEntryError) return { kind: 'unreadable', error };
    throw error;
  }
  throwIfAborted(signal);
  onBytes(data.length);
  const parent = path.dirname(target);
  let madeFolder: string | undefined;
  try {
    if (!folders.has(parent)) {
      madeFolder = await fs.mkdir(parent, { recursive: true });
      folders.add(parent);
    }
    await writeNewFile(target, data);
    return { kind: 'written', bytes: data.length };
  } catch (error) {
    if (madeFolder !== undefined) {
      await fs.rm(madeFolder, { recursive: true, force: true }).catch(() => undefined);
      folders.clear();
      folders.add(path.dirname(madeFolder));
    }
    return { kind: 'write-failed', error };
  }
}

type EntryOutcome =
  | { kind: 'written'; bytes: number }
  | { kind: 'unreadable'; error: unknown }
  | { kind: 'write-failed'; error: unknown };

/**
 * Streams one entry into a new file at `target` (`wx`: never over an existing one). `onBytes` sees
 * the running count of inflated bytes and throws to refuse the import (a limit). When the entry
 * turns out unreadable (damaged, over its declared size, bad CRC) or the write fails, the partial
 * file and any folder made for it are removed: nothing of a refused entry is left.
 */
async function writeEntry(
  archive: ZipArchive,
  entry: ZipEntryInfo,
  target: string,
  folders: Set<string>,
  signal: AbortSignal | undefined,
  onBytes: (bytes: number) => void,
): Promise<EntryOutcome> {
  let madeFolder: string | undefined;
  let file: fs.FileHandle;
  const parent = path.dirname(target);
  try {
    if (!folders.has(parent)) {
      madeFolder = await fs.mkdir(parent, { recursive: true });
      folders.add(parent);
    }
    file = await fs.open(target, 'wx');
  } catch (error) {
    return { kind: 'write-failed', error };
  }
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      try {
        onBytes(bytes);
        done(null, chunk);
      } catch (error) {
        done(error as Error);
      }
    },
  });
  try {
    await pipeline(archive.openEntry(entry), count, file.createWriteStream(), signal ? { signal } : {});
    return { kind: 'written', bytes };
  } catch (error) {
    await file.close().catch(() => undefined);
    await fs.rm(target, { force: true }).catch(() => undefined);
    if (madeFolder !== undefined) {
      await fs.rm(madeFolder, { recursive: true, force: true }).catch(() => undefined);
      // Gone again, with any folder under it: forget them all (a later entry makes its own).
      folders.clear();
      folders.add(path.dirname(madeFolder));
    }
    if (signal?.aborted) throw abortReason(signal);
    if (error instanceof MinerUError) throw error;
    if (error instanceof ZipEntryError) return { kind: 'unreadable', error };
    return { kind: 'write-failed', error };
  }
}
