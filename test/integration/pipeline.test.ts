// The whole path on real files: mails → cases → notices → payments → reviewer, replies, duplicates,
// restarts, archives, the daily cap, and the sample mails through the daemon's drain.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { simpleParser } from 'mailparser';
import { harness, form, mail, PROOF, sampleMail, SAMPLES, type Harness } from '../support/harness.ts';
import { importStatementRows } from '../../src/app/import-payments.ts';
import { drainSource, deliverOutbox } from '../../src/app/daemon.ts';
import type { MailOutcome } from '../../src/app/process-mail.ts';
import { FolderSource } from '../../src/intake/sources/folder-source.ts';
import { FolderTransport } from '../../src/outbound/transports/folder-transport.ts';

let h: Harness;
beforeEach(() => { h = harness(); });
afterEach(() => h.close());

const pay = (transferName: string, amount = 11000, paidOn = '2026-01-15') =>
  importStatementRows(h.app, 'test.csv', `hash-${Math.random()}`, 'simple-csv', [{ line: 2, paidOn, amount, transferName }], 'test');
const outbox = (caseNumber: string) => h.app.outbox.outboxForCase(h.app.cases.caseByNumber(caseNumber)!.id);
const kinds = (caseNumber: string) => outbox(caseNumber).map((o) => o.kind);

