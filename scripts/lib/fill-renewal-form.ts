// Fills the association's blank renewal form (shared/forms/renewal-application.docx) the way people
// do: values typed into cells (with stray spaces and line breaks), the qualification chosen by deleting
// or marking a line, dates in every style, the checkbox ticked or replaced by a typed mark. Used by
// the sample generator and by tests to make real .docx files.
import { type Document, type Element } from '@xmldom/xmldom';
import {
  W, cellsOf, children, clearRuns, openDocx, plainDocx, rowsOf, run, saveDocx, setAgreementCheckbox, setCellText, setParagraphText, squash, tables, textOf,
  typeApplicationDate, valueCell, type AgreementStyle,
} from './docx-edit.ts';

/** The blank form as the association publishes it (a copy of shared/forms/renewal-application.docx). */
export const RENEWAL_TEMPLATE = new URL('../../samples/blank-forms/renewal-application.docx', import.meta.url);

export type Grid = 'A' | 'B-1' | 'B-2' | 'B-3' | 'C-1' | 'C-2' | 'C-3' | 'D-1' | 'D-2' | 'D-3';

export type QualificationStyle =
  | { kind: 'delete-other'; choose: 'OMP' | 'CAP' }
  | { kind: 'mark'; choose: 'OMP' | 'CAP'; mark: string }
  | { kind: 'bold'; choose: 'OMP' | 'CAP' }
  | { kind: 'highlight'; choose: 'OMP' | 'CAP' }
  | { kind: 'strike-other'; choose: 'OMP' | 'CAP' }
  | { kind: 'mark-both'; mark: string }
  | { kind: 'untouched' };

export type EthicsStyle = AgreementStyle;

export interface CpdRowFill {
  title?: string;
  /** Typed date text, e.g. '2025年4月1日'; with dateStyle 'into-placeholder' give ISO 'YYYY-MM-DD'. */
  date?: string;
  hours?: string;
  points?: string;
  dateStyle?: 'replace' | 'before' | 'into-placeholder';
}

export interface RenewalFill {
  applicationDate?: string;
  certificationNumber?: string;
  name?: string;
  nameKana?: string;
  qualification?: QualificationStyle;
  company?: string;
  companyKana?: string;
  feeTransferDate?: string;
  feeTransferName?: string;
  /** 'NNN-NNNN', typed around the printed － inside （〒　－　）. */
  postalCode?: string;
  address?: string;
  phone?: string;
  mobile?: string;
  email?: string;
  cpd?: Partial<Record<Grid, CpdRowFill[]>>;
  statedTotals?: Partial<Record<Grid, string>>;
  ethics?: EthicsStyle;
}

function gridTable(doc: Document, grid: Grid): Element {
  const found = tables(doc).find((t) => {
    const first = squash(textOf(cellsOf(rowsOf(t)[0]!)[0]!));
    return grid === 'A' ? /^A(?![-‐])/.test(first) && first.includes('講座') : first.startsWith(grid);
  });
  if (!found) throw new Error(`CPD grid not found: ${grid}`);
  return found;
}

function fillDate(doc: Document, cell: Element, row: CpdRowFill): void {
  const p = children(cell, 'p')[0]!;
  const placeholder = textOf(p);
  const style = row.dateStyle ?? 'replace';
  if (style === 'replace') setParagraphText(doc, p, row.date!);
  else if (style === 'before') setParagraphText(doc, p, row.date! + placeholder);
  else {
    const [y, m, d] = row.date!.split('-').map(Number);
    setParagraphText(doc, p, placeholder.replace(/^(\s*)(?=年)/u, `$1${y}`).replace(/年(\s*)(?=\s*月)/u, `年$1${m}`).replace(/月(\s*)(?=\s*日)/u, `月$1${d}`));
  }
}

function fillCpd(doc: Document, grid: Grid, rows: CpdRowFill[], stated?: string): void {
  const tbl = gridTable(doc, grid);
  let all = rowsOf(tbl);
  const total = all[all.length - 1]!;
  let entries = all.slice(2, -1);
  while (entries.length < rows.length) {
    tbl.insertBefore(entries[entries.length - 1]!.cloneNode(true), total);
    all = rowsOf(tbl);
    entries = all.slice(2, -1);
  }
  rows.forEach((r, i) => {
    const [title, date, hours, points] = cellsOf(entries[i]!);
    if (r.title !== undefined) setCellText(doc, title!, r.title);
    if (r.date !== undefined) fillDate(doc, date!, r);
    if (r.hours !== undefined) setCellText(doc, hours!, /(時間|h|ｈ)$/.test(r.hours) ? r.hours : `${r.hours}時間`);
    if (r.points !== undefined) setCellText(doc, points!, r.points);
  });
  if (stated !== undefined) setCellText(doc, cellsOf(total).at(-1)!, stated);
}

