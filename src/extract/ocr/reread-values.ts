// The second reading of a scanned form. The first pass reads every cell with the fast Japanese model, so
// that the form and its labels are found. The cells that hold the applicant's values are then read again,
// each with what suits its field: the stronger Japanese model for names, addresses and dates, the Latin
// model with a character whitelist for e-mail addresses and numbers. A value is confident only when the
// two readings, made by different models, agree; when they differ the second reading is kept (it is the
// more accurate one, BENCHMARKS.md) with a confidence no higher than DISAGREEMENT_CONFIDENCE, so a person
// confirms it — unless a third reading, by the fast model at another scale, agrees with the second.
// tesseract's own confidence alone is not enough: it reads 郎 as 朗 at 87 %.
import type { Cell, DocumentModel, Paragraph } from '../document.ts';
import type { GreyImage } from './table-grid.ts';
import { fieldSources, type ApplicationBase } from '../forms/form-kind.ts';
import { isKana, nfkc } from '../../shared/japanese.ts';
import { canRead, recognise, scaledPng, type OcrMode } from './ocr-engine.ts';
import { checkboxGlyph, tidyOcrText } from './ocr-text.ts';
import { CELL_INSET, crop, paragraph } from '../readers/scan.ts';
import { readQualification } from '../forms/common-fields.ts';

/** Two models that read a value differently: never above this (0..1), whatever each claims alone. */
export const DISAGREEMENT_CONFIDENCE = 0.5;

/** Fields whose value is a mark or ink (signatures, checkboxes), not text to read again. */
const NOT_TEXT = /(?:^|\.)(?:[a-zA-Z]*Signed|signed|[a-zA-Z]*Agreed|signature|[a-zA-Z]*Signature)$/;
/** How a field's text must look when read by the Latin model, or it is read by the Japanese one instead. */
const LATIN_FIELDS: Record<string, { mode: OcrMode; format: RegExp }> = {
  email: { mode: 'latin', format: /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/ },
  phone: { mode: 'number', format: /^\(?0\d{1,4}\)?-?\d{1,4}-?\d{3,4}$/ },
  mobile: { mode: 'number', format: /^\(?0\d{1,4}\)?-?\d{1,4}-?\d{3,4}$/ },
  passerNumber: { mode: 'number', format: /^\d{6,12}$/ },
};

/**
 * Fields holding a small number (a field number 1–7, hours, points, years, stated totals): read again by
 * the Latin model with digits only. The Japanese model, given a single digit alone in a wide cell, reads
 * 4 as ー or 加, which then disagrees with a right first reading and loses the value.
 */
const NUMERIC_FIELD = /(?:^|\.)(?:hours|points|years|field|statedTotalYears|statedRequiredFieldYears)$|^cpdStatedTotals\./;
const SMALL_NUMBER = /^\d{1,3}(?:\.\d{1,2})?$/;

/** The first number in a reading (units such as 時間 and 年 around it do not matter). */
function numberIn(text: string): string | null {
  return /\d+(?:\.\d+)?/.exec(comparable(text))?.[0] ?? null;
}

/** The kana script most of a reading is in, or null when it is not kana. */
function scriptOf(text: string): 'hiragana' | 'katakana' | null {
  const hira = (text.match(/\p{Script=Hiragana}/gu) ?? []).length;
  const kata = (text.match(/\p{Script=Katakana}/gu) ?? []).length;
  if (hira + kata < Math.max(1, comparable(text).length * 0.6)) return null;
  return hira >= kata ? 'hiragana' : 'katakana';
}

function lastSegment(field: string): string {
  return field.slice(field.lastIndexOf('.') + 1);
}

function comparable(text: string): string {
  return nfkc(text).replace(/\s+/g, '');
}

