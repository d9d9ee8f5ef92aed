// The second reading of a scanned form. The first pass reads every cell with the fast Japanese model, so
// that the form and its labels are found. The cells that hold the applicant's values are then read again,
// each with what suits its field: the stronger Japanese model for names, addresses and dates, the Latin
// model with a character whitelist for e-mail addresses and numbers. A value is confident only when the
// two readings, made by different models, agree; when they differ the second reading is kept (it is the
// more accurate one, BENCHMARKS.md) with a confidence no higher than DISAGREEMENT_CONFIDENCE, so a person
// confirms it — unless a third reading, by the fast model at another scale, agrees with the second.
// tesseract's own confidence alone is not enough: it reads 郎 as 朗 at 87 %.
import type { Cell, DocumentModel, Paragraph } from '../document.ts';
import { fieldSources, type ApplicationBase } from '../forms/form-kind.ts';
import { isKana, nfkc } from '../../shared/japanese.ts';
import { canRead, recognise, scaledPng, type OcrMode } from './ocr-engine.ts';
import { checkboxGlyph, tidyOcrText } from './ocr-text.ts';
import { CELL_INSET, crop, paragraph } from '../readers/scan.ts';
import { readQualification } from '../forms/common-fields.ts';
import { distance } from 'fastest-levenshtein';
import sharp from 'sharp';
import type { Box, GreyImage } from './table-grid.ts';
import { misspeltKana } from './kana-spelling.ts';
import { datesByLatin } from './latin-dates.ts';
import { oneGlyphOfInk, voicingDisputes, voicingMarkInk, voicingMarkNear, withVoicingMark } from './voicing-marks.ts';

/** Two models that read a value differently: never above this (0..1), whatever each claims alone. */
export const DISAGREEMENT_CONFIDENCE = 0.5;
/**
 * Two different models that read a value alike, each at least AGREEING_MODEL_MIN sure: at least this
 * sure together. Each model's own confidence runs low on what is right (a date's line at 67–80 %, a
 * row's second line at 75 %), and their agreement is what says a value was read (issue 20: a value read
 * by both models alike is taken as read). A model below AGREEING_MODEL_MIN is near guessing, and a
 * cell the first pass took for handwriting (0) never gets here.
 */
export const AGREED_CONFIDENCE = 0.9;
const AGREEING_MODEL_MIN = 0.3;

function agreedConfidence(a: number, b: number): number {
  return a >= AGREEING_MODEL_MIN && b >= AGREEING_MODEL_MIN ? Math.max(a, b, AGREED_CONFIDENCE) : Math.max(a, b);
}

/**
 * A cell read unsurely or taken for handwriting whose black-and-white crop the fast model reads at least
 * this sure (0..1) is typed text: scan.ts takes a reading below 0.55 for handwriting, and handwriting read
 * in black and white stays below this (npm's model reads a signature's strokes at 0.6–0.9 only as a
 * few kana, which the stronger model then reads otherwise: the value stays unconfirmed).
 */
const PRINTED_CONFIDENCE = 0.75;
/** How much surer (0..1) the black-and-white crop must read than the grey one for its reading to be used. */
const MUCH_SURER = 0.2;

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
/** Fields holding a date (a period's two ends among them): typed in digits, the Latin models read it too (latin-dates.ts). */
const DATE_FIELD = /(?:^|\.)(?:[a-zA-Z]*On|[a-zA-Z]*Date|period)$/;

/** Both Latin models' reading of a date the Japanese readings differ on, or null (latin-dates.ts). */
async function dateByLatin(image: Buffer, fields: string[], reading: Reading, otherTexts: string[]): Promise<{ texts: string[]; confidence: number } | null> {
  if (!fields.some((f) => DATE_FIELD.test(f))) return null;
  const dates = await datesByLatin(image, reading.lines.map((l) => ({ text: l.text, symbols: l.symbols ?? [] })), otherTexts);
  return dates && { texts: dates.lines, confidence: agreedConfidence(dates.confidence.number, dates.confidence.numberAlt) };
}

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

export interface Reading {
  /** Each line with its own glyphs' boxes (latin-dates.ts crops a line's date by them). */
  lines: { text: string; confidence: number; symbols?: { text: string; bbox: Box }[] }[];
  /** Every glyph as the engine read it, with its box in the image read. */
  symbols: { text: string; bbox: Box }[];
}

async function read(image: Buffer, mode: OcrMode, options: { loneGlyphs?: boolean } = {}): Promise<Reading> {
  const ocr = await recognise(image, mode, options);
  return {
    lines: ocr.lines.map((l) => ({ text: checkboxGlyph(tidyOcrText(l.text)), confidence: l.confidence / 100, symbols: l.symbols ?? [] })),
    symbols: ocr.lines.flatMap((l) => l.symbols ?? []),
  };
}

