// Parts that both application forms share: the qualification choice, the address cell with its
// （〒　－　） prefix, and the agreement checkbox. Each returns the value with the evidence it came from.
import { tables, type Cell, type DocumentModel, type Provenance, type Table } from '../document.ts';
import { CHOICE_MARKS, EMPTY_MARKS, leadingMark, parseDate, parsePostalCode } from '../values.ts';
import { cleanValue, nfkc } from '../../shared/japanese.ts';
import { key, paragraphStarting, provenance, textAfterLabel } from './form-helpers.ts';

export type Qualification = 'OMP' | 'CAP';

export interface QualificationReading {
  /** The single chosen qualification, or null for none or several. */
  value: Qualification | null;
  /** Every qualification the form shows as chosen. */
  marked: Qualification[];
  /** How the choice was read, for the reviewer. */
  how: string;
  source: Provenance;
}

function qualificationOfLine(text: string): Qualification | null {
  const t = key(text).toUpperCase();
  const omp = t.includes('OMP') || t.includes('オペレーションマネジメント');
  const cap = t.includes('CAP') || t.includes('アーキテクチャ');
  if (omp === cap) return null;
  return omp ? 'OMP' : 'CAP';
}

/**
 * A printed option line with one glyph between its bullet and the option's printed name that is none of
 * the marks CHOICE_MARKS lists: on a scan a filled mark (■ ●) is read as a kanji (画, 男, 圖 …) or a
 * symbol, never as nothing. A kana or Latin letter there is more likely the name's own first glyph
 * misread, and a bullet or an empty box (□, or 口 as OCR reads it) says "not chosen".
 */
function strayMark(text: string): string | null {
  const t = key(text);
  const at = t.search(/オペレーションマネジメント|コンタクトセンターアーキテクチャ/);
  if (at < 0) return null;
  const before = [...t.slice(0, at).replace(/^[·・•\uf0a7\uf0b7\uf076\uf0d8]+/, '')];
  if (before.length !== 1) return null;
  const glyph = before[0]!;
  // An empty box is read as 口 or 囗 as often as □.
  return /^[\p{Script=Han}\p{So}]$/u.test(glyph) && !EMPTY_MARKS.includes(glyph) && !'口囗'.includes(glyph) ? glyph : null;
}

/**
 * The qualification cell lists both options as bullets. People delete the unused one, mark the chosen
 * one (○ ● ■ ☑ ✓ …, bold, highlight, underline), strike the unused one, or type the name; leaving both
 * untouched means none was chosen.
 */
export function readQualification(file: string, cell: Cell): QualificationReading {
  const lines: { q: Qualification; marked: boolean; struck: boolean; mark: string | null }[] = [];
  const typed = new Set<Qualification>();
  for (const p of cell.paragraphs) {
    const text = p.text.trim();
    if (!text || /^[※*]/.test(key(text))) continue;
    const q = qualificationOfLine(text);
    if (!q) continue;
    const isPrintedLine = /オペレーションマネジメントプロフェ|コンタクトセンターアーキテクチャプロフェ/.test(key(text));
    if (!isPrintedLine) {
      typed.add(q); // e.g. a line the applicant typed: 「OMPを申請」
      continue;
    }
    const meaningful = p.runs.filter((r) => r.text.trim() !== '');
    const mark = leadingMark(text) ?? strayMark(text);
    const styled = meaningful.length > 0 && meaningful.some((r) => r.bold || r.highlight !== null || r.underline);
    const struck = meaningful.length > 0 && meaningful.every((r) => r.strike);
    lines.push({ q, marked: (mark !== null || styled) && !struck, struck, mark });
  }
  const source = provenance(file, cell);
  const result = (marked: Qualification[], how: string): QualificationReading => ({
    value: marked.length === 1 ? marked[0]! : null, marked, how, source,
  });
  const marked = [...new Set(lines.filter((l) => l.marked).map((l) => l.q))];
  if (marked.length > 0) return result(marked, marked.length > 1 ? '両方に印' : `印 ${lines.find((l) => l.marked)?.mark ?? '（書式）'}`);
  const standing = [...new Set(lines.filter((l) => !l.struck).map((l) => l.q))];
  if (lines.some((l) => l.struck) && standing.length === 1) return result(standing, 'もう一方を取り消し線で削除');
  if (typed.size > 0) return result([...typed], '記入');
  if (standing.length === 1) return result(standing, 'もう一方を削除');
  return result([], standing.length === 0 ? '記載なし' : '選択なし（両方のまま）');
}