function fillQualification(doc: Document, style: QualificationStyle): void {
  const cell = valueCell(doc, '更新対象資格');
  const lines = children(cell, 'p').filter((p) => /ＯＭＰ|ＣＡＰ/.test(textOf(p)));
  const lineOf = (q: 'OMP' | 'CAP') => lines.find((p) => textOf(p).includes(q === 'OMP' ? 'ＯＭＰ' : 'ＣＡＰ'))!;
  const other = (q: 'OMP' | 'CAP') => (q === 'OMP' ? 'CAP' : 'OMP');
  const restyle = (p: Element, props: (rPr: Element) => void) => {
    const text = textOf(p);
    clearRuns(p);
    p.appendChild(run(doc, text, props));
  };
  switch (style.kind) {
    case 'untouched': return;
    case 'delete-other': cell.removeChild(lineOf(other(style.choose))); return;
    case 'mark': setParagraphText(doc, lineOf(style.choose), style.mark + textOf(lineOf(style.choose))); return;
    case 'mark-both': for (const p of lines) setParagraphText(doc, p, style.mark + textOf(p)); return;
    case 'bold': restyle(lineOf(style.choose), (rPr) => rPr.appendChild(doc.createElementNS(W, 'w:b'))); return;
    case 'highlight': restyle(lineOf(style.choose), (rPr) => { const h = doc.createElementNS(W, 'w:highlight'); h.setAttribute('w:val', 'yellow'); rPr.appendChild(h); }); return;
    case 'strike-other': restyle(lineOf(other(style.choose)), (rPr) => rPr.appendChild(doc.createElementNS(W, 'w:strike'))); return;
  }
}



function fillAddress(doc: Document, postal: string | undefined, address: string | undefined): void {
  const cell = valueCell(doc, 'ご自宅住所');
  const p = children(cell, 'p')[0]!;
  const [a, b] = (postal ?? '').split('-');
  const prefix = postal ? `（〒${a}－${b}）` : textOf(p).replace(/\t/g, '　');
  setParagraphText(doc, p, prefix + (address ? `\n${address}` : ''));
}

/** Fill a copy of the blank renewal form; returns the new .docx bytes. */
export function fillRenewalForm(template: Uint8Array, fill: RenewalFill): Uint8Array {
  const { files, doc } = openDocx(template);
  if (fill.applicationDate !== undefined) typeApplicationDate(doc, fill.applicationDate);
  const labelled: [keyof RenewalFill, string][] = [
    ['certificationNumber', '認定番号'], ['name', '氏名'], ['nameKana', '氏名（かな）'], ['company', '所属先会社名'],
    ['companyKana', '所属先会社名（かな）'], ['feeTransferDate', '認定審査手数料振込日'], ['feeTransferName', '認定審査手数料振込名義'],
    ['phone', '電話番号'], ['mobile', '携帯電話番号'], ['email', 'Eメールアドレス'],
  ];
  for (const [key, label] of labelled) {
    const value = fill[key];
    if (typeof value === 'string') setCellText(doc, valueCell(doc, label), value);
  }
  if (fill.qualification) fillQualification(doc, fill.qualification);
  if (fill.postalCode !== undefined || fill.address !== undefined) fillAddress(doc, fill.postalCode, fill.address);
  for (const [grid, rows] of Object.entries(fill.cpd ?? {}) as [Grid, CpdRowFill[]][]) fillCpd(doc, grid, rows, fill.statedTotals?.[grid]);
  for (const [grid, stated] of Object.entries(fill.statedTotals ?? {}) as [Grid, string][]) if (!fill.cpd?.[grid]) fillCpd(doc, grid, [], stated);
  if (fill.ethics) setAgreementCheckbox(doc, fill.ethics);
  return saveDocx(files, doc);
}

/** A .docx that starts like a zip but is cut off: what a broken upload looks like. */
export function truncatedDocx(valid: Uint8Array): Uint8Array {
  return valid.slice(0, Math.floor(valid.length / 3));
}

/** A valid Word document that is not our form (a meeting memo). */
export function unrelatedDocx(): Uint8Array {
  return plainDocx(['議事録', '日時：2026年1月10日', '議題：来期のシフト計画について', '出席者：営業部 3名'].map((t) => `<w:p><w:r><w:t>${t}</w:t></w:r></w:p>`).join(''));
}
