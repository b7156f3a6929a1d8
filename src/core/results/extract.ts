import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import AdmZip from 'adm-zip';
import { MinerUError } from '../errors';
import { abortReason } from '../util/clock';
import { silentLogger, type Logger } from '../util/logger';
import { checkImageLinks, neutralizeOutsideLinks } from './markdownLinks';
import { sanitizeName, uniqueFolder } from './naming';

/**
 * Safe import of a MinerU result zip.
 *
 * Design limit (memory): adm-zip reads the whole archive into memory, so peak memory is the zip
 * size (bounded by the download's maxBytes) plus ONE inflated entry at a time (bounded by
 * maxEntryBytes): entries are inflated and written one by one, never all at once. A streaming
 * unzip would lift the first term; result zips are ≤ ~200 MB, so this is acceptable for now.
 */

export interface ExtractLimits {
  /** Entries in the archive, directories included. */
  maxEntries: number;
  /** Uncompressed bytes of all entries together (declared sizes, and bytes actually written). */
  maxTotalBytes: number;
  /** Uncompressed bytes of one entry. */
  maxEntryBytes: number;
  /** Uncompressed/compressed size, per entry (entries ≥ 1 MiB) and for the whole archive. */
  maxRatio: number;
  /** Uncompressed bytes of one Markdown (`.md`) entry: it is read into memory and opened in the editor. */
  maxMarkdownBytes: number;
}

export const DEFAULT_EXTRACT_LIMITS: Readonly<ExtractLimits> = {
  maxEntries: 20_000,
  maxTotalBytes: 2 * 1024 ** 3,
  maxEntryBytes: 1024 ** 3,
  maxRatio: 200,
  maxMarkdownBytes: 64 * 1024 ** 2,
};

/** Prefix of the temporary folder an import extracts into, beside the result folders. */
export const TEMP_PREFIX = '.mineru-tmp-';

const isMarkdownName = (name: string): boolean => /\.md$/i.test(name);

/** Small entries can't be bombs; a 10 kB run of spaces legitimately compresses 500:1. */
const RATIO_MIN_BYTES = 1024 * 1024;

export type ExtraFormatKind = 'docx' | 'html' | 'latex' | 'json' | 'pdf';

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

export type EntryPathCheck = { ok: true; relative: string; absolute: string } | { ok: false; reason: string };

const WINDOWS_RESERVED = /^(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])(?: *\.|$| +$)/i;
const WINDOWS_INVALID = /[<>:"|?*]/;

/**
 * Decides whether a zip entry name may be written under `targetDir`, treating it as hostile.
 * Rejects NUL and control characters, backslashes, absolute paths, drive letters and any colon
 * (also NTFS streams), empty, "." and ".." segments, names Windows can't hold (reserved device
 * names, trailing dot/space, `<>:"|?*`), over-long segments, and anything that would resolve
 * outside `targetDir`. A trailing "/" (directory entry) is allowed.
 */
export function checkEntryPath(entryName: string, targetDir: string): EntryPathCheck {
  if (typeof entryName !== 'string' || entryName === '') return { ok: false, reason: 'empty name' };
  if (entryName.length > 4096) return { ok: false, reason: 'name too long' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(entryName))
    return { ok: false, reason: 'control character (e.g. NUL) in name' };
  if (entryName.includes('\\')) return { ok: false, reason: 'backslash in name' };
  if (entryName.startsWith('/')) return { ok: false, reason: 'absolute path' };
  if (/^[a-z]:/i.test(entryName)) return { ok: false, reason: 'drive letter' };
  if (entryName.includes(':')) return { ok: false, reason: 'colon in name' };
  const trimmed = entryName.endsWith('/') ? entryName.slice(0, -1) : entryName;
  const segments = trimmed.split('/');
  for (const segment of segments) {
    if (segment === '..') return { ok: false, reason: "'..' segment (path traversal)" };
    if (segment === '' || segment === '.') return { ok: false, reason: 'empty or "." segment' };
    if (WINDOWS_INVALID.test(segment)) return { ok: false, reason: 'character not allowed on Windows' };
    if (/[. ]$/.test(segment)) return { ok: false, reason: 'segment ends with a dot or space' };
    if (WINDOWS_RESERVED.test(segment)) return { ok: false, reason: 'reserved Windows device name' };
    if (Buffer.byteLength(segment, 'utf8') > 255)
      return { ok: false, reason: 'segment longer than 255 bytes' };
  }
  const root = path.resolve(targetDir);
  const absolute = path.resolve(root, ...segments);
  const rel = path.relative(root, absolute);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    return { ok: false, reason: 'resolves outside the result folder' };
  }
  return { ok: true, relative: segments.join('/'), absolute };
}