export interface AddressReading {
  postalCode: string | null;
  postalInvalid?: string;
  postalText: string;
  address: string | null;
  addressText: string;
}

/** The address cell: '（〒100－0005）東京都…' as typed into the form's '（〒\t－\t）' prefix, or '〒100-0005 …'. */
export function readAddress(cell: Cell): AddressReading {
  const original = cell.text;
  const t = nfkc(original);
  let postalText = '';
  let rest = t;
  const paren = t.match(/^\s*\(\s*(〒?[\d\s\t\-ー‐−―一]*)\)/);
  const mark = t.match(/〒\s*([\d\s\-ー‐−―]{7,12})/);
  const bare = t.match(/^\s*(\d{3}\s*[-ー‐−―]?\s*\d{4})(?!\d)/);
  if (paren) {
    postalText = paren[1]!;
    rest = t.slice(paren[0].length);
  } else if (mark) {
    postalText = mark[1]!;
    // The bracket typed around it goes too, also when OCR lost its other half ((〒980-0811 read without ')').
    rest = t.replace(new RegExp(`[(]?\\s*${mark[0].replace(/[-\\]/g, '\\$&')}\\s*[)]?`), ' ');
  } else if (bare) {
    postalText = bare[1]!;
    rest = t.slice(bare[0].length);
  }
  const postal = parsePostalCode(postalText);
  const address = cleanValue(rest.replace(/^[\s、,:：]+/, ''));
  return {
    postalCode: postal.ok ? postal.value : null,
    ...(!postal.ok && !postal.empty ? { postalInvalid: postal.reason } : {}),
    postalText: postalText.trim(),
    address: address === '' ? null : address,
    addressText: original,
  };
}

/**
 * The one-row table of an agreement sentence and its checkbox, found by the sentence's last words
 * (同意します, 宣誓します) or, where a scan misread those (同意しまず), by its printed start, which OCR reads
 * surely: 上記の倫理綱領…, after the box's glyph.
 */
export function agreementTable(doc: DocumentModel, lastWords: string): Table | undefined {
  const sentence = new RegExp(`${lastWords}|^[☒☐]?上記の倫理綱領`);
  return tables(doc).find((t) => t.rows.length === 1 && sentence.test(key(t.rows[0]?.[0]?.text ?? '')));
}

/**
 * The agreement (倫理綱領…同意します / 宣誓します) checkbox: the Word content control when present,
 * otherwise a mark typed in its place (☑ ■ ✓ …). A typed ☐ or □ is unchecked.
 */
export function readAgreement(file: string, table: Table, sentenceStart = '上記'): { value: boolean; how: string; source: Provenance } {
  const cell = table.rows[0]?.[0];
  if (!cell) return { value: false, how: '欄が見つかりません', source: { file, location: table.location, text: '', confidence: 1 } };
  const runs = cell.paragraphs.flatMap((p) => p.runs);
  const box = runs.find((r) => r.checkbox !== undefined);
  const before = nfkc(cell.text).split(sentenceStart)[0] ?? '';
  const typed = [...before].find((ch) => CHOICE_MARKS.includes(ch) && ch !== '☐');
  // The mark is in front of the sentence: how sure it is comes from the lines up to the sentence's start
  // (on a scan the box's line is judged by its ink), not from how OCR read the rest of the sentence.
  const upTo = cell.paragraphs.findIndex((p) => nfkc(p.text).includes(sentenceStart));
  const markLines = upTo >= 0 ? cell.paragraphs.slice(0, upTo + 1) : cell.paragraphs;
  const source = { ...provenance(file, cell, before.trim() || cell.text.slice(0, 4)), confidence: Math.min(1, ...markLines.map((p) => p.confidence)) };
  if (box?.checkbox) return { value: true, how: 'チェックボックス', source };
  if (typed) return { value: true, how: `記号 ${typed}`, source };
  const empty = [...before].some((ch) => EMPTY_MARKS.includes(ch) || ch === '☐');
  return { value: false, how: box ? 'チェックボックス未選択' : empty ? '記号 ☐' : 'チェックなし', source };
}

