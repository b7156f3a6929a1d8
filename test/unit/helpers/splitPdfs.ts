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
