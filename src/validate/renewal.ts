// Renewal validation (SPEC §3): required fields, the qualification, the ethics agreement, CPD points
// per row and per grid with caps and the fiscal-year logic, proofs, and the acceptance window.
import type { z } from 'zod';
import { kindRulesBase, lazySchema, monthDay, zod } from '../config/rules.ts';
import type { RenewalApplication } from '../extract/forms/renewal.ts';
import { renewalPeriodFor, windowFor, addDays } from '../shared/calendar.ts';
import { checkFields, paymentKeyFrom } from './common.ts';
import { countCpd } from './cpd.ts';
import { fieldLabel, finding, type Finding } from './findings.ts';
import type { FormValidator } from './validator.ts';

// Built on first use (zod loads then, not when the form kinds are imported: src/config/rules.ts).
function buildRenewalRulesSchema() {
  const z = zod();
  const category = z.enum(['A', 'B', 'C', 'D']);

  return kindRulesBase().extend({
    kind: z.literal('renewal'),
    /** Acceptance window in the expiry year (manual 2026-01: 1 January to the end of February). */
    window: z.object({ from: monthDay(), to: monthDay() }).strict(),
    cpd: z.object({
      minimumPoints: z.number().positive(),
      /** Cap per grid (A, and each year of B, C, D); null = no cap. */
      capPerGrid: z.object({ A: z.number().positive().nullable(), B: z.number().positive().nullable(), C: z.number().positive().nullable(), D: z.number().positive().nullable() }).strict(),
      /** Points per hour above which a row is flagged for the reviewer (SPEC: default points ≤ hours). */
      pointsPerHourCeiling: z.number().positive(),
      /** Categories whose rows need proof documents (受講証明書) attached. */
      proofRequiredFor: z.array(category),
    }).strict(),
    /** Reminders to holders whose validity ends this fiscal year (the renewal-reminders job). */
    reminders: z.object({
      /** The second reminder goes this many days before the window closes, to those who still have not applied. */
      secondDaysBeforeClose: z.number().int().positive(),
    }).strict().default({ secondDaysBeforeClose: 14 }),
  }).strict();
}
export const renewalRulesSchema = lazySchema(buildRenewalRulesSchema);
export type RenewalRules = z.infer<ReturnType<typeof buildRenewalRulesSchema>>;

const GRID_NAMES: Record<string, string> = {
  A: 'A（コン検認定・主催講座・研修）', B: 'B（コン検が認定していない研修）', C: 'C（個人学習）', D: 'D（プロフェッショナル活動）',
};

function gridLabel(grid: string): string {
  const [cat, year] = grid.split('-');
  return year ? `${GRID_NAMES[cat!]}の${year}年目（${grid}）` : GRID_NAMES[cat!]!;
}

const COLUMN_LABELS = { completedOn: '修了日', hours: '時間', points: 'CPDポイント' } as const;

