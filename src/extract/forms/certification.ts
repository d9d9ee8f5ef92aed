// Initial certification form (資格認定申請フォーム, parts A–D): recognise it and map it to the field
// dictionary of shared/forms/README.md. Values are normalised; every one keeps the text it came from.
import type { Cell, DocumentModel, Provenance, Table } from '../document.ts';
import { fullText, tables } from '../document.ts';
import {
  isOngoing, normaliseEmail, normalisePhone, parseDate, parseYearMonth, parseYears, type Parsed, type YearMonth,
} from '../values.ts';
import { cleanValue, nfkc, stripSpaces } from '../../shared/japanese.ts';
import { ERA_PATTERN } from '../../shared/calendar.ts';
import type { ApplicationBase, FormMapper } from './form-kind.ts';
import { findTable, findTableWithLabel, firstCellText, key, labelValueCells, markerScore, provenance, textValue, valueByLabelLine, valueFor } from './form-helpers.ts';
import { agreementTable, readAddressFields, readAgreement, readDateParagraph, readQualificationField, readSignature, signatureSource, type Qualification, type SignatureReading } from './common-fields.ts';

/** The seven work fields (業務の7分野), by number. */
export const WORK_FIELDS: Record<number, string> = {
  1: 'コンタクトセンター戦略', 2: 'カスタマーサービス', 3: 'CRM', 4: 'オペレーション',
  5: 'ヒューマンリソースマネジメント', 6: 'コンタクトセンターアーキテクチャ', 7: 'ICTマネジメント',
};

export interface ExperienceRow {
  /** 1-based row in the 業務経験 grid. */
  rowInGrid: number;
  field: number | null;
  organization: string | null;
  from: YearMonth | null;
  /** null when ongoing (至 現在) or not written; see `ongoing`. */
  to: YearMonth | null;
  ongoing: boolean;
  years: number | null;
  duties: string | null;
  invalid: Partial<Record<'field' | 'from' | 'to' | 'years', string>>;
  sources: Partial<Record<'field' | 'organization' | 'period' | 'years' | 'duties', Provenance>>;
}

export interface SubstitutionRow {
  rowInGrid: number;
  title: string | null;
  obtainedOn: YearMonth | null;
  years: number | null;
  invalid: Partial<Record<'obtainedOn' | 'years', string>>;
  sources: Partial<Record<'title' | 'obtainedOn' | 'years', Provenance>>;
}

export interface Certifier {
  certifiedOn: string | null;
  organization: string | null;
  title: string | null;
  name: string | null;
  signed: boolean;
  /** How the signature was found: a pasted image (or ink on a scan), typed text, or nothing. */
  signature: SignatureReading['how'];
  phone: string | null;
}

export interface CertificationApplication extends ApplicationBase {
  kind: 'certification';
  applicationDate: string | null;
  passerNumber: string | null;
  examReportIssuedOn: string | null;
  qualification: Qualification | null;
  qualificationMarked: Qualification[];
  name: string | null;
  nameKana: string | null;
  company: string | null;
  companyKana: string | null;
  postalCode: string | null;
  address: string | null;
  phone: string | null;
  mobile: string | null;
  email: string | null;
  feeTransferDate: string | null;
  feeTransferName: string | null;
  experience: ExperienceRow[];
  substitutions: SubstitutionRow[];
  statedTotalYears: number | null;
  statedRequiredFieldYears: number | null;
  certifier: Certifier;
  oathAgreed: boolean;
  oathDate: string | null;
  applicantSigned: boolean;
  applicantSignature: SignatureReading['how'];
}

const MARKERS = ['資格認定申請フォーム', '合格者番号', '試験結果レポート', '業務経験', '資格取得・研修受講による代替', '上司もしくは監督者による証明', '宣誓します'];

const NO_TABLE: Table = { kind: 'table', rows: [], location: '' };

function value<T>(p: Parsed<T>): T | null {
  return p.ok ? p.value : null;
}

