/**
 * The merge of a document parsed in parts (issue 18): one result folder of the same shape as a
 * single document's, written into a temporary folder and renamed into place whole.
 *
 * - `<name>.md`: the parts' Markdown in order, nothing inserted. Parts are joined as MinerU joins
 *   the blocks of one document (one blank line between them, `'\n\n'.join`): a part that already
 *   ends in a blank line is followed directly, one ending in one line break gets one more.
 * - `images/`: see partImages.ts (same bytes kept once, other bytes renamed, links rewritten).
 * - content list, its v2, layout.json / middle.json and model.json: one file each, every page
 *   number rebased to the whole document (partJson.ts).
 * - the original PDF as `<name>_origin.pdf`; docx/html/tex per part as `<name>.part-<k>.<ext>`,
 *   every other file per part with `.part-<k>` before its extension.
 */
import { constants as fsConstants, createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { MinerUError } from '../errors';
import type { ImportSummary } from '../tasks/task';
import { abortReason } from '../util/clock';
import { silentLogger, type Logger } from '../util/logger';
import { checkImageLinks, localImageTargets, rewriteLinkTargets } from './markdownLinks';
import { sanitizeName } from './naming';
import { isFolderError, outputWriteError } from './outputWriteError';
import { imageLinkMapper, MergedImages, type ImageRenames, type PartImage } from './partImages';
import { partJsonKind, scanPartJson, type PartJsonKind } from './partJson';
import { createTempFolder, moveIntoPlace } from './placement';

export interface MergePart {
  /** An imported part result folder: the same shape as a single result. */
  folder: string;
  /** 1-based, inclusive: the part's pages in the whole document. */
  firstPage: number;
  lastPage: number;
}

export interface MergeRequest {
  /** The parts in document order. */
  parts: MergePart[];
  /** The document's name: the folder's and the files' base name (sanitised here). */
  name: string;
  /** Parent of the result folder; created if missing. */
  outputDir: string;
  /** The original whole PDF; becomes `<name>_origin.pdf`. */
  originPdf?: string;
  signal?: AbortSignal;
}

/** What a part folder holds, by role. */
interface PartInventory {
  markdown: string;
  images: PartImage[];
  json: Map<PartJsonKind, string[]>;
  /** docx/html/tex, and the rest (origin PDF, unknown files), relative ('/'-separated). */
  extras: string[];
  others: string[];
}

const EXTRA_EXTENSIONS: Record<string, string> = {
  '.docx': 'docx',
  '.html': 'html',
  '.htm': 'html',
  '.tex': 'latex',
};

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

function partError(k: number, folder: string, what: string): MinerUError {
  return new MinerUError({
    phase: 'extract',
    code: 'PART_MISSING',
    message: `Part ${k} of the document cannot be merged: ${what} (${folder})`,
    reason: 'merge.partMissing',
    params: { part: k, folder },
    hint: 'Retry the part to parse it again; nothing was written.',
    retryable: true,
  });
}

function originError(file: string): MinerUError {
  return new MinerUError({
    phase: 'extract',
    code: 'ORIGIN_MISSING',
    message: `The parts cannot be merged: the original PDF is missing (${file})`,
    reason: 'merge.originMissing',
    params: { folder: file },
    hint: 'Parse the document again; nothing was written.',
    retryable: false,
  });
}

/** Files under `dir`, relative and '/'-separated, sorted. */
async function listFiles(dir: string, prefix = ''): Promise<{ relative: string; size: number }[]> {
  const out: { relative: string; size: number }[] = [];
  const entries = await fs.readdir(path.join(dir, prefix), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const relative = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, relative)));
    else if (e.isFile()) out.push({ relative, size: (await fs.stat(path.join(dir, relative))).size });
  }
  return out;
}

async function inventory(part: MergePart, k: number): Promise<PartInventory> {
  let files: { relative: string; size: number }[];
  try {
    files = await listFiles(part.folder);
  } catch {
    throw partError(k, part.folder, 'its folder is missing');
  }
  const markdowns = files.filter((f) => !f.relative.includes('/') && /\.md$/i.test(f.relative));
  const markdown = markdowns.find((f) => f.relative === `${path.basename(part.folder)}.md`) ?? markdowns[0];
  if (!markdown) throw partError(k, part.folder, 'it has no Markdown');
  const inv: PartInventory = {
    markdown: markdown.relative,
    images: [],
    json: new Map(),
    extras: [],
    others: [],
  };
  for (const f of files) {
    if (f === markdown) continue;
    if (/^images\//i.test(f.relative)) {
      inv.images.push({ ...f, absolute: path.join(part.folder, ...f.relative.split('/')) });
      continue;
    }
    const top = !f.relative.includes('/');
    const kind = top ? partJsonKind(f.relative) : undefined;
    if (kind) inv.json.set(kind, [...(inv.json.get(kind) ?? []), f.relative]);
    else if (top && EXTRA_EXTENSIONS[path.extname(f.relative).toLowerCase()]) inv.extras.push(f.relative);
    else inv.others.push(f.relative);
  }
  return inv;
}

