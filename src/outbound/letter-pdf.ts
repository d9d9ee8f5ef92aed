// A notice as a printed letter (A4, for a 長3 window envelope: the page folded in three, the recipient's block
// top left behind the window, the association's sender block top right), for an applicant who gave no e-mail
// address. The letter prints exactly the subject and text the notice's mail template made (the outbox row's
// composed mail): this module only lays them out. Drawn with pdf-lib in a Japanese font cut down to the printed
// characters by harfbuzz, as the certificate is (src/outbound/certificate.ts says why), and deterministic: the
// same letter gives the same bytes, so it can be drawn again whenever staff open it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';
import subsetFont from 'subset-font';
import { fontFromCollection, japaneseDate } from './certificate.ts';

const layoutSchema = z.object({
  font: z.object({ files: z.array(z.string().min(1)).min(1), index: z.number().int().min(0).default(0) }).strict(),
  sender: z.array(z.string().min(1)).min(1).max(8),
}).strict();
export type LetterLayout = z.infer<typeof layoutSchema>;

export class LetterError extends Error {}

export const LETTER_LAYOUT_FILE = 'letter.yaml';

/** What a letter says: the notice's subject and text as composed, to whom, on which day, for which case. */
export interface LetterFacts {
  caseNumber: string;
  /** The day the notice was made (Tokyo), YYYY-MM-DD: the letter's date. */
  date: string;
  recipient: { postalCode: string | null; address: string; name: string };
  subject: string;
  text: string;
}

export function loadLetterLayout(templatesDir: string): LetterLayout {
  const file = path.join(templatesDir, LETTER_LAYOUT_FILE);
  if (!existsSync(file)) throw new LetterError(`letter layout ${file}: missing`);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LetterError(`letter layout ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = layoutSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LetterError(`letter layout ${file}, key ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  if (!parsed.data.font.files.some((f) => existsSync(f))) throw new LetterError(`letter layout ${file}: none of the font files exists (${parsed.data.font.files.join(', ')}); install fonts-noto-cjk`);
  return parsed.data;
}

// The extracted font is ~17 MB: read once per process.
const fonts = new Map<string, Buffer>();
function fontBytes(layout: LetterLayout): Buffer {
  const file = layout.font.files.find((f) => existsSync(f));
  if (!file) throw new LetterError(`no font file found (${layout.font.files.join(', ')})`);
  const key = `${file}#${layout.font.index}`;
  let bytes = fonts.get(key);
  if (!bytes) fonts.set(key, (bytes = fontFromCollection(readFileSync(file), layout.font.index)));
  return bytes;
}

// A4 in points; the window of a 長3 envelope (A4 folded in three) shows about 20–110 mm across and 15–55 mm down.
const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { left: 62, right: 56, top: 48, bottom: 64 };
const RECIPIENT = { x: 62, top: 62, width: 235, size: 10.5, nameSize: 13 };
const SENDER = { right: PAGE.width - MARGIN.right, top: 62, size: 8.5, width: 220 };
const BODY = { size: 10.5, leading: 17.5 };

/** Characters that never begin a line (Japanese line breaking, 行頭禁則): they hang at the end of the line before. */
const NO_LINE_START = new Set([...'、。，．,.・：；:;！？!?）)］]｝}〕〉》」』】〙〗ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ々']);

/** Lines of text no wider than `width`: Japanese breaks between any two characters, a Latin word stays whole. */
export function wrapText(text: string, width: number, measure: (s: string) => number): string[] {
  const out: string[] = [];
  for (const paragraph of text.replace(/\t/g, '    ').split('\n')) {
    const chars = [...paragraph];
    if (chars.length === 0) {
      out.push('');
      continue;
    }
    let line = '';
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (line !== '' && measure(line + c) > width && !NO_LINE_START.has(c)) {
        // Inside a Latin word (an address, a number): break at the word's start when the line keeps some text.
        const word = /[A-Za-z0-9@._%+-]$/.test(line) && /[A-Za-z0-9@._%+-]/.test(c) ? line.match(/[A-Za-z0-9@._%+-]+$/)![0] : '';
        if (word && word.length < line.length && word.length <= 40) {
          out.push(line.slice(0, -word.length).trimEnd());
          line = word;
        } else {
          out.push(line);
          line = '';
        }
      }
      line += c;
    }
    out.push(line);
  }
  return out;
}

interface Drawn { page: PDFPage; font: PDFFont }

function drawRight(d: Drawn, text: string, right: number, y: number, size: number): void {
  d.page.drawText(text, { x: right - d.font.widthOfTextAtSize(text, size), y, size, font: d.font, color: rgb(0, 0, 0) });
}

