// `conken payments import|unmatched|link|unlink`: finance's statements and fee matching.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importStatement } from '../../app/import-statement-file.ts';
import { linkPayment, StatementError, unlinkPayment, unmatchedPayments } from '../../app/import-payments.ts';
import { deliverIfEmbedded, financeAction, financeUser, print, withApp } from '../common.ts';

export async function importFile(file: string, options: { json?: boolean; era: 'auto' | 'wareki' | 'seireki' }): Promise<void> {
  await withApp(options, async (app) => financeAction(options.json, async () => {
    let result;
    try {
      result = await importStatement(app, readFileSync(file), path.basename(file), `finance:${financeUser()}`, { era: options.era });
    } catch (error) {
      if (error instanceof StatementError) throw new StatementError(`${path.basename(file)}: 取り込みませんでした（1件も登録していません）: ${error.message}`);
      throw error;
    }
    await deliverIfEmbedded(app);
    const r = result;
    print(options.json, r, () => [
      `${r.file} (${r.format}, ${r.encoding ?? '-'}): 入金 ${r.rows}件（出金など対象外 ${r.debits}件）`,
      `  新規 ${r.new}件 / 取込済み（重複） ${r.duplicate}件 / 自動消込 ${r.matched.length}件 / 要確認 ${r.needsAttention}件`,
      ...r.matched.map((m) => `  入金ID ${m.payment} → ${m.case}（${m.status}）`),
      `  未消込の入金（全体）: ${r.unmatched}件 — \`conken payments unmatched\` で確認できます`,
    ].join('\n'));
  }));
}

export async function unmatched(options: { json?: boolean }): Promise<void> {
  await withApp(options, async (app) => {
    const list = unmatchedPayments(app);
    print(options.json, list, () => list.length === 0 ? '未消込の入金はありません' : list.map((p) => [
      `入金ID ${p.id}  ${p.paidOn}  ${p.amount.toLocaleString('ja-JP')}円  ${p.transferName}  [${p.code ?? '候補なし'}]${p.reason ? ` ${p.reason}` : ''}`,
      ...p.candidates.map((c, i) => `    ${i + 1}. ${c.case} (${c.status}) score ${c.score.toFixed(2)}: ${c.reason}`),
    ].join('\n')).join('\n'));
  });
}

export async function link(payment: string, caseNumber: string, options: { amount?: number; accept?: boolean; json?: boolean }): Promise<void> {
  await withApp(options, async (app) => financeAction(options.json, async () => {
    const r = linkPayment(app, Number(payment), caseNumber.normalize('NFKC').trim().toUpperCase(), financeUser(), { ...(options.amount !== undefined ? { amount: options.amount } : {}), accept: !!options.accept });
    await deliverIfEmbedded(app);
    print(options.json, r, () => `入金ID ${r.payment} を ${r.case} に紐付けました（${r.amount.toLocaleString('ja-JP')}円）→ ${r.status}`);
  }));
}

export async function unlink(payment: string, caseNumber: string | undefined, options: { json?: boolean }): Promise<void> {
  await withApp(options, async (app) => financeAction(options.json, async () => {
    const r = unlinkPayment(app, Number(payment), caseNumber ? caseNumber.normalize('NFKC').trim().toUpperCase() : null, financeUser());
    await deliverIfEmbedded(app);
    print(options.json, r, () => r.cases.map((c) => `入金ID ${r.payment} の紐付けを ${c.case} から外しました → ${c.status}`).join('\n'));
  }));
}
