// Generates small but well-formed PDFs for the pre-flight tests: a page tree (flat or nested), an
// optional outline whose /Count must not be mistaken for pages, optional compressed object
// streams (PDF 1.5), padding to make a file large, and incremental updates appended at the end.
import { deflateSync } from 'node:zlib';

export interface PdfSpec {
  pages: number;
  /** Kids per intermediate /Pages node; 0 = all pages directly under the root. */
  fanout?: number;
  /** Put the page tree nodes and pages into one compressed object stream. */
  objectStream?: boolean;
  /** Bytes of an incompressible stream object placed before the page tree (or after, see below). */
  padBytes?: number;
  /** Where the padding goes relative to the catalog and page tree. */
  padAt?: 'before' | 'after' | 'around';
  /** An outline dictionary with this /Count. */
  outlineCount?: number;
  /** Appends an incremental update that redefines the root to have this many pages. */
  updateTo?: number;
}

interface Obj {
  num: number;
  body: string;
}

export function makePdf(spec: PdfSpec): Buffer {
  let next = 1;
  const alloc = (): number => next++;
  const catalogNum = alloc();
  const rootNum = alloc();
  const outlineNum = spec.outlineCount !== undefined ? alloc() : undefined;
  const pageNums = Array.from({ length: spec.pages }, () => alloc());
  const treeObjs: Obj[] = [];
  const fanout = spec.fanout ?? 0;
  if (fanout > 0 && spec.pages > fanout) {
    const groups: number[][] = [];
    for (let i = 0; i < pageNums.length; i += fanout) groups.push(pageNums.slice(i, i + fanout));
    const kids: number[] = [];
    for (const group of groups) {
      const n = alloc();
      kids.push(n);
      treeObjs.push({
        num: n,
        body: `<< /Type /Pages /Parent ${rootNum} 0 R /Kids [${group.map((k) => `${k} 0 R`).join(' ')}] /Count ${group.length} >>`,
      });
      for (const p of group) treeObjs.push({ num: p, body: pageBody(n) });
    }
    treeObjs.unshift({
      num: rootNum,
      body: `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${spec.pages} >>`,
    });
  } else {
    treeObjs.push({
      num: rootNum,
      body: `<< /Type /Pages /Kids [${pageNums.map((k) => `${k} 0 R`).join(' ')}] /Count ${spec.pages} >>`,
    });
    for (const p of pageNums) treeObjs.push({ num: p, body: pageBody(rootNum) });
  }
  const catalog: Obj = {
    num: catalogNum,
    body: `<< /Type /Catalog /Pages ${rootNum} 0 R${outlineNum ? ` /Outlines ${outlineNum} 0 R` : ''} >>`,
  };
  const outline: Obj[] = outlineNum
    ? [{ num: outlineNum, body: `<< /Type /Outlines /Count ${spec.outlineCount} >>` }]
    : [];

  const chunks: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets = new Map<number, number>();
  let size = chunks[0]!.length;
  const push = (b: Buffer): void => {
    chunks.push(b);
    size += b.length;
  };
  const writeObj = (o: Obj): void => {
    offsets.set(o.num, size);
    push(Buffer.from(`${o.num} 0 obj\n${o.body}\nendobj\n`, 'latin1'));
  };
  const writeStream = (num: number, dict: string, data: Buffer): void => {
    offsets.set(num, size);
    push(Buffer.from(`${num} 0 obj\n<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'));
    push(data);
    push(Buffer.from('\nendstream\nendobj\n', 'latin1'));
  };
  const pad = (): void => {
    if (!spec.padBytes) return;
    // Pseudo-random bytes: incompressible, and free of PDF keywords by construction (no ASCII letters).
    const data = Buffer.alloc(spec.padBytes);
    let x = 12345;
    for (let i = 0; i < data.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      data[i] = 0x80 + (x & 0x7f);
    }
    writeStream(alloc(), '', data);
  };

  const padAt = spec.padAt ?? 'before';
  if (padAt === 'before') pad();
  if (padAt === 'around') pad();
  writeObj(catalog);
  for (const o of outline) writeObj(o);
  if (spec.objectStream) {
    const parts = treeObjs.map((o) => o.body);
    let offset = 0;
    const header: string[] = [];
    treeObjs.forEach((o, i) => {
      header.push(`${o.num} ${offset}`);
      offset += parts[i]!.length + 1;
    });
    const headerText = header.join(' ') + '\n';
    const data = deflateSync(Buffer.from(headerText + parts.join('\n') + '\n', 'latin1'));
    writeStream(
      alloc(),
      `/Type /ObjStm /N ${treeObjs.length} /First ${headerText.length} /Filter /FlateDecode`,
      data,
    );
  } else {
    for (const o of treeObjs) writeObj(o);
  }
  if (padAt === 'after' || padAt === 'around') pad();
  const xrefAt = size;
  push(Buffer.from(xref(offsets, next), 'latin1'));
  push(
    Buffer.from(
      `trailer\n<< /Size ${next} /Root ${catalogNum} 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`,
      'latin1',
    ),
  );

  if (spec.updateTo !== undefined) {
    const extra = Array.from({ length: Math.max(0, spec.updateTo - spec.pages) }, () => alloc());
    const updated = new Map<number, number>();
    const kids = [...pageNums, ...extra].slice(0, spec.updateTo);
    const writeUpdate = (o: Obj): void => {
      updated.set(o.num, size);
      push(Buffer.from(`${o.num} 0 obj\n${o.body}\nendobj\n`, 'latin1'));
    };
    for (const p of extra) writeUpdate({ num: p, body: pageBody(rootNum) });
    writeUpdate({
      num: rootNum,
      body: `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${spec.updateTo} >>`,
    });
    const at = size;
    push(Buffer.from(xref(updated, next), 'latin1'));
    push(
      Buffer.from(
        `trailer\n<< /Size ${next} /Root ${catalogNum} 0 R /Prev ${xrefAt} >>\nstartxref\n${at}\n%%EOF\n`,
        'latin1',
      ),
    );
  }
  return Buffer.concat(chunks);
}

function pageBody(parent: number): string {
  return `<< /Type /Page /Parent ${parent} 0 R /MediaBox [0 0 612 792] >>`;
}

function xref(offsets: Map<number, number>, size: number): string {
  const lines = ['xref', `0 ${size}`, '0000000000 65535 f '];
  for (let i = 1; i < size; i++) {
    const at = offsets.get(i);
    lines.push(at === undefined ? '0000000000 65535 f ' : `${String(at).padStart(10, '0')} 00000 n `);
  }
  return lines.join('\n') + '\n';
}