/** Where each value may have come from: table cells, and lines outside the tables (申請年月日 …). */
export function readablesByLocation(doc: DocumentModel): Map<string, Cell | Paragraph> {
  const out = new Map<string, Cell | Paragraph>();
  for (const block of doc.blocks) {
    if (block.kind === 'table') for (const row of block.rows) for (const cell of row) out.set(cell.location, cell);
    else out.set(block.location, block);
  }
  return out;
}

interface Reading {
  lines: { text: string; confidence: number }[];
}

async function read(image: Buffer, mode: OcrMode, options: { loneGlyphs?: boolean } = {}): Promise<Reading> {
  const ocr = await recognise(image, mode, options);
  return { lines: ocr.lines.map((l) => ({ text: checkboxGlyph(tidyOcrText(l.text)), confidence: l.confidence / 100 })) };
}

function choice(cell: Cell, lines: string[]) {
  return readQualification('', { ...cell, paragraphs: lines.map((t) => paragraph(t, cell.location, 1)), text: lines.join('\n') });
}

function choiceIn(cell: Cell, lines: string[]): string | null {
  return choice(cell, lines).value;
}

function sameChoice(cell: Cell, first: string[], second: string[]): boolean {
  const a = choice(cell, first);
  const b = choice(cell, second);
  // Only a choice made by a mark both readings saw: on a scan an option "deleted" may just be a line OCR
  // garbled (the other option then stands alone, a confident wrong choice).
  return a.value !== null && a.value === b.value && a.marked.join() === b.marked.join() && a.how.startsWith('印') && b.how.startsWith('印')
    && otherOptionPlain(first, a.value) && otherOptionPlain(second, b.value);
}

/**
 * The option not chosen reads as a bare bullet and its name: anything else in front of it (〇 read as 。,
 * a stray glyph) may be a mark OCR lost — both options were marked and one reading saw only one.
 */
function otherOptionPlain(lines: string[], chosen: string): boolean {
  const other = chosen === 'OMP' ? /コンタクトセンターアーキテクチャ|CAP/ : /オペレーションマネジメント|OMP/;
  return lines.filter((l) => other.test(l) && !/^[※*]/.test(l.trim())).every((l) => /^[・\s]*$/.test(l.slice(0, l.search(other))));
}

/** A line outside the tables read again, e.g. the application date: same rule as a cell. */
async function rereadLine(line: Paragraph, pages: Map<number, GreyImage>): Promise<void> {
  const page = line.region && pages.get(line.region.page);
  if (!page || !line.region) return;
  const image = await crop(page, line.region, -4, { eraseRules: true });
  const second = await read(image, 'text');
  if (second.lines.length === 0) return;
  const text = second.lines.map((l) => l.text).join(' ');
  const agree = comparable(line.text) === comparable(text);
  const secondConfidence = Math.min(...second.lines.map((l) => l.confidence));
  line.confidence = agree ? Math.max(line.confidence, secondConfidence) : Math.min(DISAGREEMENT_CONFIDENCE, line.confidence, secondConfidence);
  line.text = text;
  line.runs = [{ ...line.runs[0]!, text }];
}

/** The evidence fields of signatures (applicantSigned, certifier.signed): the cell holding the signature. */
const SIGNED = /(?:^|\.)(?:[a-zA-Z]*Signed|signed)$/;

/**
 * A signature cell the first reading took for typed text, read again by the other model. Typed text is
 * printed glyphs, read alike by both; the strokes of a handwritten or pasted signature are read as
 * different strings of kana by each (npm's jpn 4.0.0 model reads them at 60–90 %, ーへヘへ). Read
 * differently, the cell is ink: a signature, as the first reading with Debian's model finds it.
 */
async function signatureInk(cell: Cell, pages: Map<number, GreyImage>): Promise<void> {
  const page = cell.region && pages.get(cell.region.page);
  if (!page || !cell.region) return;
  const second = await read(await crop(page, cell.region, CELL_INSET), 'text');
  if (comparable(second.lines.map((l) => l.text).join('')) === comparable(cell.paragraphs.map((p) => p.text).join(''))) return;
  const unread = paragraph(cell.text || '（判読不能）', cell.location, 0);
  cell.paragraphs = [unread];
  cell.images = 1;
}