export const renewalValidator: FormValidator<RenewalApplication, RenewalRules> = {
  kind: 'renewal',
  get rulesSchema() { return renewalRulesSchema(); },

  validate(app, rules, ctx) {
    const findings: Finding[] = checkFields(app, rules, ['qualification', 'ethicsAgreed'], {}, ctx.channel);

    if (app.qualificationMarked.length > 1) {
      findings.push(finding('qualification.multiple', 'applicant', `${fieldLabel('qualification')}でOMPとCAPの両方が選ばれています。申請書は1資格につき1通です。更新する資格を1つだけ残し、もう一方を削除してください（2資格を更新する場合は申請書を2通ご用意ください）。`, { field: 'qualification' }));
    } else if (app.qualification === null) {
      findings.push(finding('qualification.none', 'applicant', `${fieldLabel('qualification')}でOMPとCAPのどちらを更新するかが分かりません。更新する資格を1つだけ残し、もう一方を削除してください。`, { field: 'qualification' }));
    }
    if (!app.ethicsAgreed) {
      findings.push(finding('ethics.not-agreed', 'applicant', `${fieldLabel('ethicsAgreed')}にチェックがありません。内容をご確認のうえ、チェックを入れてください。`, { field: 'ethicsAgreed' }));
    }

    // Judged against the time of receipt, never the processing clock (SPEC §2).
    const period = renewalPeriodFor(ctx.received);
    if (app.applicationDate && app.applicationDate > addDays(ctx.received, 1)) {
      findings.push(finding('field.invalid', 'applicant', `${fieldLabel('applicationDate')}（${app.applicationDate}）が受付日（${ctx.received}）より後になっています。日付をご確認ください。`, { field: 'applicationDate' }));
    }
    const lastAllowed = app.applicationDate && app.applicationDate < ctx.received ? app.applicationDate : ctx.received;
    const cpd = countCpd(app.cpd, app.cpdStatedTotals, period, lastAllowed, rules.cpd);

    cpd.rows.forEach((res, i) => {
      const row = app.cpd[i]!;
      const where = `CPD「${gridLabel(row.grid)}」の${row.rowInGrid}行目${row.title ? `（${row.title}）` : ''}`;
      for (const [column, reason] of Object.entries(row.invalid)) {
        findings.push(finding('field.invalid', 'applicant', `${where}の${COLUMN_LABELS[column as keyof typeof COLUMN_LABELS]}を読み取れませんでした（${reason}）。`, { field: `cpd.${column}`, row: res.row }));
      }
      const ex = res.exclusion;
      if (ex?.kind === 'incomplete') {
        const unreadable = ex.missing.filter((m) => row.invalid[m]);
        const missing = ex.missing.filter((m) => !row.invalid[m]);
        if (missing.length > 0) {
          findings.push(finding('cpd.row-incomplete', 'applicant', `${where}に${missing.map((m) => COLUMN_LABELS[m]).join('・')}の記入がありません。ご記入ください（記入がない行はポイントに数えられません）。`, { field: 'cpd', row: res.row }));
        } else if (unreadable.length === 0) {
          findings.push(finding('cpd.row-incomplete', 'applicant', `${where}の記入が不完全です。`, { field: 'cpd', row: res.row }));
        }
      } else if (ex) {
        findings.push(finding('cpd.row-out-of-period', 'applicant', `${where}の日付（${row.completedOn}）は${ex.detail}のため、ポイントに数えられません。日付と記入欄をご確認ください。`, { field: 'cpd', row: res.row }));
      }
      if (res.implausible) {
        findings.push(finding('cpd.points-exceed-hours', 'reviewer', `${where}: ${row.points}ポイントが${row.hours}時間に対して多すぎます（上限 ${rules.cpd.pointsPerHourCeiling}ポイント/時間）。`, { field: 'cpd', row: res.row }));
      }
    });

    for (const g of cpd.grids) {
      if (g.cap !== null && g.countedBeforeCap > g.cap) {
        findings.push(finding('cpd.cap-applied', 'reviewer', `${gridLabel(g.grid)}: 申告 ${g.countedBeforeCap}ポイントのうち上限の${g.cap}ポイントを算入しました。`, { field: `cpd.${g.grid}` }));
      }
      if (g.stated !== null && g.stated !== g.counted) {
        findings.push(finding('cpd.stated-total-mismatch', 'reviewer', `${gridLabel(g.grid)}の合計欄は${g.stated}ですが、計算では${g.counted}ポイントです（計算を採用）。`, { field: `cpdStatedTotals.${g.grid.replace('-', '')}` }));
      }
    }

    if (cpd.total < rules.cpd.minimumPoints) {
      findings.push(finding('cpd.insufficient', 'applicant', `認定期間（${period.start}〜${period.end}）のCPDポイントが、確認できたもので${cpd.total}ポイントです。更新には${rules.cpd.minimumPoints}ポイント以上が必要です。記入漏れの活動があれば追記してください（B・C・Dは各年度${rules.cpd.capPerGrid.B ?? '∞'}ポイントまで算入）。`, { field: 'cpd' }));
    }

    const needProof = app.cpd.some((r) => rules.cpd.proofRequiredFor.includes(r.category));
    if (needProof && ctx.proofCount === 0) {
      // Worded for how the applicant will send it: attached to a mail, or enclosed in a letter (a paper form).
      const how = ctx.channel === 'post' ? '同封されていません。コピーを郵送でお送りください。' : '添付されていません。この返信に添付してお送りください。';
      findings.push(finding('proof.missing', 'applicant', `CPDの${rules.cpd.proofRequiredFor.join('・')}の活動について、受講証明書・研修参加票などのコピー${ctx.channel === 'post' ? '' : '（PDFや画像）'}が${how}`, { field: 'proof' }));
    }

    const window = windowFor(ctx.received, rules.window.from, rules.window.to);
    if (!window.inside) {
      findings.push(finding('window.outside', 'staff', `受付日 ${ctx.received} は受付期間（${window.start}〜${window.end}）の外です。受理するか判断してください。`));
    }

    return {
      findings,
      computed: { period, window, cpd: { total: cpd.total, minimum: cpd.minimum, rows: cpd.rows, grids: cpd.grids } },
    };
  },

  paymentKey(app) {
    return paymentKeyFrom(app.certificationNumber, app.feeTransferName, app.nameKana);
  },
};