function limitError(limit: keyof ExtractLimits, message: string, value: number): MinerUError {
  return new MinerUError({
    phase: 'extract',
    code: limit === 'maxRatio' ? 'ZIP_BOMB' : 'ZIP_LIMIT',
    message: `${message} (limit ${limit} = ${value})`,
    hint: 'The result archive was refused for safety and nothing was written. If the document is genuinely this large, parse it in parts (page ranges).',
    retryable: false,
  });
}

/**
 * File-system errors that concern the output folder as a whole (full, read-only, no permission,
 * I/O failure, not a folder): the import stops with one clear, retryable error instead of skipping
 * entry after entry and ending in a misleading "no Markdown" or an incomplete result.
 */
const FOLDER_ERRORS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the folder is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EIO: 'an I/O error occurred',
  ENOTDIR: 'a file is in the way of the folder',
  EEXIST: 'a file is in the way of the folder',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
};

function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The output folder could not be written: names the folder and the cause; Retry once fixed. */
export function outputWriteError(error: unknown, outputDir: string): MinerUError {
  const code = errnoOf(error) ?? 'EWRITE';
  const cause = FOLDER_ERRORS[code] ?? 'the file system refused the write';
  const full = code === 'ENOSPC' || code === 'EDQUOT';
  return new MinerUError({
    phase: 'extract',
    code,
    message: `Could not write the result into ${outputDir}: ${cause} (${code})`,
    hint: full
      ? 'Free some disk space, then Retry; nothing was written.'
      : 'Check that the output folder exists and is writable (setting mineru.outputDirectory), then Retry; nothing was written.',
    retryable: true,
    cause: error,
  });
}

function isFolderError(error: unknown): boolean {
  const code = errnoOf(error);
  return code !== undefined && code in FOLDER_ERRORS;
}

/** Unix file type bits from the external attributes (high 16 bits when made on Unix). */
function unixFileType(entry: AdmZip.IZipEntry): number {
  return (entry.header.attr >>> 16) & 0o170000;
}

/**
 * Reads the entry count from the end-of-central-directory record (zip64 too) without parsing the
 * directory, so that an archive with a million entries is refused before adm-zip builds them all.
 */
async function declaredEntryCount(zipPath: string): Promise<number | undefined> {
  const handle = await fs.open(zipPath, 'r');
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, 22 + 0xffff + 20);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) !== 0x06054b50) continue;
      const total = tail.readUInt16LE(i + 10);
      if (total !== 0xffff) return total;
      if (i >= 20 && tail.readUInt32LE(i - 20) === 0x07064b50) {
        const offset = Number(tail.readBigUInt64LE(i - 20 + 8));
        const record = Buffer.alloc(56);
        await handle.read(record, 0, 56, offset);
        if (record.readUInt32LE(0) === 0x06064b50) return Number(record.readBigUInt64LE(32));
      }
      return total; // at least this many
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

function extraKind(relative: string): ExtraFormatKind | undefined {
  const ext = path.extname(relative).toLowerCase();
  if (ext === '.docx') return 'docx';
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.tex') return 'latex';
  if (ext === '.json') return 'json';
  if (ext === '.pdf') return 'pdf';
  return undefined;
}

const RENAMED_EXTENSION: Partial<Record<ExtraFormatKind, string>> = {
  docx: '.docx',
  html: '.html',
  latex: '.tex',
};

