// The exam result report (試験結果レポート, the pass certificate): recognised among a mail's
// supporting documents by what it says, never by being "the other PDF". Its issue date starts the
// 3-year validity (SPEC §4) and its passer number is cross-checked with the form.
import { nfkc, stripSpaces } from '../../shared/japanese.ts';
import { parseDate } from '../values.ts';
import { ERA_PATTERN } from '../../shared/calendar.ts';

export interface ExamReportReading {
  issuedOn: string | null;
  passerNumber: string | null;
  qualification: 'OMP' | 'CAP' | null;
  /** The text the date and the number were read from (to find their OCR confidence). */
  dateText: string | null;
  numberText: string | null;
  /** What we read it from, for the reviewer. */
  evidence: string;
}

const TITLES = ['試験結果レポート', '試験結果通知', '合格証明書', '検定試験結果'];
// Words that make a text one of our application forms (which mention the report) instead of the report.
const FORM_WORDS = ['申請フォーム', '申請書', '業務経験証明書', '宣誓書'];
const DATE = `(?:(?:${ERA_PATTERN})\\s*[0-9元]{1,2}|[0-9]{4})\\s*[年./-]\\s*[0-9]{1,2}\\s*[月./-]\\s*[0-9]{1,2}\\s*日?`;

function near(text: string, labels: string[], pattern: string, span = 40): string | null {
  for (const label of labels) {
    const re = new RegExp(`${label}[\\s:：]*[^\\n]{0,${span}}?(${pattern})`);
    const m = text.match(re);
    if (m) return m[1]!;
  }
  return null;
}

/** The report's facts when the text is one; null when it is something else. */
export function readExamReport(text: string): ExamReportReading | null {
  const t = nfkc(text);
  const compact = stripSpaces(t);
  if (!TITLES.some((title) => compact.includes(nfkc(title)))) return null;
  if (FORM_WORDS.some((w) => compact.includes(nfkc(w)))) return null;
  const hasResult = /合格|PASS|認定|得点|スコア/i.test(compact);
  const numberText = near(t, ['合格者番号', '合格番号', '受験番号', '受検番号', '受験者番号'], '[A-Z]{0,4}[-\\s]?[0-9][0-9\\s-]{3,15}[0-9]');
  if (!hasResult && !numberText) return null;
  const dateText = near(t, ['発行日', '発行年月日', '交付日', '通知日', '発行'], DATE);
  const issued = dateText ? parseDate(dateText) : null;
  const omp = /OMP|オペレーションマネジメント/.test(compact);
  const cap = /CAP|コンタクトセンターアーキテクチャ/.test(compact);
  return {
    issuedOn: issued?.ok ? issued.value : null,
    passerNumber: numberText ? numberText.replace(/[\s-]/g, '') : null,
    qualification: omp === cap ? null : omp ? 'OMP' : 'CAP',
    dateText,
    numberText,
    evidence: [dateText ? `発行日「${dateText.trim()}」` : '発行日の記載を読み取れず', numberText ? `番号「${numberText.trim()}」` : null].filter(Boolean).join('、'),
  };
}

/** A file whose contents we cannot read (a photo, a scan) but whose name says it is the report. */
export function looksLikeExamReportName(filename: string): boolean {
  const n = nfkc(filename).toLowerCase();
  return /試験結果|結果レポート|合格証|合格通知|exam|result|report|kekka|goukaku/.test(n);
}
