/**
 * The index of finished results, by source and options, so that a document already parsed with the
 * same options is not sent again (the language-model tool, watched folders).
 *
 * API (small on purpose):
 * - `resultKey(source, mode, options)` → the key: the source (a normalised URL, or the SHA-256 of
 *   a local file's content, from `fileSha256`) plus a canonical string of the options that change
 *   the output (mode, model, page ranges, language, OCR, formula, table, extra formats, the
 *   self-hosted server's options). Options that do not change the output (callback, seed, cache
 *   flags, data_id) are not part of it.
 * - `fileSha256(path, signal?)` → the hex SHA-256 of a file, read as a stream.
 * - `new ResultIndex(store)` over a `KeyValueStore` (VS Code's workspaceState: it survives reloads):
 *   - `lookup(key)` → the entry, only while its result folder and Markdown file still exist (an
 *     entry whose folder was deleted is dropped);
 *   - `record(key, result)` → stores or replaces the entry (the newest result wins);
 *   - `list()` → every entry whose folder still exists, newest first.
 * - `keyOfTask(task)` → the key of a task (hashes a local source file); `recordTask(task)` records
 *   a finished task under it (the composition root calls it on every engine `finished` event).
 *
 * A local file is hashed when its task finishes: a file replaced while it was being parsed is keyed
 * by its new content, so it is parsed again next time (never the reverse). The index holds paths
 * and labels only, never a token.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import type { ParseOptions } from '../api/types';
import type { TaskMode, TaskRecord, TaskSource } from '../tasks/task';
import type { KeyValueStore } from '../util/keyValueStore';

/** Where the index lives in the key-value store. */
export const RESULT_INDEX_KEY = 'mineru.resultIndex.v1';
/** Most entries kept; the oldest are dropped beyond it. */
export const RESULT_INDEX_LIMIT = 500;

export interface IndexedResult {
  /** Result folder (absolute). */
  folder: string;
  /** The Markdown file in it (absolute). */
  markdownPath: string;
  /** What the user would call the source: the URL, or the file's path. */
  sourceLabel: string;
  mode: TaskMode;
  /** The page ranges asked for, when any. */
  pageRanges?: string;
  /** Pages the service reported, when it did. */
  pages?: number;
  /** When the result was imported (ms since epoch). */
  date: number;
}

export interface IndexEntry extends IndexedResult {
  key: string;
}

/** A source as the key sees it: a URL, or a local file's content hash. */
export type KeySource = { kind: 'url'; url: string } | { kind: 'file'; sha256: string };

/**
 * The URL as the index compares it: scheme and host lower case (URL does it), no default port, no
 * fragment. The path and query are kept as they are (they select the document).
 */
export function normaliseSourceUrl(raw: string): string {
  try {
    const url = new URL(raw.trim());
    url.hash = '';
    return url.toString();
  } catch {
    return raw.trim();
  }
}

/** The options that change the output, in a fixed order, as one string. */
export function canonicalOptions(mode: TaskMode, options: ParseOptions): string {
  const parts: [string, unknown][] = [
    ['mode', mode],
    ['model', options.modelVersion],
    ['pages', options.pageRanges?.replace(/\s+/g, '')],
    ['lang', options.language],
    ['ocr', options.isOcr],
    ['formula', options.enableFormula],
    ['table', options.enableTable],
    [
      'extra',
      options.extraFormats && options.extraFormats.length ? [...options.extraFormats].sort() : undefined,
    ],
  ];
  const sh = options.selfHosted;
  if (mode === 'selfHosted' && sh) {
    parts.push(
      ['backend', sh.backend],
      ['effort', sh.effort],
      ['method', sh.parseMethod],
      ['images', sh.imageAnalysis],
      ['server', sh.serverUrl],
    );
  }
  return parts
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(';');
}

/** The index key of a source parsed in a mode with some options. */
export function resultKey(source: KeySource, mode: TaskMode, options: ParseOptions): string {
  const head = source.kind === 'url' ? `url:${normaliseSourceUrl(source.url)}` : `sha256:${source.sha256}`;
  return `${head}|${canonicalOptions(mode, options)}`;
}