/** A glyph that is one thin bar: noise does not make one, but it fades on a noisy scan and the fast model loses it. */
const BAR = /[ー一\-‐－―_]/;

/**
 * The second text is the first with glyphs added and none changed (the first a subsequence of it). On a
 * noisy scan the stronger model reads specks beside a glyph as another glyph (さーびす → さーびぴす,
 * デンワ → プデンワ, レポート → レポボート, 2 → 24); when the fast model reads the shorter text at two
 * scales, that text is kept (still unconfirmed: the models disagree). Not when a bar is among the added
 * glyphs: that is more likely one the fast model lost (こみゅにけーしょんず read without its ー).
 */
export function glyphsAdded(first: string, second: string): boolean {
  const a = [...comparable(first)];
  const b = [...comparable(second)];
  if (a.length === 0 || a.length >= b.length) return false;
  let i = 0;
  for (const c of b) {
    if (i < a.length && c === a[i]) i++;
    else if (BAR.test(c)) return false;
  }
  return i === a.length;
}

/** The scale of the third reading: the fast model reads some glyphs better smaller (化子 at full size, 花子 at 0.6). */
const THIRD_READING_SCALE = 0.6;

/**
 * When the first two readings differ, the fast model reads the cell once more at another scale; if that
 * reading agrees with the stronger model's, two different models agree and the value stands. (Cells the
 * first pass took for handwriting never get here: they stay with a person.)
 */
async function thirdReading(image: Buffer): Promise<string[]> {
  return (await read(await scaledPng(image, THIRD_READING_SCALE), 'block', { loneGlyphs: false })).lines.map((l) => l.text);
}

