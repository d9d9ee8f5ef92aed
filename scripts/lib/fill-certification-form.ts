// Fills the association's blank certification form (shared/forms/certification-application.docx) the
// way applicants do: values typed into cells, periods typed into the 自/至 lines or as one line, the
// qualification chosen by deleting or marking a line, the oath ticked or typed, and signatures pasted
// as a picture or typed. Used by the sample generator and by tests to make real .docx files.
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { strFromU8, strToU8 } from 'fflate';
import { deflateSync, crc32 } from 'node:zlib';
import {
  W, cellsOf, children, descendants, openDocx, rowsOf, saveDocx, setAgreementCheckbox, setCellText, setParagraphText, squash, tables, textOf,
  typeApplicationDate, type AgreementStyle,
} from './docx-edit.ts';

export const CERTIFICATION_TEMPLATE = new URL('../../samples/blank-forms/certification-application.docx', import.meta.url);

export interface ExperienceFill {
  field?: string;
  organization?: string;
  /** Typed after 自 / 至 (e.g. '2016年4月', '平成28年4月', '現在'); with periodStyle 'one-line', `from〜to` replaces both lines. */
  from?: string;
  to?: string;
  periodStyle?: 'lines' | 'one-line';
  /** Between the two months on one line: 〜 unless given (-, ～, から …). */
  joiner?: string;
  years?: string;
  duties?: string;
}

export interface SubstitutionFill {
  title?: string;
  obtainedOn?: string;
  years?: string;
}

export type SignatureFill = 'image' | { typed: string } | 'none';

export type QualificationFill =
  | { kind: 'delete-other'; choose: 'OMP' | 'CAP' }
  | { kind: 'mark'; choose: 'OMP' | 'CAP'; mark: string }
  | { kind: 'mark-both'; mark: string }
  | { kind: 'untouched' };

export interface CertificationFill {
  applicationDate?: string;
  passerNumber?: string;
  examReportIssuedOn?: string;
  qualification?: QualificationFill;
  name?: string;
  nameKana?: string;
  company?: string;
  companyKana?: string;
  postalCode?: string;
  address?: string;
  phone?: string;
  mobile?: string;
  email?: string;
  feeTransferDate?: string;
  feeTransferName?: string;
  experience?: ExperienceFill[];
  substitutions?: SubstitutionFill[];
  statedTotalYears?: string;
  statedRequiredFieldYears?: string;
  certifier?: { certifiedOn?: string; organization?: string; title?: string; name?: string; signature?: SignatureFill; phone?: string };
  oath?: AgreementStyle;
  oathDate?: string;
  applicantSignature?: SignatureFill;
}

function tableStarting(doc: Document, first: string): Element {
  const found = tables(doc).find((t) => squash(textOf(cellsOf(rowsOf(t)[0]!)[0]!)).startsWith(squash(first)));
  if (!found) throw new Error(`table not found in form: ${first}`);
  return found;
}

/** The value cell of a label | value row inside one table (署名 appears in two tables). */
function valueIn(tbl: Element, label: string): Element {
  const rows = rowsOf(tbl).map(cellsOf).filter((cells) => cells.length === 2);
  // Exact first (氏名 must not take 氏名（かな）), then labels with a note under them.
  const exact = rows.find((cells) => squash(textOf(children(cells[0]!, 'p')[0]!)) === squash(label));
  const prefixed = rows.find((cells) => squash(textOf(cells[0]!)).startsWith(squash(label)));
  const found = exact ?? prefixed;
  if (found) return found[1]!;
  throw new Error(`label not found in table: ${label}`);
}

function anyTableValue(doc: Document, label: string): Element {
  for (const tbl of tables(doc)) {
    try { return valueIn(tbl, label); } catch { /* next table */ }
  }
  throw new Error(`label not found in form: ${label}`);
}