/** The hex SHA-256 of a file's content, read as a stream (large files are never held in memory). */
export function fileSha256(file: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = createReadStream(file, { signal });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(hash.digest('hex')));
  });
}

/** The key source of a task's source (hashes a local file). */
export async function keySourceOf(source: TaskSource, signal?: AbortSignal): Promise<KeySource> {
  return source.kind === 'url'
    ? { kind: 'url', url: source.url }
    : { kind: 'file', sha256: await fileSha256(source.path, signal) };
}

/** The key of a task, from its source, mode and options. */
export async function keyOfTask(task: TaskRecord, signal?: AbortSignal): Promise<string> {
  return resultKey(await keySourceOf(task.source, signal), task.mode, task.options);
}

/** The index entry of a finished task, or undefined when it has no result. */
export function indexedResultOf(task: TaskRecord): IndexedResult | undefined {
  if (task.state !== 'done' || !task.result) return undefined;
  return {
    folder: task.result.folder,
    markdownPath: task.result.markdownPath,
    sourceLabel: task.source.kind === 'url' ? task.source.url : task.source.path,
    mode: task.mode,
    ...(task.options.pageRanges ? { pageRanges: task.options.pageRanges } : {}),
    ...(task.progress?.totalPages ? { pages: task.progress.totalPages } : {}),
    date: task.finishedAt ?? task.updatedAt,
  };
}

async function exists(file: string, kind: 'dir' | 'file'): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    return kind === 'dir' ? st.isDirectory() : st.isFile();
  } catch {
    return false;
  }
}

async function stillThere(entry: IndexedResult): Promise<boolean> {
  return (await exists(entry.folder, 'dir')) && (await exists(entry.markdownPath, 'file'));
}

export class ResultIndex {
  /** Writes in order, so that two records close together both land. */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly store: KeyValueStore) {}

  private entries(): IndexEntry[] {
    const raw = this.store.get<unknown>(RESULT_INDEX_KEY);
    return Array.isArray(raw) ? raw.filter(isEntry) : [];
  }

  private write(change: (entries: IndexEntry[]) => IndexEntry[]): Promise<void> {
    const next = this.writing.then(() => this.store.update(RESULT_INDEX_KEY, change(this.entries())));
    this.writing = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /** The result recorded under this key, if its folder and Markdown file still exist. */
  async lookup(key: string): Promise<IndexedResult | undefined> {
    const found = this.entries().find((e) => e.key === key);
    if (!found) return undefined;
    if (await stillThere(found)) {
      const { key: _key, ...result } = found;
      return result;
    }
    await this.write((all) => all.filter((e) => e.key !== key));
    return undefined;
  }

  /** Records (or replaces) the result of a key; the oldest entries go beyond RESULT_INDEX_LIMIT. */
  record(key: string, result: IndexedResult): Promise<void> {
    const entry: IndexEntry = { key, ...result };
    return this.write((all) => [entry, ...all.filter((e) => e.key !== key)].slice(0, RESULT_INDEX_LIMIT));
  }

  /** Records a finished task under its key; a task without a result, or whose file is gone, is skipped. */
  async recordTask(task: TaskRecord): Promise<boolean> {
    const result = indexedResultOf(task);
    if (!result) return false;
    let key: string;
    try {
      key = await keyOfTask(task);
    } catch {
      return false; // the source file was removed or cannot be read: nothing to key it by
    }
    await this.record(key, result);
    return true;
  }

  /** Every result whose folder still exists, newest first. */
  async list(): Promise<IndexEntry[]> {
    const all = this.entries().sort((a, b) => b.date - a.date);
    const there = await Promise.all(all.map(stillThere));
    return all.filter((_, i) => there[i]);
  }
}

function isEntry(value: unknown): value is IndexEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.key === 'string' &&
    typeof v.folder === 'string' &&
    typeof v.markdownPath === 'string' &&
    typeof v.sourceLabel === 'string' &&
    typeof v.mode === 'string' &&
    typeof v.date === 'number'
  );
}