/** The cell read again for the fields it holds; its paragraphs replaced by the second reading. */
async function rereadCell(cell: Cell, fields: string[], pages: Map<number, GreyImage>): Promise<void> {
  const page = cell.region && pages.get(cell.region.page);
  if (!page || !cell.region) return;
  const image = await crop(page, cell.region, CELL_INSET);
  const first = cell.paragraphs.map((p) => ({ text: p.text, confidence: p.confidence }));
  const latin = fields.length === 1 ? LATIN_FIELDS[lastSegment(fields[0]!)] : undefined;
  let second: Reading | null = null;
  // Only a cell whose first reading is a bare number: digits-only OCR reads any other glyph as digits too
  // (a header cell 学習(受講)時間 as 1, which became a CPD row and shifted every row after it; 4 時間 as 45).
  const numeric = fields.length === 1 && NUMERIC_FIELD.test(fields[0]!) && SMALL_NUMBER.test(comparable(first.map((l) => l.text).join('')));
  if (latin) {
    const attempt = await read(image, latin.mode);
    if (attempt.lines.length === 1 && latin.format.test(comparable(attempt.lines[0]!.text))) second = attempt;
  } else if (numeric) {
    const attempt = await read(image, 'number');
    if (attempt.lines.length === 1 && SMALL_NUMBER.test(comparable(attempt.lines[0]!.text))) second = attempt;
  } else if (fields.length === 1 && /Kana$/.test(fields[0]!)) {
    const script = scriptOf(first.map((l) => l.text).join(''));
    if (script) {
      const attempt = await read(image, script);
      if (attempt.lines.length > 0 && attempt.lines.every((l) => isKana(l.text))) second = attempt;
    }
  }
  second ??= await read(image, 'text');
  if (second.lines.length === 0) return;
  // The qualification cell holds printed notes as well: the two readings agree when they choose the same.
  // A number agrees by its value: the unit printed beside it (時間, 年) is not read by the digits-only model.
  const same = (a: string[], b: string[]) => fields.includes('qualification') ? sameChoice(cell, a, b)
    : numeric ? numberIn(a.join('')) !== null && numberIn(a.join('')) === numberIn(b.join(''))
    : comparable(a.join('')) === comparable(b.join(''));
  const secondTexts = second.lines.map((l) => l.text);
  // A reading is as sure as its least sure line; two models agreeing are as sure as the surer of them.
  const firstConfidence = Math.min(...first.map((l) => l.confidence));
  const secondConfidence = Math.min(...second.lines.map((l) => l.confidence));
  const firstTexts = first.map((l) => l.text);
  let confidence: number;
  let noiseAdded = false;
  let outvoted = false;
  const agree = same(firstTexts, secondTexts);
  if (agree) confidence = Math.max(firstConfidence, secondConfidence);
  else {
    const third = firstConfidence > 0 ? await thirdReading(image) : [];
    if (third.length > 0 && same(third, secondTexts)) confidence = secondConfidence;
    else {
      confidence = Math.min(DISAGREEMENT_CONFIDENCE, firstConfidence, secondConfidence);
      const firstTwice = third.length > 0 && same(third, firstTexts);
      noiseAdded = firstTwice && glyphsAdded(firstTexts.join(''), secondTexts.join(''));
      // The fast model read it alike at two scales, the stronger model otherwise: where a third Japanese
      // model exists (beside Debian's), it says which text to keep. The stronger model has habits of its
      // own on a font (び read as ぴ, the dakuten's two ticks taken for a ring, at every scale and with
      // or without a whitelist); the value stays unconfirmed, two models having disagreed.
      if (firstTwice && !noiseAdded && !fields.includes('qualification') && canRead('alt')) {
        const alt = await read(image, 'alt', { loneGlyphs: false });
        outvoted = alt.lines.length > 0 && same(alt.lines.map((l) => l.text), firstTexts);
      }
    }
  }
  // The stronger model's text is kept, except a choice it cannot make where the first reading made one,
  // a number both read alike (the first reading keeps its unit), and glyphs it added to a text the fast
  // model read alike at two scales (glyphsAdded). Not otherwise the text a third reading sides with: that
  // is the fast model agreeing with itself (it kept 山田一朗 over 山田一郎, a glyph read differently).
  const keepFirst = (fields.includes('qualification') && choiceIn(cell, secondTexts) === null && choiceIn(cell, firstTexts) !== null)
    || (numeric && agree) || noiseAdded || outvoted;
  cell.paragraphs = (keepFirst ? first : second.lines).map((l) => paragraph(l.text, cell.location, confidence));
  cell.text = cell.paragraphs.map((p) => p.text).join('\n');
}

/**
 * Reads again the cells the application's values came from, in place. A cell the first pass took for
 * handwriting (confidence 0) gets the second reading's text but stays at confidence 0: it goes to a
 * person whatever a second reading says.
 */
export async function rereadValueCells(doc: DocumentModel, app: ApplicationBase, pages: Map<number, GreyImage>): Promise<void> {
  const readables = readablesByLocation(doc);
  const fieldsByCell = new Map<Cell, string[]>();
  const lines = new Set<Paragraph>();
  const signatures = new Set<Cell>();
  for (const [field, source] of fieldSources(app)) {
    if (SIGNED.test(field)) {
      const found = readables.get(source.location);
      if (found && !('kind' in found) && found.images === 0 && found.paragraphs.length > 0) signatures.add(found);
    }
    if (NOT_TEXT.test(field)) continue;
    const found = readables.get(source.location);
    if (!found) continue;
    if ('kind' in found) lines.add(found);
    else if (found.paragraphs.length > 0) fieldsByCell.set(found, [...(fieldsByCell.get(found) ?? []), field]);
  }
  await Promise.all([
    ...[...signatures].map((cell) => signatureInk(cell, pages)),
    ...[...fieldsByCell].map(([cell, fields]) => rereadCell(cell, fields, pages)),
    ...[...lines].map((line) => rereadLine(line, pages)),
  ]);
}
