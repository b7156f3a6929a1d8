/**
 * The splitting itself, run in the worker thread (splitWorker.ts): the PDF is read and parsed
 * once, each planned part is written (partWriter.ts), measured, and planned again smaller when it
 * is over the size limit. Throws SplitError for what the user can act on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EncryptedPDFError, ParseSpeeds, PDFDocument } from '@cantoo/pdf-lib';
import { writePart, type SourcePage } from './partWriter';
import { SplitError, type SplitPart, type SplitResult } from './splitErrors';
import { partLimits, planSplit, sharePages, type PageRange, type SplitLimits } from './splitPlan';

export interface SplitJob {
  filePath: string;
  limits: SplitLimits;
  folder: string;
  /** Called before a part file is created, so that the caller can remove it on abort. */
  onFile?: (filePath: string) => void;
  onProgress?: (pagesDone: number, totalPages: number) => void;
}

/** A PDF's header may follow up to 1 KB of other bytes (as readers allow). */
const HEADER_WINDOW = 1024;

/**
 * The file's bytes, whose slice() shares memory instead of copying: pdf-lib's parser slices each
 * stream's contents out of the file, and sharing keeps the whole document in memory once, not twice.
 * Nothing mutates these bytes (they are only read and written out).
 */
class SharedBytes extends Uint8Array<ArrayBuffer> {
  override slice(start?: number, end?: number): Uint8Array<ArrayBuffer> {
    return this.subarray(start, end);
  }
}

/** 'not-pdf' unless `%PDF-` opens the file (within its first kilobyte). */
export function assertPdfHeader(head: Uint8Array): void {
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, HEADER_WINDOW)).toString(
    'latin1',
  );
  if (!text.includes('%PDF-')) throw new SplitError('not-pdf');
}

function readShared(filePath: string): Uint8Array<ArrayBuffer> {
  const fd = fs.openSync(filePath, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const bytes = new SharedBytes(new ArrayBuffer(size));
    let done = 0;
    while (done < size) {
      const read = fs.readSync(fd, bytes, done, size - done, done);
      if (read === 0) break;
      done += read;
    }
    return done === size ? bytes : bytes.subarray(0, done);
  } finally {
    fs.closeSync(fd);
  }
}

async function loadPdf(bytes: Uint8Array): Promise<PDFDocument> {
  assertPdfHeader(bytes);
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(bytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
  } catch (error) {
    if (error instanceof EncryptedPDFError) throw new SplitError('encrypted', { cause: error });
    throw new SplitError('damaged', {
      detail: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
  return doc;
}

function pagesOf(doc: PDFDocument): SourcePage[] {
  let pages: SourcePage[];
  try {
    pages = doc.getPages().map((page) => ({ ref: page.ref, node: page.node }));
  } catch (error) {
    throw new SplitError('damaged', {
      detail: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
  if (pages.length === 0) throw new SplitError('damaged', { detail: 'no pages' });
  return pages;
}

/** Whether `%%EOF` is in the last kilobyte, where readers look for it. */
function hasEnd(bytes: Uint8Array): boolean {
  const tail = bytes.subarray(Math.max(0, bytes.length - HEADER_WINDOW));
  return Buffer.from(tail.buffer, tail.byteOffset, tail.length).toString('latin1').includes('%%EOF');
}

/** `<stem>.part-<k>.pdf` in the folder. */
export function partPath(folder: string, sourcePath: string, index: number): string {
  const stem = path.basename(sourcePath).replace(/\.pdf$/i, '');
  return path.join(folder, `${stem}.part-${index}.pdf`);
}

/** Splits the PDF into part files in `job.folder`; see splitter.ts for the host's side. */
export async function splitPdfFile(job: SplitJob): Promise<SplitResult> {
  const bytes = readShared(job.filePath);
  const doc = await loadPdf(bytes);
  const pages = pagesOf(doc);
  const totalPages = pages.length;
  const truncated = !hasEnd(bytes);
  const limit = partLimits(job.limits);
  const queue: PageRange[] = planSplit(totalPages, bytes.length, job.limits);
  const parts: SplitPart[] = [];
  let reported = 0;
  const report = (pagesDone: number): void => {
    if (pagesDone <= reported) return;
    reported = pagesDone;
    job.onProgress?.(pagesDone, totalPages);
  };
  for (let range = queue.shift(); range; range = queue.shift()) {
    const index = parts.length + 1;
    const file = partPath(job.folder, job.filePath, index);
    job.onFile?.(file);
    const first = range.firstPage;
    let written: number;
    try {
      const part = writePart(doc.context, pages.slice(first - 1, range.lastPage), file, (n) =>
        report(first - 1 + n),
      );
      // Objects the pages need are absent and the file has no end: it was cut off (a broken
      // download). Objects merely absent from a whole file are common, and harmless to readers.
      if (part.missing > 0 && truncated) throw new SplitError('damaged', { detail: 'the file is cut off' });
      written = part.bytes;
    } catch (error) {
      fs.rmSync(file, { force: true });
      throw error;
    }
    const count = range.lastPage - first + 1;
    if (written > limit.bytes && (count > 1 || written > job.limits.maxBytes)) {
      fs.rmSync(file, { force: true });
      if (count === 1) throw new SplitError('page-too-large', { page: first });
      queue.unshift(...smaller(range, written, job.limits));
      continue;
    }
    parts.push({ index, firstPage: first, lastPage: range.lastPage, path: file, bytes: written });
  }
  return { totalPages, parts };
}

/** An over-size part planned again from its measured size, in at least two pieces. */
function smaller(range: PageRange, bytes: number, limits: SplitLimits): PageRange[] {
  const count = range.lastPage - range.firstPage + 1;
  const planned = planSplit(count, bytes, limits);
  const pieces = planned.length > 1 ? planned.length : 2;
  return sharePages(range.firstPage, range.lastPage, pieces);
}