/** `a/b.ext` → `a/b.part-k.ext`. */
function perPart(relative: string, k: number): string {
  const ext = path.posix.extname(relative);
  return `${relative.slice(0, relative.length - ext.length)}.part-${k}${ext}`;
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (text === '' || out.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void => reject(error);
    out.once('error', fail);
    out.once('drain', () => {
      out.off('error', fail);
      resolve();
    });
  });
}

/** Characters encoded and written at once: a 5 MB string encoded whole holds the loop ~10 ms. */
const WRITE_SLICE = 256 * 1024;

async function writeInSlices(out: WriteStream, text: string): Promise<void> {
  for (let at = 0; at < text.length; at += WRITE_SLICE) await write(out, text.slice(at, at + WRITE_SLICE));
}

async function close(out: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

/**
 * How many image links of `markdown` do not resolve in `folder`: a link to an image the merge
 * wrote resolves without asking the disk (2,000 of them would be 2,000 stats); others are checked.
 */
async function brokenImageLinks(
  markdown: string,
  folder: string,
  written: ReadonlySet<string>,
): Promise<number> {
  const unknown = localImageTargets(markdown).filter((target) => {
    let relative = target;
    try {
      relative = decodeURIComponent(target);
    } catch {
      // as written
    }
    return !written.has(relative.replace(/^(?:\.\/)+/, ''));
  });
  if (unknown.length === 0) return 0;
  return (await checkImageLinks(unknown.map((t) => `![](<${t}>)`).join('\n'), folder)).length;
}

/** What goes between the Markdown so far (ending in `previous`) and the next part: one blank line. */
export function markdownSeparator(previous: string): string {
  if (previous === '' || /\r?\n\r?\n$/.test(previous)) return '';
  const newline = previous.endsWith('\r\n') ? '\r\n' : '\n';
  return /\n$/.test(previous) ? newline : newline + newline;
}

/** The merged JSON file names of a kind: the single result's, under the document's name. */
function mergedJsonName(kind: PartJsonKind, stem: string, firstName: string): string {
  if (kind === 'contentList') return `${stem}_content_list.json`;
  if (kind === 'contentListV2') return `${stem}_content_list_v2.json`;
  if (kind === 'model') return `${stem}_model.json`;
  return firstName.toLowerCase() === 'layout.json' ? 'layout.json' : `${stem}_middle.json`;
}

/**
 * Merges the part results into one new folder `<outputDir>/<name>` (or `… (2)`), see the module
 * comment. Nothing is written when a part is missing; a failure or abort mid-way removes the
 * temporary folder, so no half-written folder is ever left. Existing files are never touched.
 */
export async function mergePartResults(
  request: MergeRequest,
  logger: Logger = silentLogger,
): Promise<ImportSummary> {
  const { parts, signal } = request;
  const stem = sanitizeName(request.name);
  throwIfAborted(signal);
  if (parts.length === 0) throw new Error('mergePartResults: no parts');
  const inventories: PartInventory[] = [];
  for (const [i, part] of parts.entries()) inventories.push(await inventory(part, i + 1));
  if (request.originPdf !== undefined) {
    const origin = request.originPdf;
    await fs.access(origin).catch(() => {
      throw originError(origin);
    });
  }
  throwIfAborted(signal);

  const temp = await createTempFolder(request.outputDir);
  try {
    const extras: { format: string; relative: string }[] = [];
    // images/
    const images = new MergedImages(temp);
    const renames: ImageRenames[] = [];
    for (const [i, inv] of inventories.entries()) renames.push(await images.add(i + 1, inv.images, signal));

    // <name>.md
    const markdownName = `${stem}.md`;
    const md = createWriteStream(path.join(temp, markdownName), { flags: 'wx' });
    let broken = 0;
    const written = new Set(images.written);
    try {
      let previous = '';
      for (const [i, inv] of inventories.entries()) {
        throwIfAborted(signal);
        let text = (await fs.readFile(path.join(parts[i]!.folder, inv.markdown), 'utf8')).replace(
          /^\uFEFF/,
          '',
        );
        if (renames[i]!.size > 0) text = rewriteLinkTargets(text, imageLinkMapper(renames[i]!));
        if (text === '') continue;
        await writeInSlices(md, markdownSeparator(previous) + text);
        previous = text.slice(-8);
        broken += await brokenImageLinks(text, temp, written);
      }
    } finally {
      await close(md);
    }

    // The JSON files, one per kind.
    const kinds = new Set(inventories.flatMap((inv) => [...inv.json.keys()]));
    for (const kind of kinds) {
      const name = await mergeJsonKind(kind, stem, parts, inventories, renames, temp, extras, logger, signal);
      extras.push({ format: 'json', relative: name });
    }

    // Extras and other files, per part.
    const origin = `${stem}_origin.pdf`;
    if (request.originPdf !== undefined) {
      await fs.copyFile(request.originPdf, path.join(temp, origin), fsConstants.COPYFILE_EXCL);
      extras.push({ format: 'pdf', relative: origin });
    }
    for (const [i, inv] of inventories.entries()) {
      const k = i + 1;
      const byExt = new Map<string, number>();
      for (const rel of inv.extras)
        byExt.set(path.extname(rel).toLowerCase(), (byExt.get(path.extname(rel).toLowerCase()) ?? 0) + 1);
      const copies: { from: string; to: string; format?: string }[] = [];
      for (const rel of inv.extras) {
        const ext = path.extname(rel).toLowerCase();
        // The single docx/html/tex of a part is `<name>.part-k.<ext>`; several keep their names.
        const to = byExt.get(ext) === 1 ? `${stem}.part-${k}${ext}` : perPart(rel, k);
        copies.push({ from: rel, to, format: EXTRA_EXTENSIONS[ext]! });
      }
      for (const rel of inv.others) {
        // A part's origin PDF shows its pages only: the whole document's replaces it.
        if (request.originPdf !== undefined && /(^|_)origin\.pdf$/i.test(rel)) continue;
        copies.push({ from: rel, to: perPart(rel, k), ...(/\.pdf$/i.test(rel) ? { format: 'pdf' } : {}) });
      }
      for (const c of copies) {
        throwIfAborted(signal);
        const to = path.join(temp, ...c.to.split('/'));
        await fs.mkdir(path.dirname(to), { recursive: true });
        await fs.copyFile(path.join(parts[i]!.folder, ...c.from.split('/')), to, fsConstants.COPYFILE_EXCL);
        if (c.format) extras.push({ format: c.format, relative: c.to });
      }
    }

    throwIfAborted(signal);
    const folder = await moveIntoPlace(temp, request.outputDir, stem);
    logger.info(
      `Merged ${parts.length} parts of "${stem}" into ${folder}: ${images.written.length} images (${images.deduplicated} kept once, ${images.renamed} renamed).`,
    );
    return {
      folder,
      markdownPath: path.join(folder, markdownName),
      extras: extras.map((e) => ({ format: e.format, path: path.join(folder, ...e.relative.split('/')) })),
      rejectedEntries: 0,
      brokenImageLinks: broken,
    };
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    if (signal?.aborted) throw abortReason(signal);
    if (!(error instanceof MinerUError) && isFolderError(error))
      throw outputWriteError(error, request.outputDir);
    throw error;
  }
}

/**
 * Joins the parts' JSON files of one kind into `<temp>/<name>`: the first readable part's frame
 * (the top-level array, or the object around `pdf_info`) around every part's elements, rebased.
 * A file not of the known shape is kept per part (`….part-k.json`) with a warning.
 */
async function mergeJsonKind(
  kind: PartJsonKind,
  stem: string,
  parts: readonly MergePart[],
  inventories: readonly PartInventory[],
  renames: readonly ImageRenames[],
  temp: string,
  extras: { format: string; relative: string }[],
  logger: Logger,
  signal: AbortSignal | undefined,
): Promise<string> {
  const firstName = inventories.find((inv) => inv.json.has(kind))!.json.get(kind)![0]!;
  const name = mergedJsonName(kind, stem, firstName);
  const out = createWriteStream(path.join(temp, name), { flags: 'wx' });
  try {
    let tail: string | undefined;
    let elements = 0;
    for (const [i, inv] of inventories.entries()) {
      const files = inv.json.get(kind) ?? [];
      for (const [n, rel] of files.entries()) {
        throwIfAborted(signal);
        const text = await fs.readFile(path.join(parts[i]!.folder, rel), 'utf8');
        const offset = parts[i]!.firstPage - 1;
        const scanned =
          n === 0
            ? await scanPartJson(text, kind, {
                offset,
                image: imageLinkMapper(renames[i]!),
                ...(signal ? { signal } : {}),
              })
            : undefined;
        if (!scanned) {
          logger.warn(`Part ${i + 1} of "${stem}": ${rel} kept as it is (not one ${kind} to merge).`);
          const to = perPart(rel, i + 1);
          await fs.copyFile(path.join(parts[i]!.folder, rel), path.join(temp, to), fsConstants.COPYFILE_EXCL);
          extras.push({ format: 'json', relative: to });
          continue;
        }
        if (tail === undefined) {
          await write(out, scanned.head);
          tail = scanned.tail;
        }
        // content_list_v2 has one array per page: pages no part covers are empty, so that an
        // array's position stays its page.
        const padding = kind === 'contentListV2' ? Math.max(0, offset - elements) : 0;
        const pieces = [
          ...Array.from({ length: padding }, () => '[]'),
          ...(scanned.inner ? [scanned.inner] : []),
        ];
        if (pieces.length > 0) {
          if (elements > 0) await write(out, ',');
          await writeInSlices(out, pieces.join(','));
        }
        elements += padding + scanned.count;
      }
    }
    await write(out, tail ?? (kind === 'layout' ? '{"pdf_info":[]}' : '[]'));
  } finally {
    await close(out);
  }
  return name;
}
