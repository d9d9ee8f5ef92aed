// A payment question is finance's (issue 16 point 4), on real mails, a real statement and a real database:
// a transfer that may pay either of two applications leaves both cases 入金確認中 (payment-review), out of the
// staff exceptions queue and without a request to pay; finance escalate one case to staff with a note (the app
// function and `conken payments escalate`); linking the payment moves that case on and the other back to waiting.
import { afterEach, describe, expect, it } from 'vitest';
import { dataEnv, form, harness, mail, PROOF, type Harness } from '../support/harness.ts';
import { conken } from '../support/cli.ts';
import { importStatement } from '../../src/app/import-statement-file.ts';
import { linkPayment, PaymentActionError } from '../../src/app/import-payments.ts';
import { escalatePayment, financeQueue } from '../../src/app/finance-actions.ts';
import { runMatching } from '../../src/app/payment-matching.ts';
import { sendPaymentReminders } from '../../src/app/payment-reminders.ts';
import { exceptionQueue } from '../../src/cases/workbench-queries.ts';
import { transaction } from '../../src/cases/db.ts';
import { APPLICANTS } from '../../scripts/lib/statement-data.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

const NOTE = '振込名義が「0777ﾔﾏﾀﾞ」のみです。申請者に振込日と名義をご確認ください。';

/** Hanako and Haruka Yamada share the last four digits 0777: a transfer "0777ﾔﾏﾀﾞ" may pay either. */
async function twoYamadas(target: Harness): Promise<{ hanako: string; haruka: string; payment: number }> {
  const numbers: Record<string, string> = {};
  for (const id of ['hanako', 'haruka']) {
    const a = APPLICANTS.find((x) => x.id === id)!;
    const o = await target.process(await mail({ from: a.fill.email!, messageId: `fq-${id}-${process.pid}@example.jp`, attachments: [{ filename: '更新申請書.docx', content: form(a.fill) }, PROOF] }));
    expect(o.cases[0]!.status).toBe('awaiting-payment');
    numbers[id] = o.cases[0]!.number!;
  }
  await importStatement(target.app, Buffer.from('date,amount,transfer_name\n2026-01-19,11000,0777ﾔﾏﾀﾞ\n2026-01-20,5000,ｶ)ﾍﾞﾂｼﾞｷﾞﾖｳ\n'), 'yamada.csv', 'finance:keiri');
  const p = financeQueue(target.app).find((x) => x.transferName === '0777ﾔﾏﾀﾞ')!;
  expect(p.code).toBe('payment.ambiguous');
  return { hanako: numbers.hanako!, haruka: numbers.haruka!, payment: p.id };
}

describe('a payment question is finance\'s (入金確認中)', () => {
  it('ambiguous → both candidates under review, not staff exceptions; escalate → in the staff queue with the note; link → one moves on, the other waits again', async () => {
    h = harness();
    const app = h.app;
    const { hanako, haruka, payment } = await twoYamadas(h);
    const row = (n: string) => app.cases.caseByNumber(n)!;
    const staffQueue = () => exceptionQueue(app.db).map((r) => ({ number: r.number, reasons: r.reasons.map((x) => `${x.code}: ${x.message}`) }));
    const noticeKinds = (n: string) => app.outbox.outboxForCase(row(n).id).map((o) => o.kind);

    // Both candidates wait for finance: 入金確認中 with a finance finding naming the payment, no staff finding.
    for (const n of [hanako, haruka]) {
      expect(row(n).status).toBe('payment-review');
      const findings = app.cases.currentFindings(row(n).id);
      expect(findings.map((f) => `${f.code}/${f.audience}`)).toEqual(['payment.ambiguous/finance']);
      expect(findings[0]!.message).toContain(`入金ID ${payment}`);
      expect(noticeKinds(n)).toEqual(['acknowledgement', 'awaiting-payment']);
    }
    expect(staffQueue()).toEqual([]);
    // No reminder to pay while a payment of theirs is under review, however long it takes.
    expect(sendPaymentReminders(app, new Date(Date.now() + 30 * 86_400_000))).toEqual([]);

    // Finance escalate Hanako's case with a note: a staff exception whose reason is the note; Haruka stays with finance.
    expect(() => escalatePayment(app, payment, hanako, '   ', 'keiri')).toThrow(PaymentActionError);
    const other = financeQueue(app).find((x) => x.transferName === 'ｶ)ﾍﾞﾂｼﾞｷﾞﾖｳ')!;
    expect(() => escalatePayment(app, other.id, hanako, NOTE, 'keiri')).toThrow(/候補の案件ではありません/);
    const r = escalatePayment(app, payment, hanako, NOTE, 'keiri');
    expect(r).toEqual({ payment, case: hanako, status: 'exception' });
    expect(staffQueue()).toEqual([{ number: hanako, reasons: [`payment.escalated: ${NOTE}`] }]);
    expect(row(haruka).status).toBe('payment-review');
    const event = app.cases.events(row(hanako).id).find((e) => e.type === 'payment.escalated')!;
    expect(event.actor).toBe('finance:keiri');
    expect(JSON.parse(event.data_json!)).toEqual({ payment, note: NOTE });
    expect(app.payments.paymentHistory(payment).map((e) => e.type)).toContain('payment.escalated');
    // The applicant is told nothing of it.
    expect(noticeKinds(hanako)).toEqual(['acknowledgement', 'awaiting-payment']);

    // The matcher's next run keeps the escalation while the payment is under review.
    transaction(app.db, () => runMatching(app));
    expect(row(hanako).status).toBe('exception');
    expect(staffQueue().map((q) => q.number)).toEqual([hanako]);
    expect(financeQueue(app).some((x) => x.id === payment)).toBe(true);

    // Finance link the payment to Haruka: she moves on; Hanako's question (and the escalation) goes, she waits for her fee.
    expect(linkPayment(app, payment, haruka, 'keiri').status).toBe('ready-for-review');
    expect(row(hanako).status).toBe('awaiting-payment');
    expect(app.cases.currentFindings(row(hanako).id)).toEqual([]);
    expect(staffQueue()).toEqual([]);
    // Back to waiting without a second request to pay; reminders apply to her again.
    expect(noticeKinds(hanako)).toEqual(['acknowledgement', 'awaiting-payment']);
    expect(sendPaymentReminders(app, new Date(Date.now() + 30 * 86_400_000))).toEqual([hanako]);
  }, 60_000);

  it('`conken payments escalate` does the same from the command line (finance user, --json), and says why it cannot', async () => {
    h = harness();
    const { hanako, haruka, payment } = await twoYamadas(h);
    const env = { ...dataEnv(h.dir), CONKEN_USER: 'keiri' };
    const ok = await conken(['payments', 'escalate', String(payment), haruka, '--note', NOTE, '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ payment, case: haruka, status: 'exception' });
    h.restart();
    expect(exceptionQueue(h.app.db).map((r) => [r.number, r.reasons.map((x) => x.message)])).toEqual([[haruka, [NOTE]]]);
    expect(h.app.cases.caseByNumber(hanako)!.status).toBe('payment-review');
    const bad = await conken(['payments', 'escalate', String(payment), hanako, '--note', ' ', '--json'], env);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error).toMatch(/連絡事項/);
  }, 60_000);
});