/** Field number as written: 4, ４, 4.オペレーション, (4), or the field's name alone. */
function readFieldNumber(text: string): Parsed<number> {
  const t = stripSpaces(nfkc(text));
  if (t === '') return { ok: false, empty: true };
  const digit = t.match(/^[(（]?([1-7])(?![0-9])/) ?? t.match(/^(?:分野|No\.?|番号)?[(（]?([1-7])(?![0-9])/i);
  if (digit) return { ok: true, value: Number(digit[1]) };
  const byName = Object.entries(WORK_FIELDS).find(([, name]) => t.toUpperCase().includes(stripSpaces(nfkc(name)).toUpperCase()));
  if (byName) return { ok: true, value: Number(byName[0]) };
  return { ok: false, empty: false, reason: `分野の番号（1〜7）として読めません: ${text.trim()}` };
}

// A month as people write it, for finding the two ends of a period typed on one line.
const MONTH_TOKEN = new RegExp(`(?:(?:${ERA_PATTERN})\\s*(?:\\d{1,2}|元)|\\d{4})\\s*[年./-]\\s*\\d{1,2}\\s*月?|現在|在職中`, 'g');

/** The period cell: `自　年　月` / `至　年　月` lines, or one line such as `2016年4月〜2020年3月`, `2016/04-2020/03`. */
function readPeriod(cell: Cell): { from: string; to: string } {
  const lines = cell.paragraphs.map((p) => p.text).filter((t) => cleanValue(t) !== '');
  // A narrow cell wraps 自 平成26年4|月: a line that starts with neither 自 nor 至 continues the one before.
  const marked: string[] = [];
  for (const l of lines) {
    if (/^\s*[自至]/.test(nfkc(l)) || marked.length === 0) marked.push(l);
    else marked[marked.length - 1] += l;
  }
  const from = marked.find((l) => /^\s*自/.test(nfkc(l)));
  const to = marked.find((l) => /^\s*至/.test(nfkc(l)));
  if (from !== undefined || to !== undefined) return { from: from ?? '', to: to ?? '' };
  // A line the cell wrapped inside a word (令|和3年) joins without a space.
  const joined = nfkc(lines.join('\n')).replace(/(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])\n(?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])/gu, '').replace(/\n/g, ' ');
  const tokens = joined.match(MONTH_TOKEN) ?? [];
  if (tokens.length === 2) return { from: tokens[0]!, to: tokens[1]! };
  // へ: how OCR reads the wave dash 〜 between two months.
  const parts = joined.split(/\s*(?:[〜～~]|から|より|\s[-ー－]\s|→|(?<=月)\s*へ\s*(?=\S))\s*/);
  if (parts.length >= 2) return { from: parts[0]!, to: parts.slice(1).join(' ') };
  return { from: joined, to: '' };
}

function gridRows(table: Table | undefined): Cell[][] {
  // Row 1 is the title, row 2 the headers (shared/forms/README.md).
  return table ? table.rows.slice(2) : [];
}

function readExperience(file: string, doc: DocumentModel): ExperienceRow[] {
  const table = tables(doc).find((t) => firstCellText(t).startsWith(key('業務経験')) && t.rows[1]?.length === 5);
  const rows: ExperienceRow[] = [];
  gridRows(table).forEach((row, i) => {
    if (row.length < 5) return;
    const [fieldCell, orgCell, periodCell, yearsCell, dutiesCell] = row as [Cell, Cell, Cell, Cell, Cell];
    const field = readFieldNumber(fieldCell.text);
    const period = readPeriod(periodCell);
    const from = parseYearMonth(period.from);
    const ongoing = isOngoing(period.to);
    const to = ongoing ? ({ ok: false, empty: true } as const) : parseYearMonth(period.to);
    const years = parseYears(yearsCell.text);
    const organization = textValue(orgCell);
    const duties = textValue(dutiesCell);
    const blank = [field, from, to, years].every((p) => !p.ok && p.empty) && !ongoing && !organization && !duties;
    if (blank) return;
    const invalid: ExperienceRow['invalid'] = {};
    if (!field.ok && !field.empty) invalid.field = field.reason;
    if (!from.ok && !from.empty) invalid.from = from.reason;
    if (!to.ok && !to.empty) invalid.to = to.reason;
    if (!years.ok && !years.empty) invalid.years = years.reason;
    rows.push({
      rowInGrid: i + 1, field: value(field), organization, from: value(from), to: value(to), ongoing, years: value(years), duties, invalid,
      sources: {
        field: provenance(file, fieldCell), organization: provenance(file, orgCell), period: provenance(file, periodCell),
        years: provenance(file, yearsCell), duties: provenance(file, dutiesCell),
      },
    });
  });
  return rows;
}

