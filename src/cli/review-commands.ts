// The reviewer's commands: `conken review <case> approve|reject|return` (the same entry point as the
// workbench's decision form) and `conken register import|list|show|set-status|export` (the register of holders;
// `registry` is the same command). Refusals exit 2 with the reason in Japanese.
import { Argument, Option, type Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { deliverIfEmbedded, print, refuse, withApp } from './common.ts';
import type { ReviewAction } from '../app/review.ts';
import { HOLDER_STATUS_LABELS } from '../cases/holder-status.ts';
import { HOLDER_STATUSES, RECORDED_HOLDER_STATUSES, type HolderStatus, type RecordedHolderStatus } from '../cases/register-store.ts';

// The decisions for the help text without loading the review (and the certificate's PDF libraries) at start;
// the Record makes the compiler check the list against ReviewAction, review.ts checks the value itself.
const REVIEW_ACTIONS = Object.keys({ approve: true, reject: true, return: true } satisfies Record<ReviewAction, true>) as ReviewAction[];

// The register's app module (its CSV and encoding libraries) is loaded by the commands that use it, not by --help.
const registerModule = () => import('../app/register.ts');

// 'expired' is computed from the dates on the day asked (src/cases/register-store.ts holderStatusOn).
const statusOption = () => new Option('--status <status>', `the state today: ${HOLDER_STATUSES.map((s) => `${s} (${HOLDER_STATUS_LABELS[s]})`).join(', ')}`).choices([...HOLDER_STATUSES]);

const reviewerUser = () => `reviewer:${process.env.CONKEN_USER ?? process.env.USER ?? 'reviewer'}`;

export function registerReviewCommands(program: Command): void {
  program.command('review').description('reviewer: decide a case ready for review — approve (certificate and register), reject with a reason, or return it to the applicant with a question')
    .argument('<case>', 'case number').argument('<decision>', REVIEW_ACTIONS.join(' | '))
    .option('--reason <code>', 'reject: a reason code of rules/review.yaml (rejectionReasons)')
    .option('--text <text>', 'reject: the reviewer\'s own words for the applicant; return: the question')
    .option('--json', 'machine-readable output')
    .action(async (number: string, decision: string, options: { reason?: string; text?: string; json?: boolean }) => {
      const { reviewCase, ReviewError } = await import('../app/review.ts');
      await withApp(options, async (app) => {
        try {
          const r = await reviewCase(app, number.normalize('NFKC').trim().toUpperCase(), { action: decision as ReviewAction, reviewer: reviewerUser(), ...(options.reason ? { reason: options.reason } : {}), ...(options.text ? { text: options.text } : {}), address: 'cli' });
          // Embedded mode (no SMTP): the result mail is written to the outbox folder at once.
          await deliverIfEmbedded(app);
          print(options.json, r, () => r.awaitingSecondApproval
            ? `${r.case}: 承認を記録しました。別の審査担当者の確認で確定します`
            : `${r.case}: ${r.previous} → ${r.status}${r.certificationNumber ? `（認定番号 ${r.certificationNumber}、有効期間 ${r.validFrom}〜${r.validTo}）` : ''}${r.notices.length ? `（通知: ${r.notices.join(', ')}）` : ''}`);
        } catch (error) {
          if (!(error instanceof ReviewError)) throw error;
          refuse(options.json, error.message);
        }
      });
    });

  for (const name of ['register', 'registry']) {
    const register = program.command(name).description(`the register of certified holders${name === 'registry' ? ' (same as register)' : ''}`);
    register.command('import').description('load holders from a CSV (UTF-8 or Shift_JIS; columns: 認定番号,資格,氏名,氏名かな,有効期間開始,有効期間終了,状態,メール); a bad line rejects the whole file; a known number is updated')
      .argument('<file>', 'the CSV file').option('--json', 'machine-readable output')
      .action(async (file: string, options: { json?: boolean }) => {
        const { importRegister, RegisterImportError } = await registerModule();
        await withApp(options, async (app) => {
          try {
            const r = importRegister(app, file);
            print(options.json, r, () => `登録 ${r.added} 件、更新 ${r.updated} 件`);
          } catch (error) {
            if (!(error instanceof RegisterImportError)) throw error;
            refuse(options.json, error.message);
          }
        });
      });
    register.command('list').description('list holders (search by number, name or kana; filter by qualification, expiry year, status)')
      .option('--query <text>', 'part of the number, name or kana').option('--qualification <q>', 'OMP or CAP')
      .option('--expiry-year <year>', 'the year the validity ends').addOption(statusOption())
      .option('--json', 'machine-readable output')
      .action(async (options: { query?: string; qualification?: string; expiryYear?: string; status?: string; json?: boolean }) => {
        const { listHolders } = await registerModule();
        await withApp({ ...options, readOnly: true }, async (app) => {
          const rows = listHolders(app, { ...(options.query ? { query: options.query } : {}), ...(options.qualification ? { qualification: options.qualification.toUpperCase() } : {}), ...(options.expiryYear ? { expiryYear: Number(options.expiryYear) } : {}), ...(options.status ? { status: options.status as HolderStatus } : {}) });
          print(options.json, rows, () => rows.length ? rows.map((h) => `${h.certification_number}  ${h.qualification}  ${h.name}  ${h.valid_from}〜${h.valid_to}  ${h.status}（${HOLDER_STATUS_LABELS[h.status]}）`).join('\n') : '該当する認定者はいません');
        });
      });
    register.command('show').description('one holder with the cases that certified or renewed them').argument('<number>', 'certification number')
      .option('--json', 'machine-readable output')
      .action(async (number: string, options: { json?: boolean }) => {
        const { showHolder } = await registerModule();
        await withApp({ ...options, readOnly: true }, async (app) => {
          const d = showHolder(app, number);
          if (!d) return refuse(options.json, `認定番号 ${number} は登録されていません`);
          print(options.json, d, () => [
            `${d.holder.certification_number}  ${d.holder.qualification}  ${d.holder.name}${d.holder.name_kana ? `（${d.holder.name_kana}）` : ''}`,
            `有効期間 ${d.holder.valid_from}〜${d.holder.valid_to}  ${d.holder.status}（${HOLDER_STATUS_LABELS[d.holder.status]}）`,
            ...d.cases.map((c) => `  ${c.case_number} ${c.role === 'certified' ? '認定' : '更新'} ${c.valid_from}〜${c.valid_to}`),
            ...d.statusChanges.map((c) => `  ${c.at.slice(0, 10)} ${HOLDER_STATUS_LABELS[c.previous]} → ${HOLDER_STATUS_LABELS[c.status]} 理由: ${c.reason}（${c.by}）`),
          ].join('\n'));
        });
      });
    register.command('set-status').description('reviewer: record a holder revoked (取消), lapsed (失効) or active again, with the reason (kept in the holder\'s history; the audit log names the change only)')
      .argument('<number>', 'certification number').addArgument(new Argument('<status>', 'the new state').choices([...RECORDED_HOLDER_STATUSES]))
      .requiredOption('--reason <text>', 'why (required)').option('--json', 'machine-readable output')
      .action(async (number: string, status: string, options: { reason: string; json?: boolean }) => {
        const { setHolderStatus, HolderStatusError } = await registerModule();
        await withApp(options, async (app) => {
          try {
            const r = setHolderStatus(app, number, { status: status as RecordedHolderStatus, reason: options.reason, by: reviewerUser(), address: 'cli' });
            print(options.json, r, () => `${r.certificationNumber}: ${r.previous}（${HOLDER_STATUS_LABELS[r.previous]}） → ${r.status}（${HOLDER_STATUS_LABELS[r.status]}）`);
          } catch (error) {
            if (!(error instanceof HolderStatusError)) throw error;
            refuse(options.json, error.message);
          }
        });
      });
    register.command('export').description('the register as CSV for Excel (UTF-8 with BOM), to standard output or --out')
      .option('--out <file>', 'write to this file').option('--qualification <q>', 'OMP or CAP').option('--expiry-year <year>', 'the year the validity ends')
      .addOption(statusOption())
      .action(async (options: { out?: string; qualification?: string; expiryYear?: string; status?: string }) => {
        const { exportRegisterCsv, listHolders } = await registerModule();
        await withApp({ json: true, readOnly: true }, async (app) => {
          const csv = exportRegisterCsv(listHolders(app, { limit: 1_000_000, ...(options.qualification ? { qualification: options.qualification.toUpperCase() } : {}), ...(options.expiryYear ? { expiryYear: Number(options.expiryYear) } : {}), ...(options.status ? { status: options.status as HolderStatus } : {}) }));
          if (options.out) writeFileSync(options.out, csv);
          else process.stdout.write(csv);
        });
      });
  }
}