/** `dir/base.ext`, or `dir/base (2).ext` … when taken. */
async function freeFileName(dir: string, base: string, ext: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, n === 1 ? `${base}${ext}` : `${base} (${n})${ext}`);
    try {
      await fs.lstat(candidate);
    } catch {
      return candidate;
    }
  }
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
  const signal = opts.signal;
  throwIfAborted(signal);

  const declared = await declaredEntryCount(zipPath).catch(() => undefined);
  if (declared !== undefined && declared > limits.maxEntries) {
    throw limitError('maxEntries', `The result archive has ${declared} entries, too many`, limits.maxEntries);
  }
  const zipSize = (await fs.stat(zipPath)).size;

  let zip: AdmZip;
  let entries: AdmZip.IZipEntry[];
  try {
    zip = new AdmZip(zipPath);
    entries = zip.getEntries();
  } catch (error) {
    throw new MinerUError({
      phase: 'extract',
      code: 'ZIP_CORRUPT',
      message: 'The result archive is damaged or not a zip file',
      hint: 'Download the result again.',
      retryable: true,
      cause: error,
    });
  }
  if (entries.length > limits.maxEntries) {
    throw limitError(
      'maxEntries',
      `The result archive has ${entries.length} entries, too many`,
      limits.maxEntries,
    );
  }

  // Declared sizes first: refuse a bomb before writing a byte.
  let declaredTotal = 0;
  for (const entry of entries) {
    const { size, compressedSize } = entry.header;
    if (size > limits.maxEntryBytes) {
      throw limitError(
        'maxEntryBytes',
        `An entry of the result archive is ${size} bytes, too large`,
        limits.maxEntryBytes,
      );
    }
    if (isMarkdownName(entry.entryName) && size > limits.maxMarkdownBytes) {
      throw limitError(
        'maxMarkdownBytes',
        `The Markdown of the result is ${size} bytes, too large to open safely`,
        limits.maxMarkdownBytes,
      );
    }
    if (size >= RATIO_MIN_BYTES && size > limits.maxRatio * Math.max(1, compressedSize)) {
      throw limitError(
        'maxRatio',
        'The result archive looks like a zip bomb: an entry is compressed too strongly',
        limits.maxRatio,
      );
    }
    declaredTotal += size;
  }
  if (declaredTotal > limits.maxTotalBytes) {
    throw limitError(
      'maxTotalBytes',
      `The result archive unpacks to ${declaredTotal} bytes, too many`,
      limits.maxTotalBytes,
    );
  }
  if (declaredTotal >= RATIO_MIN_BYTES && declaredTotal > limits.maxRatio * Math.max(1, zipSize)) {
    throw limitError(
      'maxRatio',
      'The result archive looks like a zip bomb: it is compressed too strongly',
      limits.maxRatio,
    );
  }

  let temp: string;
  try {
    await fs.mkdir(opts.outputDir, { recursive: true });
    temp = await fs.mkdtemp(path.join(opts.outputDir, TEMP_PREFIX));
  } catch (error) {
    throw outputWriteError(error, opts.outputDir);
  }
  try {
    const rejected: ImportedResult['rejected'] = [];
    const written: string[] = []; // relative paths of files, in archive order
    const taken = new Set<string>(); // lower-cased relative paths: no two names differing only in case
    let actualTotal = 0;

    for (const entry of entries) {
      throwIfAborted(signal);
      const entryName = entry.entryName;
      const check = checkEntryPath(entryName, temp);
      if (!check.ok) {
        rejected.push({ entry: entryName, reason: check.reason });
        continue;
      }
      const type = unixFileType(entry);
      if (type === 0o120000) {
        rejected.push({ entry: entryName, reason: 'symbolic link' });
        continue;
      }
      if (type !== 0 && type !== 0o100000 && type !== 0o040000) {
        rejected.push({ entry: entryName, reason: 'special file (device, FIFO or socket)' });
        continue;
      }
      const key = check.relative.toLowerCase();
      if (entry.isDirectory || type === 0o040000) {
        await fs.mkdir(check.absolute, { recursive: true }).catch((error: unknown) => {
          if (isFolderError(error) && errnoOf(error) !== 'EEXIST' && errnoOf(error) !== 'ENOTDIR')
            throw outputWriteError(error, opts.outputDir);
          rejected.push({
            entry: entryName,
            reason: `cannot create folder (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
          });
        });
        continue;
      }
      if (taken.has(key)) {
        rejected.push({ entry: entryName, reason: 'duplicate name (possibly differing only in case)' });
        continue;
      }
      let data: Buffer;
      try {
        // One entry inflated at a time; adm-zip caps inflation at the declared size.
        data = entry.getData();
      } catch (error) {
        rejected.push({
          entry: entryName,
          reason: `unreadable (${String(error instanceof Error ? error.message : error)})`,
        });
        continue;
      }
      actualTotal += data.length;
      if (data.length > limits.maxEntryBytes) {
        throw limitError(
          'maxEntryBytes',
          `An entry of the result archive is ${data.length} bytes, too large`,
          limits.maxEntryBytes,
        );
      }
      if (isMarkdownName(entryName) && data.length > limits.maxMarkdownBytes) {
        throw limitError(
          'maxMarkdownBytes',
          `The Markdown of the result is ${data.length} bytes, too large to open safely`,
          limits.maxMarkdownBytes,
        );
      }
      if (actualTotal > limits.maxTotalBytes) {
        throw limitError(
          'maxTotalBytes',
          `The result archive unpacks to more than ${limits.maxTotalBytes} bytes`,
          limits.maxTotalBytes,
        );
      }
      try {
        await fs.mkdir(path.dirname(check.absolute), { recursive: true });
        await fs.writeFile(check.absolute, data, { flag: 'wx' });
      } catch (error) {
        // A name this file system can't hold costs one entry; a full or read-only disk stops it all.
        if (isFolderError(error) && errnoOf(error) !== 'EEXIST' && errnoOf(error) !== 'ENOTDIR')
          throw outputWriteError(error, opts.outputDir);
        rejected.push({
          entry: entryName,
          reason: `cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        });
        continue;
      }
      taken.add(key);
      written.push(check.relative);
    }
    throwIfAborted(signal);

    // The Markdown: top-level full.md, else the first top-level .md, else the shallowest one.
    const markdowns = written.filter((p) => p.toLowerCase().endsWith('.md'));
    const depth = (p: string): number => p.split('/').length;
    const chosen =
      markdowns.find((p) => p.toLowerCase() === 'full.md') ??
      markdowns.find((p) => depth(p) === 1) ??
      [...markdowns].sort((a, b) => depth(a) - depth(b))[0];
    if (chosen === undefined) {
      throw new MinerUError({
        phase: 'extract',
        code: 'NO_MARKDOWN',
        message: 'The result archive contains no Markdown file',
        hint: 'Parse the document again; if it keeps happening, report it with the task id.',
        retryable: false,
      });
    }
    // `<name>.md` goes beside the chosen file so its relative image links keep resolving.
    const mdDir = path.dirname(path.join(temp, chosen));
    const source = path.join(temp, chosen);
    const markdown = (await fs.readFile(source, 'utf8')).replace(/^\uFEFF/, '');
    const safeMarkdown = neutralizeOutsideLinks(markdown);
    await fs.rm(source);
    const markdownTemp = await freeFileName(mdDir, name, '.md');
    await fs.writeFile(markdownTemp, safeMarkdown, { flag: 'wx' });
    const brokenImageLinks = await checkImageLinks(safeMarkdown, mdDir);

    // Extras: the single docx/html/tex becomes <name>.<ext> in its own folder; json/pdf keep names.
    const extrasRel: { format: ExtraFormatKind; relative: string }[] = [];
    const byKind = new Map<ExtraFormatKind, string[]>();
    for (const rel of written) {
      if (rel === chosen || rel.toLowerCase().startsWith('images/')) continue;
      const kind = extraKind(rel);
      if (kind) byKind.set(kind, [...(byKind.get(kind) ?? []), rel]);
    }
    for (const [kind, rels] of byKind) {
      const ext = RENAMED_EXTENSION[kind];
      for (const rel of rels) {
        let finalRel = rel;
        if (ext !== undefined && rels.length === 1) {
          const from = path.join(temp, rel);
          const wanted = path.join(path.dirname(from), `${name}${ext}`);
          if (wanted !== from) {
            const to = await freeFileName(path.dirname(from), name, ext);
            await fs.rename(from, to);
            finalRel = path.relative(temp, to).split(path.sep).join('/');
          }
        }
        extrasRel.push({ format: kind, relative: finalRel });
      }
    }
    const imagesRel = written.filter((p) => p.toLowerCase().startsWith('images/'));
    const markdownRel = path.relative(temp, markdownTemp);

    throwIfAborted(signal);
    const folder = await moveIntoPlace(temp, opts.outputDir, name);
    logger.info(
      `Imported result into ${folder}: ${written.length} files, ${rejected.length} rejected, ${brokenImageLinks.length} broken image links.`,
    );
    for (const r of rejected) logger.warn(`Rejected zip entry ${JSON.stringify(r.entry)}: ${r.reason}`);
    return {
      folder,
      markdownPath: path.join(folder, markdownRel),
      images: imagesRel.map((p) => path.join(folder, ...p.split('/'))),
      extras: extrasRel.map((e) => ({ format: e.format, path: path.join(folder, ...e.relative.split('/')) })),
      rejected,
      brokenImageLinks,
    };
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    if (!(error instanceof MinerUError) && isFolderError(error))
      throw outputWriteError(error, opts.outputDir);
    throw error;
  }
}

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

/**
 * Renames the finished temporary folder to the first free `<name>`, `<name> (2)` … A rename onto a
 * folder created meanwhile by someone else fails (non-empty) or is retried with the next name; an
 * existing folder is never replaced.
 */
async function moveIntoPlace(temp: string, outputDir: string, name: string): Promise<string> {
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
    hint: `Clean up ${outputDir} and try again.`,
    retryable: true,
  });
}