function readSubstitutions(file: string, doc: DocumentModel): SubstitutionRow[] {
  const table = tables(doc).find((t) => firstCellText(t).startsWith(key('資格取得・研修受講による代替')));
  const rows: SubstitutionRow[] = [];
  gridRows(table).forEach((row, i) => {
    if (row.length < 3) return;
    const [titleCell, dateCell, yearsCell] = row as [Cell, Cell, Cell];
    const title = textValue(titleCell);
    const obtained = parseYearMonth(dateCell.text);
    const years = parseYears(yearsCell.text);
    if (!title && !obtained.ok && obtained.empty && !years.ok && years.empty) return;
    const invalid: SubstitutionRow['invalid'] = {};
    if (!obtained.ok && !obtained.empty) invalid.obtainedOn = obtained.reason;
    if (!years.ok && !years.empty) invalid.years = years.reason;
    rows.push({
      rowInGrid: i + 1, title, obtainedOn: value(obtained), years: value(years), invalid,
      sources: { title: provenance(file, titleCell), obtainedOn: provenance(file, dateCell), years: provenance(file, yearsCell) },
    });
  });
  return rows;
}

/** Reads label | value cells into fields, recording provenance and unreadable values as it goes. */
function fieldReader(file: string, sources: Record<string, Provenance>, invalid: Record<string, string>) {
  return {
    text(cells: Map<string, Cell>, label: string, field: string, normalise: (s: string) => string = (s) => s): string | null {
      const cell = valueFor(cells, label);
      const v = textValue(cell);
      if (cell && v !== null) sources[field] = provenance(file, cell);
      return v === null ? null : normalise(v);
    },
    parsed<T>(cells: Map<string, Cell>, label: string, field: string, parse: (s: string) => Parsed<T>): T | null {
      const cell = valueFor(cells, label);
      if (!cell) return null;
      const parsed = parse(cell.text);
      if (parsed.ok || !parsed.empty) sources[field] = provenance(file, cell);
      if (!parsed.ok && !parsed.empty) invalid[field] = parsed.reason;
      return value(parsed);
    },
  };
}

