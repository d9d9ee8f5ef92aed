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

// The association that issues the report (a cut photocopy may still carry it in the footer).
const ISSUER = /日本コンタクトセンター教育検定協会|コン検/;
const PASSER_LABELS = ['合格者番号', '合格番号', '受験番号', '受検番号', '受験者番号'];
const PASSER_NUMBER = '[A-Z]{0,4}[-\\s]?[0-9][0-9\\s-]{3,15}[0-9]';
const ISSUE_LABELS = ['発行日', '発行年月日', '交付日', '通知日', '発行'];
/** Without its title, a report needs this many of the other signs (one of them the number or the result). */
const MIN_SIGNS_WITHOUT_TITLE = 3;

/**
 * The report's facts when the text is one; null when it is something else. The title is one sign among
 * several: a photocopy cut at the top, a scan or a layout with the title as a picture loses it, and the
 * applicant must never be told that a report they attached is missing. Without the title, three of
 * the passer number (label and value), 結果 合格, the issue date (label and date) and the association's
 * name make a report, one of them the number or the result — an attendance certificate from the
 * association (name and date) is not one. The application form, which speaks of the report, never is.
 */
export function readExamReport(text: string): ExamReportReading | null {
  const t = nfkc(text);
  const compact = stripSpaces(t);
  if (FORM_WORDS.some((w) => compact.includes(nfkc(w)))) return null;
  const titled = TITLES.some((title) => compact.includes(nfkc(title)));
  const numberText = near(t, PASSER_LABELS, PASSER_NUMBER);
  if (titled) {
    const hasResult = /合格|PASS|認定|得点|スコア/i.test(compact);
    if (!hasResult && !numberText) return null;
  } else {
    const passed = /結果[:：]?(?:判定)?[:：]?合格/.test(compact);
    const issued = near(t, ISSUE_LABELS, DATE) !== null;
    const signs = [numberText !== null, passed, issued, ISSUER.test(compact)].filter(Boolean).length;
    if (!(numberText || passed) || signs < MIN_SIGNS_WITHOUT_TITLE) return null;
  }
  const dateText = near(t, ISSUE_LABELS, DATE);
  const issued = dateText ? parseDate(dateText) : null;
  const omp = /OMP|オペレーションマネジメント/.test(compact);
  const cap = /CAP|コンタクトセンターアーキテクチャ/.test(compact);
  return {
    issuedOn: issued?.ok ? issued.value : null,
    passerNumber: numberText ? numberText.replace(/[\s-]/g, '') : null,
    qualification: omp === cap ? null : omp ? 'OMP' : 'CAP',
    dateText,
    numberText,
    evidence: [titled ? null : '表題なし（内容から判別）', dateText ? `発行日「${dateText.trim()}」` : '発行日の記載を読み取れず', numberText ? `番号「${numberText.trim()}」` : null].filter(Boolean).join('、'),
  };
}

/** A file whose contents we cannot read (a photo, a scan) but whose name says it is the report. */
export function looksLikeExamReportName(filename: string): boolean {
  const n = nfkc(filename).toLowerCase();
  return /試験結果|結果レポート|合格証|合格通知|exam|result|report|kekka|goukaku/.test(n);
}
