// Renewal application form (更新審査申請フォーム): recognise it and map it to the field dictionary of
// shared/forms/README.md. Values are normalised; every one keeps the text it came from.
import type { Cell, DocumentModel, Provenance, Table } from '../document.ts';
import { fullText, tables } from '../document.ts';
import { parseDate, parseHours, parseNumber, normaliseEmail, normalisePhone, type Parsed } from '../values.ts';
import { cleanValue } from '../../shared/japanese.ts';
import type { ApplicationBase, FormMapper } from './form-kind.ts';
import {
  findTableWithLabel, firstCellText, key, labelValueCells, markerScore, provenance, textValue, valueFor,
} from './form-helpers.ts';
import { agreementTable, readAddressFields, readAgreement, readDateParagraph, readQualificationField, type Qualification } from './common-fields.ts';

export type CpdCategory = 'A' | 'B' | 'C' | 'D';
export const CPD_GRIDS = ['A', 'B-1', 'B-2', 'B-3', 'C-1', 'C-2', 'C-3', 'D-1', 'D-2', 'D-3'] as const;
export type CpdGrid = (typeof CPD_GRIDS)[number];
export type StatedTotalKey = 'A' | 'B1' | 'B2' | 'B3' | 'C1' | 'C2' | 'C3' | 'D1' | 'D2' | 'D3';

export interface CpdRow {
  category: CpdCategory;
  /** Year 1..3 of the certification period; null for category A. */
  year: 1 | 2 | 3 | null;
  /** The grid it was written in, e.g. 'B-1', and its 1-based row there: for pointing the applicant at it. */
  grid: CpdGrid;
  rowInGrid: number;
  title: string | null;
  completedOn: string | null;
  hours: number | null;
  points: number | null;
  /** Columns whose text is present but unreadable. */
  invalid: Partial<Record<'completedOn' | 'hours' | 'points', string>>;
  sources: Partial<Record<'title' | 'completedOn' | 'hours' | 'points', Provenance>>;
}

export interface RenewalApplication extends ApplicationBase {
  kind: 'renewal';
  applicationDate: string | null;
  certificationNumber: string | null;
  name: string | null;
  nameKana: string | null;
  qualification: Qualification | null;
  /** Every qualification the form marks (two → qualification.multiple). */
  qualificationMarked: Qualification[];
  company: string | null;
  companyKana: string | null;
  feeTransferDate: string | null;
  feeTransferName: string | null;
  postalCode: string | null;
  address: string | null;
  phone: string | null;
  mobile: string | null;
  email: string | null;
  cpd: CpdRow[];
  cpdStatedTotals: Record<StatedTotalKey, number | null>;
  ethicsAgreed: boolean;
}

const MARKERS = ['更新審査申請フォーム', '認定番号', '更新対象資格', '認定審査手数料振込名義', 'CPDポイント', '学習活動カテゴリ', '継続教育・学習方針（CPD）を理解し'];

