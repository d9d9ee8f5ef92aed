// Reviewer summary of a renewal: the applicant's fields and the CPD table with counted points.
import type { CpdRow, RenewalApplication } from '../../extract/forms/renewal.ts';
import type { CpdResult } from '../../validate/cpd.ts';
import { labelValueTable, type ReviewSummary } from './summary.ts';

const dash = (v: unknown) => (v === null || v === undefined || v === '' ? '（空欄）' : String(v));

export function summariseRenewal(application: Record<string, unknown>, computed: Record<string, unknown>): ReviewSummary {
  const app = application as unknown as RenewalApplication;
  const cpd = computed.cpd as Pick<CpdResult, 'rows' | 'grids' | 'total' | 'minimum'> | undefined;
  const period = computed.period as { start: string; end: string } | undefined;
  const fieldsTable = labelValueTable([
    ['申請年月日', dash(app.applicationDate)],
    ['認定番号', dash(app.certificationNumber)],
    ['氏名', dash(app.name)],
    ['氏名（かな）', dash(app.nameKana)],
    ['更新対象資格', dash(app.qualification)],
    ['所属先会社名', dash(app.company)],
    ['所属先会社名（かな）', dash(app.companyKana)],
    ['手数料振込日', dash(app.feeTransferDate)],
    ['手数料振込名義', dash(app.feeTransferName)],
    ['郵便番号', dash(app.postalCode)],
    ['住所', dash(app.address)],
    ['電話番号', dash(app.phone)],
    ['携帯電話番号', dash(app.mobile)],
    ['Eメール', dash(app.email)],
    ['倫理綱領への同意', app.ethicsAgreed ? 'あり' : 'なし'],
  ]);
  if (!cpd) return { fieldsTable, sections: [] };
  const lines: string[] = [];
  if (period) lines.push(`　認定期間：${period.start}〜${period.end}`);
  lines.push('　欄　　 | 行 | 修了日     | 時間 | 申告 | 算入 | 内容');
  app.cpd.forEach((row: CpdRow, i) => {
    const res = cpd.rows[i];
    const note = res?.exclusion ? `（不算入: ${'detail' in res.exclusion ? res.exclusion.detail : '記入不足'}）` : '';
    lines.push(`　${row.grid.padEnd(6)} | ${String(row.rowInGrid).padStart(2)} | ${dash(row.completedOn).padEnd(10)} | ${String(row.hours ?? '-').padStart(4)} | ${String(row.points ?? '-').padStart(4)} | ${String(res?.points ?? 0).padStart(4)} | ${row.title ?? ''}${note}`);
  });
  lines.push('');
  lines.push('　欄ごとの合計（上限適用後）：' + cpd.grids.filter((g) => g.claimed > 0 || g.stated !== null).map((g) => `${g.grid} ${g.counted}${g.cap !== null && g.countedBeforeCap > g.cap ? `（申告${g.countedBeforeCap}→上限${g.cap}）` : ''}${g.stated !== null && g.stated !== g.counted ? `［合計欄の記載 ${g.stated}］` : ''}`).join('、'));
  lines.push(`　算入ポイント合計：${cpd.total}（必要 ${cpd.minimum}）`);
  return { fieldsTable, sections: [{ title: 'CPDポイント（計算結果）', body: lines.join('\n') }] };
}
