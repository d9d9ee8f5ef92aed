// `conken audit draw|verify|list` (the annual CPD audit, src/app/audit.ts). Loaded only when `conken audit`
// runs (src/cli/main.ts imports this module in the command's handler). Refusals exit 2 with the reason in
// Japanese; a verification that does not match exits 1.
import { Command } from 'commander';
import { deliverIfEmbedded, print, refusing as refusingKinds, withApp } from './common.ts';
import { AUDIT_OUTCOME_LABELS, AUDIT_STATE_LABELS, AuditError, drawAudit, listAudits, recordAuditOutcome, verifyAudit } from '../app/audit.ts';
import { AUDIT_OUTCOMES, type AuditOutcome } from '../cases/audit-transition.ts';

function year(value: string): number {
  if (!/^\d{4}$/.test(value)) throw new AuditError(`年は4桁の数字で指定してください（${value}）。`);
  return Number(value);
}

const refusing = (json: boolean | undefined, fn: () => Promise<void>) => refusingKinds(json, async () => [AuditError], fn);

const adminUser = () => `admin:${process.env.CONKEN_USER ?? process.env.USER ?? 'admin'}`;

function program(): Command {
  const audit = new Command('conken audit').description('the annual CPD audit: draw the sample of a year\'s approved renewals, verify a recorded draw, list the audits, record an outcome')
    .exitOverride();
  audit.command('draw').description('draw the audit sample of a year (renewals approved that calendar year, Tokyo time): the seed (entered, or generated and shown) and the population\'s SHA-256 are recorded first; each holder chosen gets the request for their proofs')
    .argument('<year>', 'the year whose approved renewals are drawn from').option('--seed <seed>', 'the seed (default: 16 random bytes, shown)').option('--json', 'machine-readable output')
    .action(async (y: string, options: { seed?: string; json?: boolean }) => refusing(options.json, () => withApp(options, async (app) => {
      const r = drawAudit(app, year(y), { ...(options.seed !== undefined ? { seed: options.seed } : {}), actor: adminUser(), login: adminUser().slice('admin:'.length) });
      await deliverIfEmbedded(app);
      print(options.json, r, () => [
        `${r.year}年のCPD監査の抽選${r.resumed ? '（記録済みの抽選を完了）' : ''}`,
        `  シード: ${r.seed}（${r.seedSource === 'admin' ? '入力' : '自動生成'}）`,
        `  母集団: ${r.populationCount}件  SHA-256 ${r.populationHash}`,
        `  対象者: ${r.chosen.length}名`,
        ...r.chosen.map((c) => `  ${c.audit}  ${c.certificationNumber}${c.mailed ? '' : '  （メールアドレスがないため依頼メール未送信）'}`),
      ].join('\n'));
    })));
  audit.command('verify').description('recompute a recorded draw: the population\'s SHA-256, the population from the register now, and the draw from the recorded seed; exit 1 if anything differs')
    .argument('<year>').option('--json', 'machine-readable output')
    .action(async (y: string, options: { json?: boolean }) => refusing(options.json, () => withApp(options, (app) => {
      const v = verifyAudit(app, year(y));
      const mark = (ok: boolean) => (ok ? '一致' : '不一致');
      print(options.json, v, () => [
        `${v.year}年のCPD監査の抽選: ${v.ok ? '記録と一致しました' : '記録と一致しません（不一致）'}`,
        `  シード: ${v.seed}（${v.seedSource === 'admin' ? '入力' : '自動生成'}、${v.recordedAt} 記録）`,
        `  記録した母集団 ${v.populationCount}件のハッシュ: ${mark(v.recordedPopulationIntact)}  ${v.recordedHash}`,
        `  名簿の更新承認履歴から求めた母集団: ${mark(v.populationUnchanged)}  ${v.populationNowHash}`,
        `  シードからの再抽選: ${mark(v.drawReproduced)}  ${v.redrawn.join(', ')}`,
        ...(v.drawReproduced ? [] : [`  記録された対象者: ${v.recorded.join(', ')}`]),
      ].join('\n'));
      if (!v.ok) process.exitCode = 1;
    })));
  audit.command('outcome').description('record the outcome of an audit (passed, failed, waived) with a reason, as the workbench\'s audit page does: audited, and the holder told the outcome (once, in the request\'s thread)')
    .argument('<audit-number>', 'e.g. A-2028-000001').argument('<outcome>', 'passed | failed | waived')
    .requiredOption('--reason <text>', 'why (kept with the audit; not sent to the holder)').option('--actor <name>', 'who decided (default: the user running the command)').option('--json', 'machine-readable output')
    .action(async (number: string, outcome: string, options: { reason: string; actor?: string; json?: boolean }) => refusing(options.json, () => withApp(options, async (app) => {
      if (!(AUDIT_OUTCOMES as readonly string[]).includes(outcome)) throw new AuditError(`結果は passed（合格）・failed（不合格）・waived（免除）のいずれかで指定してください（${outcome}）。`);
      const login = options.actor?.trim() || adminUser().slice('admin:'.length);
      const a = recordAuditOutcome(app, number, { outcome: outcome as AuditOutcome, reason: options.reason, actor: `admin:${login}`, login });
      await deliverIfEmbedded(app);
      print(options.json, a, () => `${a.number} の結果を「${AUDIT_OUTCOME_LABELS[a.outcome!]}」として記録しました（${a.outcome_by}）。${a.address ? '認定者に結果をお知らせするメールを送信待ちにしました。' : '名簿にメールアドレスがないため、結果のお知らせは送っていません。'}`);
    })));
  audit.command('list').description('the audits of a year: holder, state, deadline, replies, outcome')
    .argument('<year>').option('--json', 'machine-readable output')
    .action(async (y: string, options: { json?: boolean }) => refusing(options.json, () => withApp(options, (app) => {
      const l = listAudits(app, year(y));
      if (!l.draw) throw new AuditError(`${y}年の抽選の記録はありません。`);
      print(options.json, l, () => [
        `${l.draw!.year}年のCPD監査: ${l.audits.length}名（母集団 ${l.draw!.population_count}件、シード ${l.draw!.seed}）`,
        ...l.audits.map((a) => `  ${a.number}  ${a.certification_number}  ${AUDIT_STATE_LABELS[a.state] ?? a.state}  期限 ${a.deadline}  返信 ${a.replies}件${a.outcome ? `  結果: ${AUDIT_OUTCOME_LABELS[a.outcome] ?? a.outcome}（${a.outcome_by}）` : ''}`),
      ].join('\n'));
    })));
  return audit;
}

/** Runs `conken audit <args…>`. */
export async function runAuditCommand(args: readonly string[]): Promise<void> {
  try {
    await program().parseAsync([...args], { from: 'user' });
  } catch (error) {
    // commander's own exits (help, a missing argument) have printed already.
    const code = (error as { exitCode?: number; code?: string }).exitCode;
    if (code === undefined) throw error;
    process.exitCode = code;
  }
}