export const certificationMapper: FormMapper<CertificationApplication> = {
  kind: 'certification',

  recognise(doc) {
    const text = fullText(doc);
    // Its own words: the renewal form has none of 合格者番号 / 業務経験 / 宣誓します.
    if (markerScore(text, ['資格認定申請フォーム', '合格者番号', '業務経験', '宣誓します']) < 0.5) return 0;
    return markerScore(text, MARKERS);
  },

  map(doc) {
    const file = doc.file;
    const sources: Record<string, Provenance> = {};
    const invalid: Record<string, string> = {};
    const read = fieldReader(file, sources, invalid);
    const applicant = labelValueCells(findTableWithLabel(doc, '合格者番号') ?? NO_TABLE);
    const contact = labelValueCells(findTableWithLabel(doc, 'ご自宅住所') ?? NO_TABLE);
    const fee = labelValueCells(findTableWithLabel(doc, '認定審査手数料振込日') ?? NO_TABLE);
    // Looked up separately: a PDF page break can split this two-row table in two.
    const totals = labelValueCells(findTableWithLabel(doc, '業務経験年数合計') ?? NO_TABLE);
    const requiredTotals = labelValueCells(findTableWithLabel(doc, '必須分野の経験年数') ?? NO_TABLE);
    const certifierTable = findTable(doc, '証明日');
    const oathTable = findTable(doc, '宣誓日');
    const certifierCells = labelValueCells(certifierTable ?? NO_TABLE);
    const oathCells = labelValueCells(oathTable ?? NO_TABLE);

    const applicationDate = readDateParagraph(file, doc, '申請年月日');
    if (applicationDate.source) sources.applicationDate = applicationDate.source;
    if (applicationDate.invalid) invalid.applicationDate = applicationDate.invalid;

    const qualification = readQualificationField(file, valueFor(applicant, '申請資格'), sources);
    const address = readAddressFields(file, valueFor(contact, 'ご自宅住所'), sources, invalid);

    const certifierSignature = readSignature(valueFor(certifierCells, '署名') ?? valueByLabelLine(certifierTable, '（自署）'));
    const certifierSigned = signatureSource(file, certifierSignature);
    if (certifierSigned) sources['certifier.signed'] = certifierSigned;
    const applicantSignature = readSignature(valueFor(oathCells, '署名') ?? valueByLabelLine(oathTable, '（自署）'));
    const applicantSigned = signatureSource(file, applicantSignature);
    if (applicantSigned) sources.applicantSigned = applicantSigned;

    const oathSentence = agreementTable(doc, '宣誓します');
    const oath = oathSentence ? readAgreement(file, oathSentence) : undefined;
    if (oath) sources.oathAgreed = { ...oath.source, text: oath.how };

    return {
      kind: 'certification',
      applicationDate: applicationDate.value,
      passerNumber: read.text(applicant, '合格者番号', 'passerNumber', (s) => stripSpaces(nfkc(s))),
      examReportIssuedOn: read.parsed(applicant, '試験結果レポート', 'examReportIssuedOn', parseDate),
      qualification: qualification?.value ?? null,
      qualificationMarked: qualification?.marked ?? [],
      name: read.text(applicant, '氏名', 'name'),
      nameKana: read.text(applicant, '氏名（かな）', 'nameKana'),
      company: read.text(applicant, '所属先会社名', 'company'),
      companyKana: read.text(applicant, '所属先会社名（かな）', 'companyKana'),
      postalCode: address?.postalCode ?? null,
      address: address?.address ?? null,
      phone: read.text(contact, '電話番号', 'phone', normalisePhone),
      mobile: read.text(contact, '携帯電話番号', 'mobile', normalisePhone),
      email: read.text(contact, 'Eメールアドレス', 'email', normaliseEmail),
      feeTransferDate: read.parsed(fee, '認定審査手数料振込日', 'feeTransferDate', parseDate),
      feeTransferName: read.text(fee, '認定審査手数料振込名義', 'feeTransferName', (s) => s.replace(/\s+/g, '')),
      experience: readExperience(file, doc),
      substitutions: readSubstitutions(file, doc),
      statedTotalYears: read.parsed(totals, '業務経験年数合計', 'statedTotalYears', parseYears),
      statedRequiredFieldYears: read.parsed(requiredTotals, '必須分野の経験年数', 'statedRequiredFieldYears', parseYears),
      certifier: {
        certifiedOn: read.parsed(certifierCells, '証明日', 'certifier.certifiedOn', parseDate),
        organization: read.text(certifierCells, '会社・組織名', 'certifier.organization'),
        title: read.text(certifierCells, '所属・役職', 'certifier.title'),
        name: read.text(certifierCells, '証明者氏名', 'certifier.name'),
        signed: certifierSignature.signed,
        signature: certifierSignature.how,
        phone: read.text(certifierCells, '連絡先電話番号', 'certifier.phone', normalisePhone),
      },
      oathAgreed: oath?.value ?? false,
      oathDate: read.parsed(oathCells, '宣誓日', 'oathDate', parseDate),
      applicantSigned: applicantSignature.signed,
      applicantSignature: applicantSignature.how,
      sources,
      invalid,
    };
  },
};
