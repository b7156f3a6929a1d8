// PDFs for the splitter's tests, made with pdf-lib in the test itself (none is committed): pages
// that say "Page N", optionally with an incompressible image of a given size, and broken ones.
import { randomBytes } from 'node:crypto';
import {
  concatTransformationMatrix,
  drawObject,
  PDFDocument,
  popGraphicsState,
  pushGraphicsState,
  StandardFonts,
} from '@cantoo/pdf-lib';

/** A PDF of `pages` pages; page N says "Page N" and, when imageBytes(N) > 0, shows that many random bytes. */
export async function makeSplitPdf(
  pages: number,
  imageBytes: (page: number) => number = () => 0,
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n++) {
    const page = doc.addPage([300, 300]);
    const bytes = imageBytes(n);
    if (bytes > 0) {
      const width = 500;
      const height = Math.ceil(bytes / width);
      const image = doc.context.register(
        doc.context.stream(randomBytes(width * height), {
          Type: 'XObject',
          Subtype: 'Image',
          Width: width,
          Height: height,
          ColorSpace: 'DeviceGray',
          BitsPerComponent: 8,
        }),
      );
      const name = page.node.newXObject('Im', image);
      page.pushOperators(
        pushGraphicsState(),
        concatTransformationMatrix(280, 0, 0, 200, 10, 10),
        drawObject(name),
        popGraphicsState(),
      );
    }
    page.drawText(`Page ${n}`, { x: 20, y: 250, size: 24, font });
  }
  return doc.save();
}

/** A PDF encrypted by pdf-lib itself (AES-256, a user password). */
export async function makeEncryptedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([300, 300]).drawText('Secret', { x: 20, y: 250 });
  doc.encrypt({ userPassword: 'user-secret', ownerPassword: 'owner-secret' });
  return doc.save();
}

export interface NumberedPdfOptions {
  /** The number page 1 says (default 1): `first: 601` makes pages "Page 601", "Page 602", … */
  first?: number;
  /** Bytes of an incompressible grey image on page N (default none), to make a file of a given size. */
  imageBytes?: (page: number) => number;
}

/**
 * A PDF of `pages` pages whose page N draws "Page N" (uncompressed text, Helvetica), written as
 * bytes directly instead of through pdf-lib, so that thousands of pages take milliseconds: 1,300
 * pages are about 200 KB. Valid for any reader (correct xref); the fake service reads its marks.
 */
export function makeNumberedPdf(pages: number, options: NumberedPdfOptions = {}): Buffer {
  const first = options.first ?? 1;
  const chunks: Buffer[] = [];
  const offsets: number[] = [0];
  let size = 0;
  const push = (b: Buffer | string): void => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    chunks.push(buf);
    size += buf.length;
  };
  const object = (id: number, body: Buffer | string): void => {
    offsets[id] = size;
    push(`${id} 0 obj\n`);
    push(body);
    push('\nendobj\n');
  };
  const stream = (dict: string, data: Buffer): Buffer =>
    Buffer.concat([
      Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'),
      data,
      Buffer.from('\nendstream', 'latin1'),
    ]);
  push('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
  // 1 catalog, 2 page tree, 3 font; page k: page 4+3(k-1), contents +1, image +2.
  object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  object(3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const kids: string[] = [];
  for (let i = 0; i < pages; i++) {
    const pageId = 4 + i * 3;
    const bytes = options.imageBytes?.(i + 1) ?? 0;
    kids.push(`${pageId} 0 R`);
    const image = bytes > 0 ? ` /XObject << /Im1 ${pageId + 2} 0 R >>` : '';
    object(
      pageId,
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] ` +
        `/Resources << /Font << /F1 3 0 R >>${image} >> /Contents ${pageId + 1} 0 R >>`,
    );
    const draw = bytes > 0 ? 'q 280 0 0 200 10 10 cm /Im1 Do Q\n' : '';
    object(
      pageId + 1,
      stream('', Buffer.from(`${draw}BT /F1 24 Tf 20 250 Td (Page ${first + i}) Tj ET`, 'latin1')),
    );
    if (bytes > 0) {
      const width = 500;
      const height = Math.ceil(bytes / width);
      const dict = `/Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8`;
      object(pageId + 2, stream(dict, randomBytes(width * height)));
    } else {
      object(pageId + 2, 'null');
    }
  }
  offsets[2] = size;
  push(`2 0 obj\n<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>\nendobj\n`);
  const count = 4 + pages * 3;
  const xref = size;
  const rows = [`xref\n0 ${count}\n0000000000 65535 f \n`];
  for (let id = 1; id < count; id++) rows.push(`${String(offsets[id] ?? 0).padStart(10, '0')} 00000 n \n`);
  push(rows.join(''));
  push(`trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(chunks);
}