describe('the renewal path', () => {
  it('complete form → acknowledgement + awaiting payment; payment → ready for review, routed with the originals', async () => {
    const o = await h.process(await mail());
    const number = o.cases[0]!.number!;
    expect(number).toBe('R-2026-000001');
    expect(o.cases[0]!.status).toBe('awaiting-payment');
    expect(kinds(number)).toEqual(['acknowledgement', 'awaiting-payment']);

    const result = pay('0123ｺﾝﾀﾞｹﾝﾀﾛｳ');
    expect(result.matched).toEqual([{ payment: expect.any(Number), case: number, status: 'ready-for-review' }]);
    expect(kinds(number)).toEqual(['acknowledgement', 'awaiting-payment', 'accepted', 'review-request']);

    const sent = await deliverOutbox(h.app, new FolderTransport(h.config.outbox.dir));
    expect(sent).toEqual({ sent: 4, failed: 0 });
    const review = await simpleParser(readFileSync(path.join(h.config.outbox.dir, `${number}.review-request.1.eml`)));
    expect(review.to && 'text' in review.to ? review.to.text : '').toBe('reviewer@conken.example.jp');
    expect(review.attachments.map((a) => a.filename)).toEqual(['更新申請書.docx', '受講証明書.pdf']);
    expect(review.text).toMatch(/算入ポイント合計：32（必要 30）/);
    const ack = await simpleParser(readFileSync(path.join(h.config.outbox.dir, `${number}.acknowledgement.1.eml`)));
    expect(ack.subject).toContain(number);
    expect(ack.headers.get('auto-submitted')).toBe('auto-replied');
    expect(ack.inReplyTo).toMatch(/^<test-/);
  });

  it('a payment that arrives before the application is matched when the application comes', async () => {
    expect(pay('0123ｺﾝﾀﾞｹﾝﾀﾛｳ').matched).toEqual([]);
    const o = await h.process(await mail());
    expect(o.cases[0]!.status).toBe('ready-for-review');
    expect(kinds(o.cases[0]!.number!)).toEqual(['acknowledgement', 'accepted', 'review-request']);
  });

  it('never matches a wrong amount, a name without digits, or a key two applicants share', async () => {
    await h.process(await mail());
    expect(pay('0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 10000).matched).toEqual([]);
    expect(pay('ｺﾝﾀﾞｹﾝﾀﾛｳ', 11000, '2026-01-16').matched).toEqual([]);
    // Not linked, but not silent either: the case waits for finance (入金確認中) with both payments as findings (SPEC §5, §8).
    const c = h.app.cases.caseByNumber('R-2026-000001')!;
    expect(h.app.payments.paymentsForCase(c.id)).toEqual([]);
    expect(c.status).toBe('payment-review');
    expect(h.app.cases.currentFindings(c.id).map((f) => `${f.code}/${f.audience}`).sort()).toEqual(['payment.ambiguous/finance', 'payment.amount-mismatch/finance']);
  });

  it('one missing-items notice lists every applicant finding; the reply with the fixed form completes the case', async () => {
    const first = await h.process(await mail({ messageId: 'orig-1@example.jp', attachments: [{ filename: 'a.docx', content: form({ email: '', ethics: 'unchecked' }) }, PROOF] }));
    const number = first.cases[0]!.number!;
    expect(first.cases[0]!.status).toBe('missing-items');
    const notice = outbox(number).find((o) => o.kind === 'missing-items')!;
    const text = (JSON.parse(notice.mail_json) as { text: string }).text;
    expect(text).toMatch(/1\. .*Eメールアドレス/);
    expect(text).toMatch(/2\. .*チェック/);

    const reply = await h.process(await mail({ subject: 'Re: 書類の件', messageId: 'reply-1@example.jp', inReplyTo: notice.rfc_message_id, references: ['orig-1@example.jp', notice.rfc_message_id], attachments: [{ filename: 'a2.docx', content: form() }] }));
    expect(reply.classification).toBe('reply');
    expect(reply.cases).toHaveLength(1);
    expect(reply.cases[0]).toMatchObject({ number, status: 'awaiting-payment', created: false });
    // The proof from the first mail still counts.
    expect(reply.cases[0]!.findings.some((f) => f.code === 'proof.missing')).toBe(false);
    expect(h.app.cases.listCases()).toHaveLength(1);
  });

  it('a reply found by the case number in its subject joins the case; a text-only reply goes to staff', async () => {
    const first = await h.process(await mail({ attachments: [{ filename: 'a.docx', content: form() }] }));
    const number = first.cases[0]!.number!;
    expect(first.cases[0]!.status).toBe('missing-items');
    const proofOnly = await h.process(await mail({ subject: `Re: 【コン検】申請書類の不足・修正のお願い（受付番号 ${number}）`, attachments: [PROOF] }));
    expect(proofOnly.cases[0]).toMatchObject({ number, status: 'awaiting-payment' });

    const second = await h.process(await mail({ attachments: [{ filename: 'b.docx', content: form({ name: '' }) }, PROOF] }));
    const textOnly = await h.process(await mail({ subject: `電話番号の件 ${second.cases[0]!.number}`, attachments: [] }));
    expect(textOnly.cases[0]!.findings.some((f) => f.code === 'reply.text-only' && f.audience === 'staff')).toBe(true);
    expect(textOnly.cases[0]!.status).toBe('exception');
  });

  it('one mail with two forms opens two cases that share the proof', async () => {
    const o = await h.process(await mail({ attachments: [
      { filename: 'omp.docx', content: form() },
      { filename: 'cap.docx', content: form({ qualification: { kind: 'delete-other', choose: 'CAP' }, certificationNumber: 'CAP-2023-0124', feeTransferName: '0124コンダケンタロウ' }) },
      PROOF,
    ] }));
    expect(o.cases.map((c) => [c.number, (c.application as { qualification?: string }).qualification, c.status])).toEqual([
      ['R-2026-000001', 'OMP', 'awaiting-payment'], ['R-2026-000002', 'CAP', 'awaiting-payment'],
    ]);
    for (const c of o.cases) expect(h.app.cases.caseAttachments(h.app.cases.caseByNumber(c.number!)!.id).map((a) => a.role)).toEqual(['form', 'document']);
  });

  it('opens .zip attachments (Shift_JIS names included) and refuses a zip bomb', async () => {
    const zip = zipSync({ 'forms/申請書.docx': form(), 'proof.pdf': PROOF.content });
    const o = await h.process(await mail({ attachments: [{ filename: 'まとめ.zip', content: zip }] }));
    expect(o.cases[0]!.status).toBe('awaiting-payment');
    const bomb = zipSync(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}.txt`, new Uint8Array(10)])));
    const o2 = await h.process(await mail({ attachments: [{ filename: 'many.zip', content: bomb }] }));
    expect(o2.cases[0]!.findings.some((f) => f.code === 'attachment.unreadable' && /多すぎ/.test(f.message))).toBe(true);
  });

  it('never answers automatic mail and ignores unrelated mail', async () => {
    const auto = await h.process(await mail({ headers: { 'Auto-Submitted': 'auto-replied' } }));
    const list = await h.process(await mail({ headers: { 'List-Id': '<x.example>' } }));
    const unrelated = await h.process(await mail({ subject: 'ランチのお誘い', attachments: [] }));
    expect([auto, list, unrelated].map((o) => [o.classification, o.ignored])).toEqual([['automatic', true], ['automatic', true], ['ignored', true]]);
    expect(h.app.cases.listCases()).toEqual([]);
    expect(h.app.outbox.outboxCounts()).toEqual({});
  });

  it('caps automatic mails per sender per day', async () => {
    for (let i = 0; i < 4; i++) await h.process(await mail({ attachments: [{ filename: 'a.docx', content: form({ name: '' }) }, PROOF] }));
    const counts = h.app.outbox.outboxCounts();
    expect(counts.pending).toBe(h.app.rules.intake.autoReplies.maxPerSenderPerDay);
    expect(counts.suppressed).toBe(8 - h.app.rules.intake.autoReplies.maxPerSenderPerDay);
  });
});

describe('exactly once', () => {
  it('the same mail delivered twice becomes one case with one set of notices', async () => {
    const raw = await mail();
    await h.process(raw);
    const again = await h.process(Buffer.concat([Buffer.from('Received: from mx2.example.jp\r\n'), raw]));
    expect(again.classification).toBe('duplicate');
    expect(h.app.cases.listCases()).toHaveLength(1);
    expect(h.app.outbox.outboxCounts()).toEqual({ pending: 2 });
  });

  it('a restart after commit but before the mail was moved processes nothing twice and sends nothing twice', async () => {
    mkdirSync(h.config.inbox.dir, { recursive: true });
    writeFileSync(path.join(h.config.inbox.dir, 'a.eml'), await mail());
    // Commit, then "crash" before the source is told: the file stays in the inbox.
    const source = new FolderSource(h.config.inbox.dir, h.config.inbox.processedDir);
    const [pending] = await source.pending();
    await h.process(pending!.raw, 'a.eml');
    const transport = new FolderTransport(h.config.outbox.dir);
    await deliverOutbox(h.app, transport);
    h.restart();
    const outcomes = await drainSource(h.app, source);
    expect(outcomes.map((o) => o.classification)).toEqual(['duplicate']);
    expect(readdirSync(h.config.inbox.dir).filter((f) => f.endsWith('.eml'))).toEqual([]);
    expect(await deliverOutbox(h.app, transport)).toEqual({ sent: 0, failed: 0 });
    expect(readdirSync(h.config.outbox.dir).sort()).toEqual(['R-2026-000001.acknowledgement.1.eml', 'R-2026-000001.awaiting-payment.1.eml']);
  });

  it('a failed delivery is retried later, and the audit log cannot be rewritten', async () => {
    await h.process(await mail());
    let fail = true;
    const flaky = { name: 'flaky', send: async () => { if (fail) throw new Error('connection refused'); } };
    expect(await deliverOutbox(h.app, flaky)).toEqual({ sent: 0, failed: 2 });
    fail = false;
    expect(await deliverOutbox(h.app, flaky)).toEqual({ sent: 0, failed: 0 }); // backing off
    h.app.db.exec(`UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z'`);
    expect(await deliverOutbox(h.app, flaky)).toEqual({ sent: 2, failed: 0 });
    expect(() => h.app.db.exec(`UPDATE events SET type = 'x'`)).toThrow(/append-only/);
    expect(() => h.app.db.exec('DELETE FROM events')).toThrow(/append-only/);
  });

  it('a mail that breaks the parser, and any one bad mail, does not stop the drain', async () => {
    mkdirSync(h.config.inbox.dir, { recursive: true });
    writeFileSync(path.join(h.config.inbox.dir, '1-bad.eml'), Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37]));
    copyFileSync(path.join(SAMPLES, 'mails', '12-malformed.eml'), path.join(h.config.inbox.dir, '2-malformed.eml'));
    writeFileSync(path.join(h.config.inbox.dir, '3-good.eml'), await mail());
    const outcomes = await drainSource(h.app, new FolderSource(h.config.inbox.dir, h.config.inbox.processedDir));
    expect(outcomes).toHaveLength(3);
    expect(outcomes[1]!.cases[0]!.findings.some((f) => f.code === 'mail.malformed' && f.audience === 'staff')).toBe(true);
    expect(outcomes[2]!.cases[0]!.status).toBe('awaiting-payment');
  });
});

