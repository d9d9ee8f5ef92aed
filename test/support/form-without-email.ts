// A paper renewal form without an e-mail address, for the letters tests: the sample form's text PDF
// (samples/forms-pdf/renewal-complete.pdf) with the text object of the applicant's e-mail address taken out of
// page 2's content stream, so the real PDF reader finds the name and postal address and no e-mail address.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { PDFArray, PDFDocument, PDFName, type PDFRawStream, type PDFRef } from 'pdf-lib';
import { SAMPLES } from './harness.ts';

export const RENEWAL_FORM_PDF = readFileSync(path.join(SAMPLES, 'forms-pdf', 'renewal-complete.pdf'));

export async function renewalFormWithoutEmail(): Promise<Buffer> {
  const doc = await PDFDocument.load(RENEWAL_FORM_PDF);
  const contents = doc.getPage(1).node.get(PDFName.of('Contents'));
  const refs = (contents instanceof PDFArray ? contents.asArray() : [contents]) as PDFRef[];
  let removed = 0;
  for (const ref of refs) {
    const stream = doc.context.lookup(ref) as PDFRawStream;
    const text = inflateSync(stream.contents).toString('latin1');
    // The address's own text object, where pdfjs places 'k.konda@example.jp' (x 194.5, y 290.289).
    const out = text.replace(/BT\s+194\.5 290\.289 Td[\s\S]*?ET/g, () => (removed++, 'BT ET'));
    if (out !== text) doc.context.assign(ref, doc.context.stream(deflateSync(Buffer.from(out, 'latin1')), { Filter: 'FlateDecode' }));
  }
  if (removed !== 1) throw new Error(`expected to take out the e-mail address once, took out ${removed}`);
  return Buffer.from(await doc.save());
}