/**
 * A date written after a label in a paragraph (申請年月日　2026年1月20日) or, when Enter was pressed
 * after the label, on the next line.
 */
export function readDateParagraph(file: string, doc: DocumentModel, label: string): { value: string | null; invalid?: string; source?: Provenance } {
  const found = paragraphStarting(doc, label);
  if (!found) return { value: null };
  let raw = textAfterLabel(found.paragraph.text, label);
  let where = found.paragraph;
  if (cleanValue(raw) === '' && found.next && parseDate(found.next.text).ok) {
    raw = found.next.text;
    where = found.next;
  }
  if (cleanValue(raw) === '') return { value: null };
  const source = provenance(file, where, raw.trim());
  const parsed = parseDate(raw);
  if (parsed.ok) return { value: parsed.value, source };
  return parsed.empty ? { value: null, source } : { value: null, invalid: parsed.reason, source };
}

/** The qualification cell read into `sources.qualification`, with how the choice was made as its evidence. */
export function readQualificationField(file: string, cell: Cell | undefined, sources: Record<string, Provenance>): QualificationReading | undefined {
  if (!cell) return undefined;
  const reading = readQualification(file, cell);
  sources.qualification = { ...reading.source, text: `${reading.how}: ${cleanValue(reading.source.text).slice(0, 80)}` };
  return reading;
}

/** The address cell read into postalCode and address, each with its evidence; an unreadable postal code noted. */
export function readAddressFields(file: string, cell: Cell | undefined, sources: Record<string, Provenance>, invalid: Record<string, string>): AddressReading | undefined {
  if (!cell) return undefined;
  const address = readAddress(cell);
  if (address.postalText) sources.postalCode = provenance(file, cell, address.postalText);
  if (address.address) sources.address = provenance(file, cell, address.addressText);
  if (address.postalInvalid) invalid.postalCode = address.postalInvalid;
  return address;
}

export interface SignatureReading {
  signed: boolean;
  /** image: a pasted signature picture (or ink on a scan); typed: text typed into the cell (flagged for the reviewer). */
  how: 'image' | 'typed' | null;
  evidence: string;
  source?: Cell;
}

/**
 * The evidence of a signature. A picture or ink in the cell is certain even when OCR cannot read it (a
 * handwritten name is not text to read); the reviewer sees the signature itself.
 */
export function signatureSource(file: string, reading: SignatureReading): Provenance | undefined {
  if (!reading.source) return undefined;
  const source = provenance(file, reading.source, reading.evidence);
  return reading.how === 'image' ? { ...source, confidence: 1 } : source;
}

/** A 署名（自署） cell: signed when it holds a picture or ink, or typed text (which the reviewer is told about). */
export function readSignature(cell: Cell | undefined): SignatureReading {
  if (!cell) return { signed: false, how: null, evidence: '署名欄が見つかりません' };
  if (cell.images > 0) return { signed: true, how: 'image', evidence: `署名の画像 ${cell.images}点`, source: cell };
  const typed = cleanValue(cell.text);
  if (typed !== '') return { signed: true, how: 'typed', evidence: `入力された文字: ${typed.slice(0, 40)}`, source: cell };
  return { signed: false, how: null, evidence: '空欄', source: cell };
}
