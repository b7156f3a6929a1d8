/**
 * The images of part results joined into one `images/`: the same name with the same bytes is kept
 * once, the same name with other bytes becomes `<base>.part-<k><ext>` and that part's links are
 * rewritten (see {@link imageLinkMapper}). Bytes are compared by size, then by SHA-256 read in
 * chunks; files are copied by the file system (never read into the event loop whole).
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { abortReason } from '../util/clock';

/** One image of a part: its path relative to the part folder ('/'-separated, `images/…`). */
export interface PartImage {
  relative: string;
  absolute: string;
  size: number;
}

/** How one part's image names changed: old relative path → new one ('/'-separated). */
export type ImageRenames = Map<string, string>;

const CHUNK = 1 << 20;
/** Copies in flight at once. */
const CONCURRENCY = 16;

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** Runs `work` on every item, at most `limit` at once; the first failure is thrown. */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** `images/a/b.jpg` → `images/a/b.part-3.jpg` (then `b.part-3-2.jpg` … when that is taken too). */
function partName(relative: string, part: number, attempt: number): string {
  const ext = path.posix.extname(relative);
  const stem = relative.slice(0, relative.length - ext.length);
  return `${stem}.part-${part}${attempt > 1 ? `-${attempt}` : ''}${ext}`;
}

interface Kept {
  relative: string;
  absolute: string;
  size: number;
  hash?: Promise<string>;
}

/** The merged `images/` of a result being written into `target` (the temporary folder). */
export class MergedImages {
  /** Lower-cased relative path → the image kept under it: no two names differing only in case. */
  private readonly kept = new Map<string, Kept>();
  private readonly folders = new Set<string>();
  /** Images kept once because an earlier part had the same name and bytes. */
  deduplicated = 0;
  /** Images renamed because an earlier part had the same name with other bytes. */
  renamed = 0;
  /** Relative paths of the files written, in order. */
  readonly written: string[] = [];

  constructor(private readonly target: string) {}

  /** Adds part `part`'s images (1-based), returning how its links must change. */
  async add(part: number, images: readonly PartImage[], signal?: AbortSignal): Promise<ImageRenames> {
    const renames: ImageRenames = new Map();
    const copies: Kept[] = [];
    for (const image of images) {
      if (signal?.aborted) throw abortReason(signal);
      const earlier = this.kept.get(image.relative.toLowerCase());
      if (earlier && (await this.sameBytes(earlier, image))) {
        this.deduplicated++;
        if (earlier.relative !== image.relative) renames.set(image.relative, earlier.relative);
        continue;
      }
      let relative = image.relative;
      if (earlier) {
        for (
          let attempt = 1;
          this.kept.has((relative = partName(image.relative, part, attempt)).toLowerCase());
        )
          attempt++;
        renames.set(image.relative, relative);
        this.renamed++;
      }
      const kept: Kept = { relative, absolute: image.absolute, size: image.size };
      this.kept.set(relative.toLowerCase(), kept);
      copies.push(kept);
    }
    await eachLimited(copies, CONCURRENCY, async (kept) => {
      if (signal?.aborted) throw abortReason(signal);
      const to = path.join(this.target, ...kept.relative.split('/'));
      const dir = path.dirname(to);
      if (!this.folders.has(dir)) {
        await fs.mkdir(dir, { recursive: true });
        this.folders.add(dir);
      }
      await fs.copyFile(kept.absolute, to, fsConstants.COPYFILE_EXCL);
    });
    this.written.push(...copies.map((c) => c.relative));
    return renames;
  }

  private async sameBytes(earlier: Kept, image: PartImage): Promise<boolean> {
    if (earlier.size !== image.size) return false;
    earlier.hash ??= sha256(earlier.absolute);
    const [a, b] = await Promise.all([earlier.hash, sha256(image.absolute)]);
    return a === b;
  }
}

/**
 * Maps a link target (as written in the part's Markdown or JSON) to its renamed image, or
 * undefined. Targets are compared as paths relative to the part folder: `./images/x.jpg` and
 * `images/x%20y.jpg` are found too; a query or fragment is kept. `bare` maps middle.json's
 * `image_path`, which names the file inside `images/` without the folder.
 */
export function imageLinkMapper(renames: ImageRenames): (target: string) => string | undefined {
  if (renames.size === 0) return () => undefined;
  return (target) => {
    const cut = target.search(/[?#]/);
    const pathPart = cut < 0 ? target : target.slice(0, cut);
    const rest = cut < 0 ? '' : target.slice(cut);
    let decoded = pathPart;
    try {
      decoded = decodeURIComponent(pathPart);
    } catch {
      // kept as written
    }
    const relative = decoded.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
    const direct = renames.get(relative);
    if (direct !== undefined) return encodeLike(pathPart, decoded, direct) + rest;
    const inFolder = renames.get(`images/${relative}`);
    if (inFolder !== undefined && !relative.includes('/'))
      return encodeLike(pathPart, decoded, inFolder.slice('images/'.length)) + rest;
    return undefined;
  };
}

/** The new path written as the old one was: percent-encoded when it was, with its `./` prefix. */
function encodeLike(written: string, decoded: string, next: string): string {
  const prefix = /^(?:\.\/)+/.exec(written)?.[0] ?? '';
  const encoded = written !== decoded ? next.split('/').map(encodeURIComponent).join('/') : next;
  return prefix + encoded;
}