/** Extends a grid by copying its last entry row, as people do with Tab in Word. */
function entryRows(tbl: Element, needed: number, trailing = 0): Element[] {
  let all = rowsOf(tbl);
  let entries = all.slice(2, all.length - trailing);
  while (entries.length < needed) {
    const last = entries[entries.length - 1]!;
    tbl.insertBefore(last.cloneNode(true), last.nextSibling);
    all = rowsOf(tbl);
    entries = all.slice(2, all.length - trailing);
  }
  return entries;
}

function fillPeriod(doc: Document, cell: Element, row: ExperienceFill): void {
  const [fromP, toP] = children(cell, 'p');
  if (row.periodStyle === 'one-line') {
    setCellText(doc, cell, `${row.from ?? ''}${row.joiner ?? '〜'}${row.to ?? ''}`);
    return;
  }
  if (row.from !== undefined) setParagraphText(doc, fromP!, `自　${row.from}`);
  if (row.to !== undefined && toP) setParagraphText(doc, toP, `至　${row.to}`);
}

function fillQualification(doc: Document, style: QualificationFill): void {
  const cell = anyTableValue(doc, '申請資格');
  const lines = children(cell, 'p').filter((p) => /ＯＭＰ|ＣＡＰ|OMP|CAP/.test(textOf(p)));
  const lineOf = (q: 'OMP' | 'CAP') => lines.find((p) => /ＯＭＰ|OMP/.test(textOf(p)) === (q === 'OMP'))!;
  switch (style.kind) {
    case 'untouched': return;
    case 'delete-other': cell.removeChild(lineOf(style.choose === 'OMP' ? 'CAP' : 'OMP')); return;
    case 'mark': setParagraphText(doc, lineOf(style.choose), style.mark + textOf(lineOf(style.choose))); return;
    case 'mark-both': for (const p of lines) setParagraphText(doc, p, style.mark + textOf(p)); return;
  }
}



const SIGNATURE_REL = 'rIdSignature';

/** A pasted picture of a handwritten signature: an inline drawing pointing at word/media/signature.png. */
function pasteSignature(doc: Document, cell: Element): void {
  const xml = `<w:r xmlns:w="${W}" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="1800000" cy="450000"/><wp:docPr id="${900 + descendants(doc, 'drawing').length}" name="署名"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="signature.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="${SIGNATURE_REL}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1800000" cy="450000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>`;
  const fragment = new DOMParser().parseFromString(xml, 'text/xml').documentElement!;
  children(cell, 'p')[0]!.appendChild(doc.importNode(fragment, true));
}

function fillSignature(doc: Document, cell: Element, style: SignatureFill): boolean {
  if (style === 'none') return false;
  if (style === 'image') { pasteSignature(doc, cell); return true; }
  setCellText(doc, cell, style.typed);
  return false;
}

/** A small grey-scale PNG of a pen stroke: enough for Word (and mammoth) to see a picture. */
export function signaturePng(width = 240, height = 60): Uint8Array {
  const raw = Buffer.alloc((width + 1) * height, 255);
  for (let y = 0; y < height; y++) raw[y * (width + 1)] = 0; // filter byte: none
  for (let x = 10; x < width - 10; x++) {
    const y = Math.round(height / 2 + Math.sin(x / 9) * (height / 4) * Math.cos(x / 31));
    for (let dy = -1; dy <= 1; dy++) raw[(y + dy) * (width + 1) + 1 + x] = 20;
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0); header.writeUInt32BE(height, 4); header[8] = 8; header[9] = 0; header[10] = 0; header[11] = 0; header[12] = 0;
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
}