/** A cell's PNG as grey pixels, to look at a glyph's ink. */
async function greyOf(image: Buffer): Promise<GreyImage> {
  const { data, info } = await sharp(image).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * The box of glyph `i` of a text among the reading's symbols: the same occurrence of a glyph alike by
 * `key` (the glyph itself, or its kana without the voicing mark).
 */
function glyphBox(reading: Reading, glyphs: string[], i: number, key: (glyph: string) => string): Box | undefined {
  const k = key(glyphs[i]!);
  const nth = glyphs.slice(0, i).filter((g) => key(g) === k).length;
  return reading.symbols.filter((g) => key(nfkc(g.text)) === k)[nth]?.bbox;
}

/** A reading's usual glyph height: the median of its glyphs' boxes (a box the engine stretched is one of few). */
function glyphHeightOf(reading: Reading): number {
  const heights = reading.symbols.map((s) => s.bbox.y1 - s.bbox.y0).sort((x, y) => x - y);
  return heights[Math.floor(heights.length / 2)] ?? 0;
}

/**
 * Two readings that differ only in voicing marks (び against ぴ, ぼ against ぽ), settled by the ink of each
 * disputed glyph (voicing-marks.ts): the text whose marks the ink shows, 'first' or 'second', or null when
 * the ink cannot tell or shows neither. Each model has its own habit here at every scale (npm's best_int
 * model reads two ticks as a ring in some fonts, Debian's fast model a ring as two ticks), so a third
 * reading would only be one of them again; the ink is another witness.
 */
async function voicingByInk(image: Buffer, first: string, second: Reading): Promise<'first' | 'second' | null> {
  const a = comparable(first);
  const b = comparable(second.lines.map((l) => l.text).join(''));
  const disputes = voicingDisputes(a, b);
  if (!disputes) return null;
  const glyphs = [...b];
  const grey = await greyOf(image);
  const glyphHeight = glyphHeightOf(second);
  const settled = [...glyphs];
  for (const i of disputes) {
    const glyph = glyphs[i]!;
    const box = glyphBox(second, glyphs, i, (g) => g);
    const mark = box ? voicingMarkNear(grey, box, glyphHeight) : null;
    const inked = mark && withVoicingMark(glyph, mark);
    if (!inked) return null;
    settled[i] = inked;
  }
  const text = settled.join('');
  return text === a ? 'first' : text === b ? 'second' : null;
}

/**
 * The second text is the first with a glyph read twice: the stronger model read one kana as two of its
 * family side by side (さーびす as さーぴびす, both models' habits on the voicing mark at once), and the
 * ink there is one glyph (oneGlyphOfInk) whose voicing mark the ink shows. 'first' when the glyphs so
 * settled make the first text; null when any added glyph is another kana, stands apart in the ink, or
 * its mark cannot be told. The fast model's text then has two witnesses: the stronger model, which read
 * the glyph among its two, and the ink.
 */
export async function doubledGlyphByInk(image: Buffer, first: string, second: Reading): Promise<'first' | null> {
  const a = [...comparable(first)];
  const bText = comparable(second.lines.map((l) => l.text).join(''));
  const b = [...bText];
  if (!glyphsAdded(first, bText)) return null;
  const symbols = second.symbols.filter((s) => comparable(s.text) !== '');
  if (symbols.length !== b.length || symbols.map((s) => comparable(s.text)).join('') !== bText) return null;
  const added = new Set<number>();
  let matched = 0;
  b.forEach((glyph, j) => { if (matched < a.length && glyph === a[matched]) matched++; else added.add(j); });
  const glyphHeight = glyphHeightOf(second);
  const settled = [...b];
  let grey: GreyImage | undefined;
  for (const j of added) {
    const k = [j - 1, j + 1].find((n) => n >= 0 && n < b.length && !added.has(n) && kanaFamily(b[n]!) === kanaFamily(b[j]!));
    if (k === undefined) return null;
    const pair = [symbols[Math.min(j, k)]!.bbox, symbols[Math.max(j, k)]!.bbox] as const;
    // The line's rows: those of the glyph of the pair whose box is nearest a glyph's height (the other's may run long).
    const line = [...pair].sort((p, q) => Math.abs(p.y1 - p.y0 - glyphHeight) - Math.abs(q.y1 - q.y0 - glyphHeight))[0]!;
    grey ??= await greyOf(image);
    const pad = Math.round(glyphHeight * 0.15);
    const ink = oneGlyphOfInk(grey, pair[0], pair[1], glyphHeight, { y0: line.y0 - pad, y1: line.y1 + pad });
    const mark = ink && voicingMarkInk(grey, ink);
    const glyph = mark && withVoicingMark(b[k]!, mark);
    if (!glyph) return null;
    settled[k] = glyph;
    settled[j] = '';
  }
  return settled.join('') === a.join('') ? 'first' : null;
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
  // Both options marked, each mark seen by both readings: the form says both (a finding for staff).
  if (a.marked.length === 2 && a.how === '両方に印' && b.how === '両方に印' && a.marked.join() === b.marked.join()) return true;
  // The other option deleted: only when every line of both readings is the chosen option's or a printed
  // note, so that no line is left that could be the other option garbled beyond recognition.
  if (a.value !== null && a.value === b.value && a.how === 'もう一方を削除' && b.how === 'もう一方を削除') {
    return onlyOptionAndNotes(first, a.value) && onlyOptionAndNotes(second, b.value);
  }
  // Otherwise only a choice made by a mark both readings saw: on a scan an option "deleted" may just be a
  // line OCR garbled (the other option then stands alone, a confident wrong choice).
  return a.value !== null && a.value === b.value && a.marked.join() === b.marked.join() && a.how.startsWith('印') && b.how.startsWith('印')
    && otherOptionPlain(first, a.value) && otherOptionPlain(second, b.value);
}

/** How the form is read from a document: the mapper, so that two readings are compared by the values they give. */
export type MapForm = (doc: DocumentModel) => ApplicationBase;

/** The application as values only: no evidence, no whitespace (OCR puts spaces where the form has none). */
function valuesKey(app: ApplicationBase): string {
  return JSON.stringify(app, (k, v: unknown) => k === 'sources' ? undefined : typeof v === 'string' ? v.replace(/[\s\u3000]/g, '') : v);
}

function invalidCount(app: ApplicationBase): number {
  let n = Object.keys(app.invalid ?? {}).length;
  for (const v of Object.values(app)) if (Array.isArray(v)) for (const row of v as { invalid?: Record<string, string> }[]) n += Object.keys(row?.invalid ?? {}).length;
  return n;
}

/**
 * Whether two readings of a cell give the form the same values: the document mapped with the cell as each
 * reading has it (synchronously, so no other cell changes in between). The raw texts of a cell differ in
 * what the form does not take from them — a bracket OCR dropped around a postal code, a hyphen read as ー
 * between its digits, spaces, the printed 年 and 月 of a period — and the values are what is decided on.
 * Only when the cell gives values (the application differs from the one with the cell empty) and none of
 * them unreadable: two readings that both lose the value agree on nothing.
 */
function sameValues(map: MapForm, doc: DocumentModel, cell: Cell, first: string[], second: string[]): boolean {
  const saved = { paragraphs: cell.paragraphs, text: cell.text };
  const withLines = (lines: string[]) => {
    cell.paragraphs = lines.map((t) => paragraph(t, cell.location, 1));
    cell.text = lines.join('\n');
    return map(doc);
  };
  try {
    const empty = withLines([]);
    const a = withLines(first);
    const b = withLines(second);
    const key = valuesKey(a);
    return key === valuesKey(b) && key !== valuesKey(empty) && invalidCount(a) === invalidCount(empty);
  } catch {
    return false;
  } finally {
    cell.paragraphs = saved.paragraphs;
    cell.text = saved.text;
  }
}

/**
 * The option not chosen reads as a bare bullet and its name: anything else in front of it (〇 read as 。,
 * a stray glyph) may be a mark OCR lost — both options were marked and one reading saw only one.
 */
function otherOptionPlain(lines: string[], chosen: string): boolean {
  const other = chosen === 'OMP' ? /コンタクトセンターアーキテクチャ|CAP/ : /オペレーションマネジメント|OMP/;
  return lines.filter((l) => other.test(l) && !/^[※*]/.test(l.trim())).every((l) => /^[・\s]*$/.test(l.slice(0, l.search(other))));
}

/** The lines of the qualification cell are the chosen option's (once) and the printed notes (※…, …申請書…), nothing else. */
function onlyOptionAndNotes(lines: string[], chosen: string): boolean {
  const option = chosen === 'OMP' ? /オペレーションマネジメントプロフェ/ : /コンタクトセンターアーキテクチャプロフェ/;
  const texts = lines.map(comparable).filter((t) => t !== '');
  return texts.filter((t) => option.test(t)).length === 1
    && texts.every((t) => option.test(t) || (/^[※*＊]|申請書/.test(t) && !/オペレーション|アーキテクチャ|OMP|CAP/.test(t)));
}

/** A line outside the tables read again, e.g. the application date: same rule as a cell. */
async function rereadLine(line: Paragraph, fields: string[], pages: Map<number, GreyImage>): Promise<void> {
  const page = line.region && pages.get(line.region.page);
  if (!page || !line.region) return;
  const image = await crop(page, line.region, -4, { eraseRules: true });
  const second = await read(image, 'text');
  if (second.lines.length === 0) return;
  let text = second.lines.map((l) => l.text).join(' ');
  const agree = comparable(line.text) === comparable(text);
  const secondConfidence = Math.min(...second.lines.map((l) => l.confidence));
  const latinDate = agree || line.confidence === 0 ? null : await dateByLatin(image, fields, second, [line.text]);
  if (latinDate) text = latinDate.texts.join(' ');
  line.confidence = agree ? agreedConfidence(line.confidence, secondConfidence)
    : latinDate ? latinDate.confidence : Math.min(DISAGREEMENT_CONFIDENCE, line.confidence, secondConfidence);
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

/**
 * An address read by the Latin model and the fast Japanese model alike but for a few glyphs: printed
 * text, not handwriting. The fast model is unsure of Latin text (@ read as の or (6, p as D, at a
 * confidence below that of handwriting), so its reading does not count as the second model's, but a
 * handwritten address would not come out of it this close to the Latin model's.
 */
function latinAgreement(first: string, latin: string): boolean {
  const a = comparable(first).toLowerCase();
  const b = comparable(latin).toLowerCase();
  return a.length > 0 && distance(a, b) <= Math.max(2, Math.floor(b.length / 4));
}

/** Two texts the same but for at most one glyph in five (and at least one glyph may differ). */
function nearlySame(a: string, b: string): boolean {
  const x = comparable(a);
  const y = comparable(b);
  return x.length > 0 && y.length > 0 && distance(x, y) <= Math.max(1, Math.floor(y.length / 5));
}

/** Scales at which the second Latin model reads an address: its legacy recogniser takes rn for m at some sizes. */
const LATIN_ALT_SCALES = [1, 1.5];

/**
 * The address read by the second Latin model (ocr-engine's latinAlt: eng's legacy recogniser, another
 * engine than the LSTM one of `latin`): the same text from both is two models agreeing.
 */
async function secondLatinModelAgrees(image: Buffer, mode: OcrMode, latinTexts: string[]): Promise<boolean> {
  if (mode !== 'latin' || !canRead('latinAlt')) return false;
  for (const scale of LATIN_ALT_SCALES) {
    const alt = await read(scale === 1 ? image : await scaledPng(image, scale), 'latinAlt');
    if (alt.lines.length === 1 && comparable(alt.lines[0]!.text) === comparable(latinTexts.join(''))) return true;
  }
  return false;
}

/** The scale of the fast model's last look at a value the stronger model read otherwise (see rereadCell). */
const BETWEEN_SCALE = 0.8;
/** The scale of the stronger model's own second look (see rereadCell). */
const FOURTH_READING_SCALE = 0.8;

const SMALL_KANA = 'ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ';
const LARGE_KANA = 'あいうえおつやゆよわかけアイウエオツヤユヨワカケ';

/** A kana without its voicing mark and at full size: び, ぴ and ひ are one family, ィ and イ another. */
function kanaFamily(glyph: string): string {
  const bare = glyph.normalize('NFD').replace(/[\u3099\u309a]/g, '').normalize('NFC');
  const small = SMALL_KANA.indexOf(bare);
  return small >= 0 ? LARGE_KANA[small]! : bare;
}

/** How many glyphs two texts share at their start, and then at their end (the part between is where they differ). */
function commonEnds(x: string[], y: string[]): { start: number; end: number } {
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let end = 0;
  while (end < x.length - start && end < y.length - start && x[x.length - 1 - end] === y[y.length - 1 - end]) end++;
  return { start, end };
}

/**
 * Whether the two texts differ where a glyph of one and a glyph of the other are one kana family (the
 * same kana with another voicing mark or size): the part between their common start and end compared.
 */
export function markOrSizeDispute(a: string, b: string): boolean {
  const x = [...comparable(a)];
  const y = [...comparable(b)];
  const { start, end } = commonEnds(x, y);
  const families = new Set(x.slice(start, x.length - end).map(kanaFamily));
  return y.slice(start, y.length - end).some((g) => families.has(kanaFamily(g)));
}

/** Kana of the ハ row with either voicing mark: the marks both models confuse (ぼ/ぽ, ビ/ピ). */
const HA_ROW_VOICED = /[ばぱびぴぶぷべぺぼぽバパビピブプベペボポ]/u;

/**
 * What the ink says of each ハ-row kana with a voicing mark in a text: 'agrees' (every one shows its
 * mark), 'contradicts' (one shows the other), 'unknown' (one cannot be told or found), or 'none' (no
 * such kana). The glyphs' boxes are those of the second reading's symbols, found by occurrence.
 */
async function inkOfVoicedGlyphs(image: Buffer, text: string, reading: Reading): Promise<'agrees' | 'contradicts' | 'unknown' | 'none'> {
  const glyphs = [...text];
  const at = glyphs.flatMap((g, i) => HA_ROW_VOICED.test(g) ? [i] : []);
  if (at.length === 0) return 'none';
  const grey = await greyOf(image);
  const glyphHeight = glyphHeightOf(reading);
  const unvoiced = (g: string) => g.normalize('NFD').replace(/[\u3099\u309a]/g, '');
  let unknown = false;
  for (const i of at) {
    const glyph = glyphs[i]!;
    const box = glyphBox(reading, glyphs, i, unvoiced);
    const mark = box ? voicingMarkNear(grey, box, glyphHeight) : null;
    if (mark === null) unknown = true;
    else if (withVoicingMark(glyph, mark) !== glyph) return 'contradicts';
  }
  return unknown ? 'unknown' : 'agrees';
}

/** Fields whose value is a name in kana (and the fee transfer's name, digits and katakana). */
const KANA_VALUE = /(?:Kana|feeTransferName)$/;

/**
 * Whether another reading of a kana value puts one of its glyphs in doubt: where the two differ, a glyph
 * of the other reading is one kana family (markOrSizeDispute) with a glyph of the value there or beside
 * it (てい against ていぃい: the small ぃ beside い).
 */
export function sizeOrMarkInDoubt(value: string, other: string): boolean {
  const x = [...comparable(value)];
  const y = [...comparable(other)];
  if (y.length === 0 || x.join('') === y.join('')) return false;
  const { start, end } = commonEnds(x, y);
  const around = x.slice(Math.max(0, start - 1), x.length - end + 1).map(kanaFamily);
  const families = new Set(around.filter((f) => /[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(f)));
  return y.slice(start, y.length - end).some((g) => families.has(kanaFamily(g)));
}

/** The scale of the third reading: the fast model reads some glyphs better smaller (化子 at full size, 花子 at 0.6). */
const THIRD_READING_SCALE = 0.6;

/**
 * When the first two readings differ, the fast model reads the cell once more at another scale; if that
 * reading agrees with the stronger model's, two different models agree and the value stands. (Cells the
 * first pass took for handwriting never get here: they stay with a person.)
 */
async function thirdReading(image: Buffer): Promise<Reading> {
  return read(await scaledPng(image, THIRD_READING_SCALE), 'block', { loneGlyphs: false });
}

/** The cell read again for the fields it holds; its paragraphs replaced by the second reading. */
async function rereadCell(cell: Cell, fields: string[], pages: Map<number, GreyImage>, values?: { map: MapForm; doc: DocumentModel }): Promise<void> {
  const page = cell.region && pages.get(cell.region.page);
  if (!page || !cell.region) return;
  let image = await crop(page, cell.region, CELL_INSET);
  let first = cell.paragraphs.map((p) => ({ text: p.text, confidence: p.confidence }));
  // A cell the first pass read unsurely or took for handwriting is read once more in black and white
  // (crop's binarise): on a noisy scan's mottled paper npm's fast model reads typed text at 0–30 %. Read
  // so at a confidence that is no handwriting's, and far surer than before, it is typed text, and every
  // reading of it is of the black-and-white crop. Not where it only reads a little surer: black and white
  // loses a fine kanji's strokes on a clean scan (和暦 read 和摩 by the stronger model).
  const unsure = Math.min(...first.map((l) => l.confidence));
  if (unsure < PRINTED_CONFIDENCE) {
    const clean = await crop(page, cell.region, CELL_INSET, { binarise: true });
    const again = await read(clean, 'block');
    if (again.lines.length > 0 && again.lines.every((l) => l.confidence >= Math.max(PRINTED_CONFIDENCE, unsure + MUCH_SURER))) {
      image = clean;
      first = again.lines.map((l) => ({ text: l.text, confidence: l.confidence }));
    }
  }
  const latin = fields.length === 1 ? LATIN_FIELDS[lastSegment(fields[0]!)] : undefined;
  let second: Reading | null = null;
  let latinRead = false;
  let secondMode: OcrMode = 'text';
  // Only a cell whose first reading is a bare number: digits-only OCR reads any other glyph as digits too
  // (a header cell 学習(受講)時間 as 1, which became a CPD row and shifted every row after it; 4 時間 as 45).
  // A cell the first pass took for handwriting (its text kept at confidence 0) agrees only text for text.
  const handwriting = first.some((l) => l.confidence === 0);
  const numeric = fields.length === 1 && NUMERIC_FIELD.test(fields[0]!) && SMALL_NUMBER.test(comparable(first.map((l) => l.text).join('')));
  if (latin) {
    const attempt = await read(image, latin.mode);
    if (attempt.lines.length === 1 && latin.format.test(comparable(attempt.lines[0]!.text))) {
      second = attempt;
      latinRead = true;
      secondMode = latin.mode;
    }
  } else if (numeric) {
    const attempt = await read(image, 'number');
    if (attempt.lines.length === 1 && SMALL_NUMBER.test(comparable(attempt.lines[0]!.text))) {
      second = attempt;
      secondMode = 'number';
    }
  } else if (fields.length === 1 && /Kana$/.test(fields[0]!)) {
    const script = scriptOf(first.map((l) => l.text).join(''));
    if (script) {
      const attempt = await read(image, script);
      if (attempt.lines.length > 0 && attempt.lines.every((l) => isKana(l.text))) {
        second = attempt;
        secondMode = script;
      }
    }
  }
  second ??= await read(image, 'text');
  if (second.lines.length === 0) return;
  // The qualification cell holds printed notes as well: the two readings agree when they choose the same.
  // A number agrees by its value: the unit printed beside it (時間, 年) is not read by the digits-only model.
  // Any other cell agrees when its texts are the same or give the form the same values (sameValues).
  const same = (a: string[], b: string[]) => fields.includes('qualification') ? sameChoice(cell, a, b)
    : (numeric && numberIn(a.join('')) !== null && numberIn(a.join('')) === numberIn(b.join('')))
      || comparable(a.join('')) === comparable(b.join(''))
      || (values !== undefined && !handwriting && sameValues(values.map, values.doc, cell, a, b));
  const secondTexts = second.lines.map((l) => l.text);
  // A reading is as sure as its least sure line; two models agreeing are as sure as the surer of them.
  const firstConfidence = Math.min(...first.map((l) => l.confidence));
  const secondConfidence = Math.min(...second.lines.map((l) => l.confidence));
  const firstTexts = first.map((l) => l.text);
  let confidence: number;
  let noiseAdded = false;
  let outvoted = false;
  let rescaled = false;
  let altConfirmed = false;
  let inked: 'first' | 'second' | null = null;
  let latinDate: { texts: string[]; confidence: number } | null = null;
  const agree = same(firstTexts, secondTexts);
  if (agree) confidence = agreedConfidence(firstConfidence, secondConfidence);
  else if (!handwriting && fields.length === 1 && (latinDate = await dateByLatin(image, fields, second, firstTexts)) !== null) confidence = latinDate.confidence;
  else if (latin && latinRead && latinAgreement(firstTexts.join(''), secondTexts.join('')) && await secondLatinModelAgrees(image, latin.mode, secondTexts)) {
    confidence = agreedConfidence(secondConfidence, secondConfidence);
  } else if (!handwriting && (inked = await voicingByInk(image, firstTexts.join(''), second) ?? await doubledGlyphByInk(image, firstTexts.join(''), second)) !== null) {
    confidence = agreedConfidence(firstConfidence, secondConfidence);
  } else {
    // A first reading at 0 (taken for handwriting) that is the second's text but for a glyph or two is
    // printed text the fast model was unsure of: the third reading may settle it as for any cell.
    const printed = firstConfidence > 0 || nearlySame(firstTexts.join(''), secondTexts.join(''));
    const third = printed ? await thirdReading(image) : null;
    const thirdTexts = third?.lines.map((l) => l.text) ?? [];
    // The fast model once more at a scale between: it loses a bar or a glyph at one scale and not at another
    // (こみゅにけーしょんず read without its ー at full size and at 0.6, with it at 0.8). Not where the texts
    // differ by a voicing mark or a kana's size, which the models misread alike at some scale.
    const between = !third || thirdTexts.length === 0 || same(thirdTexts, secondTexts) || fields.includes('qualification')
      || markOrSizeDispute(firstTexts.join(''), secondTexts.join(''))
      ? null : await read(await scaledPng(image, BETWEEN_SCALE), 'block', { loneGlyphs: false });
    if (third && thirdTexts.length > 0 && same(thirdTexts, secondTexts)) confidence = agreedConfidence(Math.min(...third.lines.map((l) => l.confidence)), secondConfidence);
    else if (between && between.lines.length > 0 && same(between.lines.map((l) => l.text), secondTexts)) {
      confidence = agreedConfidence(Math.min(...between.lines.map((l) => l.confidence)), secondConfidence);
    } else {
      confidence = Math.min(DISAGREEMENT_CONFIDENCE, firstConfidence, secondConfidence);
      const firstTwice = thirdTexts.length > 0 && same(thirdTexts, firstTexts);
      noiseAdded = firstTwice && glyphsAdded(firstTexts.join(''), secondTexts.join(''));
      // The fast model read it alike at two scales; the stronger model, read once more at another scale,
      // reads that text too: two models agree, and the stronger one's first text was its own slip (a glyph
      // read twice, オ as オォオ). Not where the texts differ by a glyph's voicing mark or size (ぼ/ぽ,
      // イ/ィ): both models read those wrong at some scale, alike.
      if (firstTwice && !fields.includes('qualification') && !markOrSizeDispute(firstTexts.join(''), secondTexts.join(''))) {
        const fourth = await read(await scaledPng(image, FOURTH_READING_SCALE), secondMode, { loneGlyphs: false });
        if (fourth.lines.length > 0 && same(fourth.lines.map((l) => l.text), firstTexts)) {
          rescaled = true;
          confidence = agreedConfidence(Math.min(...third!.lines.map((l) => l.confidence)), Math.min(...fourth.lines.map((l) => l.confidence)));
        }
      }
      // The fast model read it alike at two scales, the stronger model otherwise: where a third Japanese
      // model exists (beside Debian's), it says which text to keep. The stronger model has habits of its
      // own on a font (び read as ぴ, the dakuten's two ticks taken for a ring, at every scale and with
      // or without a whitelist); the value stays unconfirmed, two models having disagreed.
      // Where the stronger model only added glyphs (no bar among them) to the fast model's text, and the
      // third model reads the fast model's text too, two models read it alike (three readings against one:
      // the stronger model's slip on specks or on a glyph it read twice, さーびす → さーぴびす) and the
      // value is taken as read. Not where the texts differ by a voicing mark or a kana's size.
      // Without a third LSTM model (the npm-only configuration) the witness is the legacy recogniser of
      // npm's jpn 4.0.0 file, another engine: it reads kanji and katakana well and small kana as large,
      // so it is asked only where no glyph's size or voicing is in doubt.
      const witness = canRead('alt') ? 'alt' : canRead('legacy') && noiseAdded ? 'legacy' : null;
      if (firstTwice && !rescaled && !fields.includes('qualification') && witness) {
        const alt = await read(image, witness, { loneGlyphs: false });
        outvoted = alt.lines.length > 0 && same(alt.lines.map((l) => l.text), firstTexts);
        if (outvoted && noiseAdded && !sizeOrMarkInDoubt(firstTexts.join(''), secondTexts.join(''))) {
          confidence = agreedConfidence(Math.min(...third!.lines.map((l) => l.confidence)), Math.min(...alt.lines.map((l) => l.confidence)));
          altConfirmed = true;
        }
      }
      // The stronger model's text read alike by the legacy recogniser, another engine altogether (not an
      // LSTM network): two models agree, and the fast model's text was its own slip on a glyph (基礎 read
      // 基磐). Not where the texts differ by a voicing mark or a kana's size (the legacy
      // recogniser reads small kana as large), nor where the fast model's text stands confirmed.
      if (!outvoted && !noiseAdded && !rescaled && printed && !fields.includes('qualification') && canRead('legacy')
        && !markOrSizeDispute(firstTexts.join(''), secondTexts.join(''))) {
        const legacy = await read(image, 'legacy', { loneGlyphs: false });
        if (legacy.lines.length > 0 && same(legacy.lines.map((l) => l.text), secondTexts)) {
          confidence = agreedConfidence(Math.min(...legacy.lines.map((l) => l.confidence)), secondConfidence);
        }
      }
    }
  }
  // The stronger model's text is kept, except a choice it cannot make where the first reading made one,
  // a number both read alike (the first reading keeps its unit), and glyphs it added to a text the fast
  // model read alike at two scales (glyphsAdded). Not otherwise the text a third reading sides with: that
  // is the fast model agreeing with itself (it kept 山田一朗 over 山田一郎, a glyph read differently).
  const keepFirst = (fields.includes('qualification') && choice(cell, secondTexts).marked.length === 0 && choiceIn(cell, firstTexts) !== null)
    || (numeric && agree) || noiseAdded || outvoted || rescaled || inked === 'first';
  const kept = latinDate ? latinDate.texts.map((text) => ({ text })) : keepFirst ? first : second.lines;
  // Voicing marks on the ハ row (ば/ぱ …) taken as read only as the ink shows them: two models read ポ
  // as ボ alike (サポート → サボート, below 85 % each). Where the ink shows the other mark the value is not
  // taken as read; where it cannot tell, the value has the models' own confidence, not the agreement's.
  if (confidence > DISAGREEMENT_CONFIDENCE && inked === null && !latinRead && !latinDate && !numeric && !fields.includes('qualification')) {
    const keptText = comparable(kept.map((l) => l.text).join(''));
    const ink = await inkOfVoicedGlyphs(image, keptText, second);
    if (ink === 'contradicts') confidence = Math.min(confidence, DISAGREEMENT_CONFIDENCE);
    // Ink that cannot tell, and neither model sure by itself: a person sees the value. (The legacy
    // recogniser as a further witness was tried: it read the same wrong mark on mail 25's scan.)
    else if (ink === 'unknown' && Math.max(firstConfidence, secondConfidence) < AGREED_CONFIDENCE) confidence = Math.min(confidence, DISAGREEMENT_CONFIDENCE);
  }
  // A kana name taken as read is looked at once more by each model at another scale: where either then
  // reads a glyph of it at the other size or with the other voicing mark (てぃ read てい by both models at
  // full size, てぃ or ていぃい at 0.8 or 0.6), the glyph's size or mark is in doubt and a person sees it.
  // Not when the ink settled the marks (the stronger model's own habit would only come back).
  if (confidence > DISAGREEMENT_CONFIDENCE && inked === null && KANA_VALUE.test(fields.join()) && fields.length === 1) {
    const keptText = kept.map((l) => l.text).join('');
    const probes = await Promise.all([
      read(await scaledPng(image, FOURTH_READING_SCALE), secondMode, { loneGlyphs: false }),
      read(await scaledPng(image, THIRD_READING_SCALE), 'block', { loneGlyphs: false }),
    ]);
    if (probes.some((p) => sizeOrMarkInDoubt(keptText, p.lines.map((l) => l.text).join('')))) confidence = Math.min(confidence, DISAGREEMENT_CONFIDENCE);
  }
  // The confidence vouches for the text the agreeing readings read: the other text kept is not taken as read.
  const vouched = agree || latinDate ? (keepFirst ? 'first' : 'second') : rescaled || altConfirmed || inked === 'first' ? 'first' : 'second';
  if ((keepFirst ? 'first' : 'second') !== vouched) confidence = Math.min(confidence, DISAGREEMENT_CONFIDENCE);
  // A reading that spells no Japanese (a small kana where none can stand) is not taken as read, even when
  // both models read it so: they double or shrink a small kana alike.
  if (!latinRead && !numeric && !fields.includes('qualification') && misspeltKana(kept.map((l) => l.text).join(''))) confidence = Math.min(confidence, DISAGREEMENT_CONFIDENCE);
  cell.paragraphs = kept.map((l) => paragraph(l.text, cell.location, confidence));
  cell.text = cell.paragraphs.map((p) => p.text).join('\n');
}

/**
 * Reads again the cells the application's values came from, in place. A cell the first pass took for
 * handwriting (confidence 0) is taken as read only where its black-and-white crop reads as typed text
 * (PRINTED_CONFIDENCE) and the models then agree as for any cell, or where both models read the very same
 * text; otherwise it goes to a person.
 */
export async function rereadValueCells(doc: DocumentModel, app: ApplicationBase, pages: Map<number, GreyImage>, map?: MapForm): Promise<void> {
  const readables = readablesByLocation(doc);
  const fieldsByCell = new Map<Cell, string[]>();
  const lines = new Map<Paragraph, string[]>();
  const signatures = new Set<Cell>();
  for (const [field, source] of fieldSources(app)) {
    if (SIGNED.test(field)) {
      const found = readables.get(source.location);
      if (found && !('kind' in found) && found.images === 0 && found.paragraphs.length > 0) signatures.add(found);
    }
    if (NOT_TEXT.test(field)) continue;
    const found = readables.get(source.location);
    if (!found) continue;
    if ('kind' in found) lines.set(found, [...(lines.get(found) ?? []), field]);
    else if (found.paragraphs.length > 0) fieldsByCell.set(found, [...(fieldsByCell.get(found) ?? []), field]);
  }
  await Promise.all([
    ...[...signatures].map((cell) => signatureInk(cell, pages)),
    ...[...fieldsByCell].map(([cell, fields]) => rereadCell(cell, fields, pages, map && { map, doc })),
    ...[...lines].map(([line, fields]) => rereadLine(line, fields, pages)),
  ]);
}