/** The letter's PDF; `enclosures` (PDFs, e.g. the certificate an approval mail attaches) follow its pages. */
export async function renderLetter(layout: LetterLayout, letter: LetterFacts, enclosures: readonly Uint8Array[] = []): Promise<Uint8Array> {
  const r = letter.recipient;
  const recipientLines = [
    ...(r.postalCode ? [`〒${r.postalCode}`] : []),
    ...r.address.split(/\r?\n/).map((l) => l.trim()).filter(Boolean),
  ];
  const nameLine = `${r.name}　様`;
  const dateLine = japaneseDate(letter.date);
  const caseLine = `受付番号　${letter.caseNumber}`;
  const closing = '以上';
  // The body's own page footers name the case and the page: "受付番号 … （1/2）".
  const characters = [...new Set([...recipientLines, nameLine, ...layout.sender, dateLine, caseLine, letter.subject, letter.text, closing, '（）/0123456789'].join(''))].filter((c) => c !== '\n').join('');
  const subset = await subsetFont(fontBytes(layout), characters, { targetFormat: 'sfnt' });

  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle(`${letter.subject}`);
  doc.setSubject(letter.caseNumber);
  doc.setCreator('conken-intake');
  doc.setProducer('conken-intake');
  // Fixed dates: the same letter is the same file whenever it is drawn.
  const dated = new Date(`${letter.date}T00:00:00+09:00`);
  doc.setCreationDate(dated);
  doc.setModificationDate(dated);
  // Each character drawn as its own glyph, so the PDF's text reads back as the notice's text: without these
  // substitutions fontkit would draw three ― as one ligature (ccmp), "fi" as one (liga), and digits after Latin
  // letters (TEL：03-…) in Noto CJK's Latin forms (locl), glyphs the subset font has no character for.
  const font = await doc.embedFont(subset, { subset: false, features: { locl: false, ccmp: false, liga: false, clig: false, calt: false, rlig: false, dlig: false } });
  const measure = (size: number) => (s: string) => font.widthOfTextAtSize(s, size);

  const pages: PDFPage[] = [];
  const newPage = (): Drawn => {
    const page = doc.addPage([PAGE.width, PAGE.height]);
    pages.push(page);
    return { page, font };
  };
  let d = newPage();
  const top = (t: number) => PAGE.height - t;

  // Recipient (window): postal code, address, then the name a little larger.
  let y = top(RECIPIENT.top);
  for (const line of recipientLines.flatMap((l) => wrapText(l, RECIPIENT.width, measure(RECIPIENT.size)))) {
    d.page.drawText(line, { x: RECIPIENT.x, y, size: RECIPIENT.size, font, color: rgb(0, 0, 0) });
    y -= RECIPIENT.size * 1.6;
  }
  y -= RECIPIENT.size * 0.8;
  for (const line of wrapText(nameLine, RECIPIENT.width, measure(RECIPIENT.nameSize))) {
    d.page.drawText(line, { x: RECIPIENT.x, y, size: RECIPIENT.nameSize, font, color: rgb(0, 0, 0) });
    y -= RECIPIENT.nameSize * 1.5;
  }
  const recipientBottom = y;

  // Sender (top right), then the date and the case number under it.
  let sy = top(SENDER.top);
  for (const line of layout.sender.flatMap((l) => wrapText(l, SENDER.width, measure(SENDER.size)))) {
    drawRight(d, line, SENDER.right, sy, SENDER.size);
    sy -= SENDER.size * 1.55;
  }
  sy -= BODY.size;
  drawRight(d, dateLine, SENDER.right, sy, BODY.size);
  sy -= BODY.leading;
  drawRight(d, caseLine, SENDER.right, sy, BODY.size);

  // Below the top third of the page (the fold): the title, then the body.
  y = Math.min(recipientBottom, sy, top(PAGE.height / 3 - 16)) - 28;
  const titleSize = 12.5;
  for (const line of wrapText(letter.subject, PAGE.width - MARGIN.left - MARGIN.right, measure(titleSize))) {
    d.page.drawText(line, { x: (PAGE.width - font.widthOfTextAtSize(line, titleSize)) / 2, y, size: titleSize, font, color: rgb(0, 0, 0) });
    y -= titleSize * 1.7;
  }
  y -= BODY.leading * 0.6;

  const bodyWidth = PAGE.width - MARGIN.left - MARGIN.right;
  const bodyLines = [...wrapText(letter.text.replace(/\s+$/, ''), bodyWidth, measure(BODY.size)), '', closing];
  bodyLines.forEach((line, i) => {
    if (y < MARGIN.bottom + BODY.leading) {
      d = newPage();
      y = top(MARGIN.top + 24);
    }
    if (line !== '') {
      if (i === bodyLines.length - 1) drawRight(d, line, PAGE.width - MARGIN.right, y, BODY.size);
      else d.page.drawText(line, { x: MARGIN.left, y, size: BODY.size, font, color: rgb(0, 0, 0) });
    }
    y -= BODY.leading;
  });

  // Every page names the case (a page that strays is put back with its letter), and its place when there are several.
  pages.forEach((page, i) => {
    const footer = pages.length > 1 ? `${caseLine}（${i + 1}/${pages.length}）` : caseLine;
    page.drawText(footer, { x: (PAGE.width - font.widthOfTextAtSize(footer, 8.5)) / 2, y: MARGIN.bottom - 30, size: 8.5, font, color: rgb(0.3, 0.3, 0.3) });
  });

  for (const enclosure of enclosures) {
    const other = await PDFDocument.load(enclosure);
    for (const page of await doc.copyPages(other, other.getPageIndices())) doc.addPage(page);
  }
  // Without object streams the font's dictionaries stay readable in the file (and checkable by a test).
  return doc.save({ useObjectStreams: false });
}
