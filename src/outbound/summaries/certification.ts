// Reviewer summary of a certification application: the fields, the exam report and its age, the
// experience as a timeline per field (overlaps visible), computed vs stated totals, substitutions, and
// the first validity period.
import { WORK_FIELDS, type CertificationApplication } from '../../extract/forms/certification.ts';
import { monthIndex, yearsOf, type ExperienceResult } from '../../validate/experience.ts';
import { labelValueTable, type ReviewSummary } from './summary.ts';

const dash = (v: unknown) => (v === null || v === undefined || v === '' ? '（空欄）' : String(v));
const ym = (s: string | null) => (s ? s.replace(/^(\d{4})-(\d{2})$/, (_, y, m) => `${y}/${m}`) : '—');
const SIGNATURE = { image: 'あり（画像・手書き）', typed: 'あり（文字入力）' } as const;

interface ExamReportComputed { issuedOn: string | null; source: 'report' | 'form' | null; expiresOn: string | null; evidence: string }
interface ValidityComputed { start: string; end: string; renewalWindow: { start: string; end: string } }

/** ASCII to full width, so that labels line up with the full-width bars in a Japanese mail font. */
const wide = (text: string) => text.replace(/[!-~]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).replace(/ /g, '　');
const LABEL_WIDTH = 14;
const column = (text: string) => [...wide(text)].slice(0, LABEL_WIDTH).join('').padEnd(LABEL_WIDTH, '　');

/** One full-width character per fiscal half-year: ■ covered, ▲ covered by two or more rows (overlap), ・ not covered. */
function timeline(app: CertificationApplication, exp: ExperienceResult): string[] {
  const spans = exp.rows.filter((r) => !r.excluded && r.from && r.to).map((r) => ({ row: r, start: monthIndex(r.from!), end: monthIndex(r.to!) }));
  if (spans.length === 0) return ['　（数えられる期間がありません）'];
  // Fiscal half-years (April–September, October–March), as the association counts years.
  const fiscalYear = (month: number) => Math.floor((month - 3) / 12);
  const firstYear = fiscalYear(Math.min(...spans.map((s) => s.start)));
  const lastYear = fiscalYear(Math.max(...spans.map((s) => s.end)));
  const cells = (lastYear - firstYear + 1) * 2;
  const bar = (covered: (half: number) => number) => Array.from({ length: cells }, (_, i) => {
    const n = covered(i);
    return n === 0 ? '・' : n === 1 ? '■' : '▲';
  }).join('');
  const halfCount = (list: typeof spans) => (i: number) => {
    const from = firstYear * 12 + 3 + i * 6;
    let most = 0;
    for (let m = from; m < from + 6; m++) most = Math.max(most, list.filter((s) => s.start <= m && m <= s.end).length);
    return most;
  };
  // Each year is two cells (four columns): its two-digit label, then a blank cell.
  const years = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => `${String(firstYear + i).slice(2)}　`).join('');
  const lines = [`　${column('分野（★必須）')}　${years}（年度の下2桁、1マス＝半年）`];
  const fields = [...new Set(spans.map((s) => s.row.field!))].sort((a, b) => a - b);
  for (const field of fields) {
    const mine = spans.filter((s) => s.row.field === field);
    const name = `${field}.${WORK_FIELDS[field]}${exp.requiredFields.includes(field) ? '★' : ''}`;
    lines.push(`　${column(name)}　${bar(halfCount(mine))}　${yearsOf(exp.byField.find((f) => f.field === field)?.months ?? 0)}年`);
  }
  lines.push(`　${column('全体（▲は重複）')}　${bar(halfCount(spans))}　${yearsOf(exp.totalMonths)}年`);
  lines.push('');
  app.experience.forEach((row, i) => {
    const r = exp.rows[i]!;
    const status = r.excluded ? `不算入（${r.excluded === 'incomplete' ? '記入不足' : r.excluded === 'reversed' ? '期間の前後が逆' : '受付日より後'}）` : `${r.months}か月${r.overlapMonths > 0 ? `（うち${r.overlapMonths}か月は他の行と重複）` : ''}`;
    lines.push(`　${i + 1}. 分野${dash(row.field)} ${ym(row.from)}〜${row.ongoing ? `現在(${ym(r.to)})` : ym(row.to)} ${status}｜記載 ${dash(row.years)}年｜${dash(row.organization)}`);
  });
  return lines;
}

export function summariseCertification(application: Record<string, unknown>, computed: Record<string, unknown>): ReviewSummary {
  const app = application as unknown as CertificationApplication;
  const exp = computed.experience as ExperienceResult | undefined;
  const report = computed.examReport as ExamReportComputed | undefined;
  const validity = computed.firstValidity as ValidityComputed | null | undefined;
  const c = app.certifier;
  const fieldsTable = labelValueTable([
    ['申請年月日', dash(app.applicationDate)],
    ['合格者番号', dash(app.passerNumber)],
    ['申請資格', dash(app.qualification)],
    ['氏名', dash(app.name)],
    ['氏名（かな）', dash(app.nameKana)],
    ['所属先会社名', dash(app.company)],
    ['郵便番号', dash(app.postalCode)],
    ['住所', dash(app.address)],
    ['電話番号', dash(app.phone)],
    ['携帯電話番号', dash(app.mobile)],
    ['Eメール', dash(app.email)],
    ['手数料振込日', dash(app.feeTransferDate)],
    ['手数料振込名義', dash(app.feeTransferName)],
    ['証明者', `${dash(c.name)}（${dash(c.organization)} ${c.title ?? ''}）証明日 ${dash(c.certifiedOn)}、署名 ${c.signature ? SIGNATURE[c.signature] : 'なし'}`],
    ['宣誓', `${app.oathAgreed ? 'チェックあり' : 'チェックなし'}、宣誓日 ${dash(app.oathDate)}、署名 ${app.applicantSignature ? SIGNATURE[app.applicantSignature] : 'なし'}`],
  ]);
  const sections: { title: string; body: string }[] = [];
  if (report) {
    sections.push({
      title: '試験結果レポート',
      body: labelValueTable([
        ['発行日', `${dash(report.issuedOn)}（${report.evidence}）`],
        ['有効期限', report.expiresOn ? `${report.expiresOn} の前日まで` : '判定不可'],
        ['最初の認定期間', validity ? `${validity.start}〜${validity.end}（更新申請期間 ${validity.renewalWindow.start}〜${validity.renewalWindow.end}）` : '判定不可'],
      ]),
    });
  }
  if (exp) {
    const subs = app.substitutions.map((s, i) => `　代替${i + 1}. ${dash(s.title)}（${ym(s.obtainedOn)}）${dash(s.years)}年`);
    sections.push({
      title: '業務経験（期間から計算）',
      body: [
        ...timeline(app, exp),
        ...(subs.length ? ['', ...subs] : []),
        '',
        `　経験年数（重複除く）：${yearsOf(exp.totalMonths)}年　代替算入：${yearsOf(exp.substitutionCountedMonths)}年（申告 ${yearsOf(exp.substitutionClaimedMonths)}年）　合計：${yearsOf(exp.totalWithSubstitutionMonths)}年［記載 ${dash(app.statedTotalYears)}年］`,
        `　分野数：${exp.fieldsCount}　必須分野（${exp.requiredFields.join('・') || '—'}）の経験：${yearsOf(exp.requiredMonths)}年［記載 ${dash(app.statedRequiredFieldYears)}年］`,
      ].join('\n'),
    });
  }
  return { fieldsTable, sections };
}