/** Fill a copy of the blank certification form; returns the new .docx bytes. */
export function fillCertificationForm(template: Uint8Array, fill: CertificationFill): Uint8Array {
  const { files, doc } = openDocx(template);
  if (fill.applicationDate !== undefined) typeApplicationDate(doc, fill.applicationDate);
  const labelled: [keyof CertificationFill, string][] = [
    ['passerNumber', '合格者番号'], ['examReportIssuedOn', '試験結果レポート（合格証明書）'], ['name', '氏名'], ['nameKana', '氏名（かな）'],
    ['company', '所属先会社名'], ['companyKana', '所属先会社名（かな）'], ['phone', '電話番号'], ['mobile', '携帯電話番号'],
    ['email', 'Eメールアドレス'], ['feeTransferDate', '認定審査手数料振込日'], ['feeTransferName', '認定審査手数料振込名義'],
    ['statedTotalYears', '業務経験年数合計'], ['statedRequiredFieldYears', '必須分野の経験年数'],
  ];
  for (const [k, label] of labelled) {
    const v = fill[k];
    if (typeof v === 'string') setCellText(doc, anyTableValue(doc, label), v);
  }
  if (fill.qualification) fillQualification(doc, fill.qualification);
  if (fill.postalCode !== undefined || fill.address !== undefined) {
    const cell = anyTableValue(doc, 'ご自宅住所');
    const [a, b] = (fill.postalCode ?? '').split('-');
    const prefix = fill.postalCode ? `（〒${a}－${b}）` : textOf(children(cell, 'p')[0]!).replace(/\t/g, '　');
    setCellText(doc, cell, prefix + (fill.address ? `\n${fill.address}` : ''));
  }
  if (fill.experience) {
    const rows = entryRows(tableStarting(doc, '業務経験'), fill.experience.length);
    fill.experience.forEach((r, i) => {
      const [field, org, period, years, duties] = cellsOf(rows[i]!);
      if (r.field !== undefined) setCellText(doc, field!, r.field);
      if (r.organization !== undefined) setCellText(doc, org!, r.organization);
      fillPeriod(doc, period!, r);
      if (r.years !== undefined) setCellText(doc, years!, /年|月/.test(r.years) ? r.years : `${r.years}年`);
      if (r.duties !== undefined) setCellText(doc, duties!, r.duties);
    });
  }
  if (fill.substitutions) {
    const rows = entryRows(tableStarting(doc, '資格取得・研修受講による代替'), fill.substitutions.length);
    fill.substitutions.forEach((r, i) => {
      const [title, obtained, years] = cellsOf(rows[i]!);
      if (r.title !== undefined) setCellText(doc, title!, r.title);
      if (r.obtainedOn !== undefined) setCellText(doc, obtained!, r.obtainedOn);
      if (r.years !== undefined) setCellText(doc, years!, /年|月/.test(r.years) ? r.years : `${r.years}年`);
    });
  }
  let picture = false;
  if (fill.certifier) {
    const tbl = tableStarting(doc, '証明日');
    const c = fill.certifier;
    for (const [k, label] of [['certifiedOn', '証明日'], ['organization', '会社・組織名'], ['title', '所属・役職'], ['name', '証明者氏名'], ['phone', '連絡先電話番号']] as const) {
      if (c[k] !== undefined) setCellText(doc, valueIn(tbl, label), c[k]);
    }
    if (c.signature) picture = fillSignature(doc, valueIn(tbl, '署名'), c.signature) || picture;
  }
  if (fill.oath) setAgreementCheckbox(doc, fill.oath);
  const oathTable = tableStarting(doc, '宣誓日');
  if (fill.oathDate !== undefined) setCellText(doc, valueIn(oathTable, '宣誓日'), fill.oathDate);
  if (fill.applicantSignature) picture = fillSignature(doc, valueIn(oathTable, '署名'), fill.applicantSignature) || picture;
  if (!picture) return saveDocx(files, doc);
  const rels = strFromU8(files['word/_rels/document.xml.rels']!).replace('</Relationships>',
    `<Relationship Id="${SIGNATURE_REL}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/signature.png"/></Relationships>`);
  const types = strFromU8(files['[Content_Types].xml']!);
  const withPng = types.includes('Extension="png"') ? types : types.replace('<Default ', '<Default Extension="png" ContentType="image/png"/><Default ');
  return saveDocx(files, doc, { 'word/_rels/document.xml.rels': strToU8(rels), '[Content_Types].xml': strToU8(withPng), 'word/media/signature.png': signaturePng() });
}