describe('the sample mails', () => {
  it('decode Japanese in ISO-2022-JP and RFC 2231', async () => {
    const iso = await h.process(sampleMail('02-missing-fields-iso2022jp.eml'));
    const rfc2231 = await h.process(sampleMail('03-cpd-under-30-rfc2231.eml'));
    const names = (n: string) => h.app.cases.caseAttachments(h.app.cases.caseByNumber(n)!.id).map((a) => a.filename);
    expect(names(iso.cases[0]!.number!)).toEqual(['更新申請書_山田.docx', '受講証明書.pdf']);
    expect(names(rfc2231.cases[0]!.number!)).toEqual(['更新申請書_山田花子（CPD報告）.docx', '受講証明書.pdf']);
  });

  it('end where their expected outcomes say, through the daemon\'s drain', async () => {
    mkdirSync(h.config.inbox.dir, { recursive: true });
    // The scanned and photographed forms (mails 25, 26) take a minute each of OCR: scanned-mail.test.ts has them.
    for (const f of readdirSync(path.join(SAMPLES, 'mails')).filter((f) => !/^2[56]-/.test(f))) copyFileSync(path.join(SAMPLES, 'mails', f), path.join(h.config.inbox.dir, f));
    const outcomes = await drainSource(h.app, new FolderSource(h.config.inbox.dir, h.config.inbox.processedDir));
    const byRef: Record<string, MailOutcome> = Object.fromEntries(outcomes.map((o) => [o.ref, o]));
    const codes = (ref: string) => [...new Set(byRef[ref]!.cases.flatMap((c) => c.findings.map((f) => f.code)))].sort();
    expect(byRef['01-complete-omp.eml']!.cases[0]!.status).toBe('awaiting-payment');
    expect(byRef['05-reply-to-notice.eml']!.cases[0]).toMatchObject({ number: 'R-2026-000002', status: 'awaiting-payment' });
    expect(byRef['04-two-forms.eml']!.cases.map((c) => c.status)).toEqual(['awaiting-payment', 'awaiting-payment']);
    for (const [ref, expected] of [['13-ethics-unchecked.eml', 'renewal-ethics-unchecked'], ['14-out-of-period.eml', 'renewal-out-of-period'], ['15-caps-exceeded.eml', 'renewal-caps-exceeded'], ['16-both-qualifications.eml', 'renewal-both-qualifications'], ['17-variants.eml', 'renewal-variants']] as const) {
      const exp = JSON.parse(readFileSync(path.join(SAMPLES, 'forms', `${expected}.expected.json`), 'utf8')) as { expectedFindings: string[]; expectedStatus: string };
      expect(codes(ref), ref).toEqual([...exp.expectedFindings].sort());
      expect(byRef[ref]!.cases[0]!.status, ref).toBe(exp.expectedStatus);
    }
    expect(byRef['06-unrelated.eml']!.ignored && byRef['08-auto-reply.eml']!.ignored).toBe(true);
    expect(codes('07-near-miss.eml')).toContain('subject.near-miss');
    expect(codes('09-corrupt-docx.eml')).toContain('attachment.unreadable');
    expect(codes('10-not-our-form.eml')).toContain('form.not-found');
    expect(codes('11-unsupported-attachment.eml')).toContain('attachment.unsupported');
    expect(codes('12-malformed.eml')).toContain('mail.malformed');
    expect(readdirSync(h.config.inbox.dir).filter((f) => f.endsWith('.eml'))).toEqual([]);
  });
});