function gridOf(table: Table): { grid: CpdGrid; category: CpdCategory; year: 1 | 2 | 3 | null } | undefined {
  const first = firstCellText(table);
  const m = first.match(/^([A-DＡ-Ｄ])(?:[-‐ー−―]?([1-3]))?/);
  if (!m) return undefined;
  const headers = key(table.rows[1]?.map((c) => c.text).join('') ?? '');
  if (!headers.includes('ポイント') && !headers.includes('時間')) return undefined;
  const category = m[1] as CpdCategory;
  if (category === 'A') return { grid: 'A', category, year: null };
  const yearText = m[2] ?? first.match(/[（(]([1-3])年目/)?.[1];
  if (!yearText) return undefined;
  const year = Number(yearText) as 1 | 2 | 3;
  return { grid: `${category}-${year}` as CpdGrid, category, year };
}

function parsedValue<T>(p: Parsed<T>): T | null {
  return p.ok ? p.value : null;
}

function readCpd(file: string, doc: DocumentModel): { rows: CpdRow[]; totals: Record<StatedTotalKey, number | null>; totalSources: Record<string, Provenance> } {
  const rows: CpdRow[] = [];
  const totals: Record<StatedTotalKey, number | null> = { A: null, B1: null, B2: null, B3: null, C1: null, C2: null, C3: null, D1: null, D2: null, D3: null };
  const totalSources: Record<string, Provenance> = {};
  for (const table of tables(doc)) {
    const g = gridOf(table);
    if (!g) continue;
    let rowInGrid = 0;
    for (const row of table.rows.slice(2)) {
      const first = key(row[0]?.text ?? '');
      if (first.startsWith('合計')) {
        const cell = row[row.length - 1]!;
        const total = parseNumber(cell.text);
        const totalKey = g.grid.replace('-', '') as StatedTotalKey;
        totals[totalKey] = parsedValue(total);
        if (cell.text.trim()) totalSources[`cpdStatedTotals.${totalKey}`] = provenance(file, cell);
        continue;
      }
      if (row.length < 4) continue;
      rowInGrid++;
      const [titleCell, dateCell, hoursCell, pointsCell] = row as [Cell, Cell, Cell, Cell];
      const title = textValue(titleCell);
      const date = parseDate(dateCell.text);
      const hours = parseHours(hoursCell.text);
      const points = parseNumber(pointsCell.text);
      if (!title && date.ok === false && date.empty && hours.ok === false && hours.empty && points.ok === false && points.empty) continue;
      const invalid: CpdRow['invalid'] = {};
      if (!date.ok && !date.empty) invalid.completedOn = date.reason;
      if (!hours.ok && !hours.empty) invalid.hours = hours.reason;
      if (!points.ok && !points.empty) invalid.points = points.reason;
      rows.push({
        category: g.category, year: g.year, grid: g.grid, rowInGrid,
        title, completedOn: parsedValue(date), hours: parsedValue(hours), points: parsedValue(points), invalid,
        sources: {
          title: provenance(file, titleCell), completedOn: provenance(file, dateCell),
          hours: provenance(file, hoursCell), points: provenance(file, pointsCell),
        },
      });
    }
  }
  return { rows, totals, totalSources };
}

export const renewalMapper: FormMapper<RenewalApplication> = {
  kind: 'renewal',

  recognise(doc) {
    const text = fullText(doc);
    // The certification form shares most labels; its own words rule it out.
    if (markerScore(text, ['資格認定申請フォーム', '合格者番号', '業務経験']) >= 2 / 3) return 0;
    return markerScore(text, MARKERS);
  },

  map(doc) {
    const file = doc.file;
    const sources: Record<string, Provenance> = {};
    const invalid: Record<string, string> = {};
    const applicant = labelValueCells(findTableWithLabel(doc, '認定番号') ?? { kind: 'table', rows: [], location: '' });
    const contact = labelValueCells(findTableWithLabel(doc, 'ご自宅住所') ?? { kind: 'table', rows: [], location: '' });

    const text = (cells: Map<string, Cell>, label: string, field: string, normalise: (s: string) => string = (s) => s): string | null => {
      const cell = valueFor(cells, label);
      if (!cell) return null;
      const value = textValue(cell);
      if (value !== null) sources[field] = provenance(file, cell);
      return value === null ? null : normalise(value);
    };
    const date = (cells: Map<string, Cell>, label: string, field: string): string | null => {
      const cell = valueFor(cells, label);
      if (!cell || cleanValue(cell.text) === '') return null;
      sources[field] = provenance(file, cell);
      const parsed = parseDate(cell.text);
      if (!parsed.ok && !parsed.empty) invalid[field] = parsed.reason;
      return parsedValue(parsed);
    };

    // 申請年月日 is a paragraph, not a table: the date follows the label (or, when Enter was pressed, the next line).
    const applicationDate = readDateParagraph(file, doc, '申請年月日');
    if (applicationDate.source) sources.applicationDate = applicationDate.source;
    if (applicationDate.invalid) invalid.applicationDate = applicationDate.invalid;

    const qualification = readQualificationField(file, valueFor(applicant, '更新対象資格'), sources);
    const address = readAddressFields(file, valueFor(contact, 'ご自宅住所'), sources, invalid);

    const ethicsTable = agreementTable(doc, '同意します');
    const ethics = ethicsTable ? readAgreement(file, ethicsTable) : undefined;
    if (ethics) sources.ethicsAgreed = { ...ethics.source, text: `${ethics.how}` };

    const cpd = readCpd(file, doc);
    Object.assign(sources, cpd.totalSources);

    return {
      kind: 'renewal',
      applicationDate: applicationDate.value,
      certificationNumber: text(applicant, '認定番号', 'certificationNumber', (s) => s.replace(/\s+/g, '')),
      name: text(applicant, '氏名', 'name'),
      nameKana: text(applicant, '氏名（かな）', 'nameKana'),
      qualification: qualification?.value ?? null,
      qualificationMarked: qualification?.marked ?? [],
      company: text(applicant, '所属先会社名', 'company'),
      companyKana: text(applicant, '所属先会社名（かな）', 'companyKana'),
      feeTransferDate: date(applicant, '認定審査手数料振込日', 'feeTransferDate'),
      feeTransferName: text(applicant, '認定審査手数料振込名義', 'feeTransferName', (s) => s.replace(/\s+/g, '')),
      postalCode: address?.postalCode ?? null,
      address: address?.address ?? null,
      phone: text(contact, '電話番号', 'phone', normalisePhone),
      mobile: text(contact, '携帯電話番号', 'mobile', normalisePhone),
      email: text(contact, 'Eメールアドレス', 'email', normaliseEmail),
      cpd: cpd.rows,
      cpdStatedTotals: cpd.totals,
      ethicsAgreed: ethics?.value ?? false,
      sources,
      invalid,
    };
  },
};
