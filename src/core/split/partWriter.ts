/**
 * Writes some pages of a loaded PDF as a PDF of their own, streamed to a file: the objects those
 * pages reach, renumbered, each written as it is serialised, so that no buffer of the part's size
 * is ever built. Stream contents are written from the loaded document's own bytes (no copy).
 *
 * Why not pdf-lib's copyPages + save: the copier clones every stream's contents and save() builds
 * the whole file in one buffer, which is twice the part in memory; and a link to a page of another
 * part drags that page and its images along. Here a reference to a page outside the part, to the
 * page tree or to the catalog is written as null.
 */
import * as fs from 'node:fs';
import {
  PDFArray,
  PDFCatalog,
  PDFDict,
  PDFName,
  PDFPageLeaf,
  PDFPageTree,
  PDFRawStream,
  PDFRef,
  PDFStream,
} from '@cantoo/pdf-lib';
import type { PDFContext, PDFObject } from '@cantoo/pdf-lib';

const INHERITED = ['Resources', 'MediaBox', 'CropBox', 'Rotate'].map((name) => PDFName.of(name));
const PARENT = PDFName.of('Parent');
const LENGTH = PDFName.of('Length');

/** A page of the source: its reference and its leaf. */
export interface SourcePage {
  ref: PDFRef;
  node: PDFPageLeaf;
}

export interface WrittenPart {
  bytes: number;
  /** References to objects the file does not hold (written as null), e.g. in a truncated file. */
  missing: number;
}

/**
 * Writes `pages` (in order) to `filePath` as a complete PDF; returns its size in bytes.
 * `onPage` is called after each page's own objects have been written.
 */
export function writePart(
  context: PDFContext,
  pages: readonly SourcePage[],
  filePath: string,
  onPage?: (written: number) => void,
): WrittenPart {
  const fd = fs.openSync(filePath, 'wx');
  try {
    const writer = new PartWriter(context, pages, fd);
    const bytes = writer.write(onPage);
    return { bytes, missing: writer.missing };
  } finally {
    fs.closeSync(fd);
  }
}

class PartWriter {
  /** Source reference → object number in the part. */
  private readonly numbers = new Map<PDFRef, number>();
  /** Objects still to write, in number order, from `nextPending` on. */
  private pending: { num: number; object: PDFObject }[] = [];
  private nextPending = 0;
  private nextNumber: number;
  private readonly offsets: number[] = [];
  private readonly inPart: Set<PDFRef>;
  private position = 0;
  missing = 0;
  private text = '';
  private chunks: Uint8Array[] = [];

  constructor(
    private readonly context: PDFContext,
    private readonly pages: readonly SourcePage[],
    private readonly fd: number,
  ) {
    this.inPart = new Set(pages.map((page) => page.ref));
    // 1: the catalog, 2: the page tree, 3…: the pages.
    pages.forEach((page, i) => this.numbers.set(page.ref, i + 3));
    this.nextNumber = pages.length + 3;
  }

  write(onPage?: (written: number) => void): number {
    // The header's binary comment tells transfer tools the file is binary.
    this.emitRaw('%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n');
    this.flush();
    this.beginObject(1);
    this.emitRaw('<< /Type /Catalog /Pages 2 0 R >>');
    this.endObject();
    this.beginObject(2);
    const kids = this.pages.map((_, i) => `${i + 3} 0 R`).join(' ');
    this.emitRaw(`<< /Type /Pages /Count ${this.pages.length} /Kids [${kids}] >>`);
    this.endObject();
    this.pages.forEach((page, i) => {
      this.beginObject(i + 3);
      this.emitPage(page.node);
      this.endObject();
      // Everything this page reaches that no earlier page did.
      this.drain();
      onPage?.(i + 1);
    });
    return this.finish();
  }

  private drain(): void {
    while (this.nextPending < this.pending.length) {
      const next = this.pending[this.nextPending++];
      if (!next) break;
      this.beginObject(next.num);
      this.emit(next.object);
      this.endObject();
    }
    this.pending = [];
    this.nextPending = 0;
  }

