// The text layer of a PDF (pdf-parse, on pdf.js), page by page. Used to recognise supporting documents
// such as the exam result report; reading forms from PDFs by position is the OCR/PDF reader's job.
// pdf.js is loaded on first use so commands that never meet a PDF start fast.
import { UnreadableFileError } from './reader.ts';

export interface PdfText {
  pages: string[];
  /** True when the PDF has pages but (almost) no text: a scan or a photo saved as PDF. */
  imageOnly: boolean;
}

/** A hostile or broken PDF must not hold the mail up: give up after this long. */
const PDF_TIMEOUT_MS = 20_000;

export async function readPdfText(bytes: Uint8Array): Promise<PdfText> {
  const { PDFParse } = await import('pdf-parse');
  // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
  const parser = new PDFParse({ data: new Uint8Array(bytes), verbosity: 0 });
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      parser.getText(),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new UnreadableFileError('PDFの読み取りが時間内に終わりません')), PDF_TIMEOUT_MS); }),
    ]);
    const pages = result.pages.map((p) => p.text);
    const letters = pages.join('').replace(/\s/g, '').length;
    return { pages, imageOnly: pages.length > 0 && letters < 20 * pages.length };
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    const name = (error as Error).name;
    if (name === 'PasswordException') throw new UnreadableFileError('パスワードで保護されたPDFです');
    throw new UnreadableFileError(`PDFを開けません: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
    await parser.destroy().catch(() => undefined);
  }
}