  /** A page's own entries without its parent, plus what it inherits from the page tree. */
  private emitPage(node: PDFPageLeaf): void {
    this.emitRaw('<<');
    for (const [key, value] of node.entries()) {
      if (key === PARENT) continue;
      this.emitRaw(key.toString() + ' ');
      this.emit(value);
      this.emitRaw('\n');
    }
    for (const key of INHERITED) {
      if (node.get(key) !== undefined) continue;
      const value = node.getInheritableAttribute(key);
      if (value === undefined) continue;
      this.emitRaw(key.toString() + ' ');
      this.emit(value);
      this.emitRaw('\n');
    }
    this.emitRaw('/Parent 2 0 R>>');
  }

  private emit(object: PDFObject): void {
    if (object instanceof PDFRef) {
      const num = this.numberOf(object);
      this.emitRaw(num === undefined ? 'null' : `${num} 0 R`);
    } else if (object instanceof PDFStream) {
      const contents = object instanceof PDFRawStream ? object.contents : object.getContents();
      this.emitDict(object.dict, LENGTH, `${contents.length}`);
      this.emitRaw('\nstream\n');
      this.emitBytes(contents);
      this.emitRaw('\nendstream');
    } else if (object instanceof PDFDict) {
      this.emitDict(object);
    } else if (object instanceof PDFArray) {
      this.emitRaw('[');
      object.asArray().forEach((item, i) => {
        if (i > 0) this.emitRaw(' ');
        this.emit(item);
      });
      this.emitRaw(']');
    } else {
      // Names, numbers, strings, booleans, null, and bytes pdf-lib could not parse: their own bytes.
      const bytes = new Uint8Array(object.sizeInBytes());
      object.copyBytesInto(bytes, 0);
      this.emitBytes(bytes);
    }
  }

  private emitDict(dict: PDFDict, replaced?: PDFName, replacement?: string): void {
    this.emitRaw('<<');
    for (const [key, value] of dict.entries()) {
      if (key === replaced) continue;
      this.emitRaw(key.toString() + ' ');
      this.emit(value);
      this.emitRaw('\n');
    }
    if (replaced && replacement !== undefined) this.emitRaw(`${replaced.toString()} ${replacement}`);
    this.emitRaw('>>');
  }

  /** The part's number for a reference, or undefined when it is written as null. */
  private numberOf(ref: PDFRef): number | undefined {
    const known = this.numbers.get(ref);
    if (known !== undefined) return known;
    const target = this.context.lookup(ref);
    if (target === undefined) this.missing += 1;
    if (
      target === undefined ||
      (target instanceof PDFPageLeaf && !this.inPart.has(ref)) ||
      target instanceof PDFPageTree ||
      target instanceof PDFCatalog
    )
      return undefined;
    const num = this.nextNumber++;
    this.numbers.set(ref, num);
    this.pending.push({ num, object: target });
    return num;
  }

  private beginObject(num: number): void {
    this.flush();
    this.offsets[num] = this.position;
    this.emitRaw(`${num} 0 obj\n`);
  }

  private endObject(): void {
    this.emitRaw('\nendobj\n');
    this.flush();
  }

  private finish(): number {
    this.flush();
    const xref = this.position;
    const count = this.offsets.length;
    const lines = ['xref', `0 ${count}`, '0000000000 65535 f\r'];
    for (let num = 1; num < count; num++)
      lines.push(`${String(this.offsets[num] ?? 0).padStart(10, '0')} 00000 n\r`);
    this.emitRaw(
      `${lines.join('\n')}\ntrailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
    );
    this.flush();
    return this.position;
  }

  private emitRaw(text: string): void {
    this.text += text;
  }

  private emitBytes(bytes: Uint8Array): void {
    this.pushText();
    this.chunks.push(bytes);
  }

  private pushText(): void {
    if (this.text === '') return;
    this.chunks.push(Buffer.from(this.text, 'latin1'));
    this.text = '';
  }

  private flush(): void {
    this.pushText();
    for (const chunk of this.chunks) {
      let done = 0;
      while (done < chunk.length) done += fs.writeSync(this.fd, chunk, done, chunk.length - done);
      this.position += chunk.length;
    }
    this.chunks = [];
  }
}
