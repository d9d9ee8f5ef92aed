// Postal applications without an e-mail address, end to end through the real pipeline (a text PDF of the renewal
// form with its e-mail address taken out; no OCR): the postal address is the contact, so the form's empty e-mail
// address is the reviewer's note, never a missing item (rules/renewal.yaml fields.optionalByChannel) — while the
// same form by mail is still asked for it. The applicant's posted reply (the proof the letter asked for), scanned
// by staff and attached to the case by its number, goes the way a mail reply goes: the transition's `reply`.
import { afterEach, describe, expect, it } from 'vitest';
import { dataEnv, PROOF, ROOT, tempDir } from '../support/harness.ts';
import { RENEWAL_FORM_PDF, renewalFormWithoutEmail } from '../support/form-without-email.ts';
import { loadConfig } from '../../src/config/config.ts';
import { closeApp, createApp, type App } from '../../src/app/context.ts';
import { silentLogger } from '../../src/shared/log.ts';
import { PostalError, receivePostal, receivePostalReply } from '../../src/app/postal-intake.ts';
import { caseChannel } from '../../src/app/case-channel.ts';
import { validatorFor } from '../../src/validate/index.ts';
import '../../src/kinds/index.ts';
import type { ApplicationBase } from '../../src/extract/forms/form-kind.ts';
import type { OutgoingMail } from '../../src/outbound/outgoing-mail.ts';

const NOW = new Date('2026-01-25T10:00:00+09:00');

let app: App | undefined;
afterEach(() => {
  if (app) closeApp(app);
  app = undefined;
});

function setup(): App {
  const config = loadConfig({ cwd: ROOT, env: { ...dataEnv(tempDir()), CONKEN_REVIEWER_ADDRESS: 'reviewer@conken.example.jp' } });
  return (app = createApp(config, silentLogger()));
}

const letterText = (a: App, caseId: number, kind: string) => (JSON.parse(a.outbox.outboxForCase(caseId).find((o) => o.kind === kind && o.audience === 'applicant')!.mail_json) as OutgoingMail).text;

describe('postal applications: the postal address is the contact', () => {
  it('a complete paper form without an e-mail address waits for the fee, told by an acknowledgement letter worded for paper', async () => {
    const a = setup();
    const r = await receivePostal(a, { kind: 'renewal', receivedOn: '2026-01-20', files: [{ filename: 'scan.pdf', content: await renewalFormWithoutEmail() }, { filename: '受講証明書.pdf', content: Buffer.from(PROOF.content) }] }, 'staff:sato', NOW);
    expect([r.contact, r.cases[0]!.status]).toEqual(['print', 'awaiting-payment']);
    const c = a.cases.caseByNumber(r.cases[0]!.number!)!;
    expect(caseChannel(a, c)).toBe('post');
    const findings = a.cases.currentFindings(c.id);
    expect(findings.filter((f) => f.audience === 'applicant')).toEqual([]);
    expect(findings.find((f) => f.field === 'email')).toMatchObject({ code: 'field.missing', audience: 'reviewer' });
    const rows = a.outbox.outboxForCase(c.id).filter((o) => o.audience === 'applicant');
    expect(rows.map((o) => [o.kind, o.status])).toEqual([['acknowledgement', 'letter'], ['awaiting-payment', 'letter']]);
    const ack = letterText(a, c.id, 'acknowledgement');
    expect(ack).toContain('郵送でお送りいただいた申請書を2026年1月20日に受け付けました。');
    expect(ack).toContain('別途郵便でお知らせします');
    expect(ack).not.toMatch(/メール|返信/);

    // A paper form that gives an e-mail address is written to by mail: worded for mail, but it says what came.
    const withEmail = await receivePostal(a, { kind: 'renewal', receivedOn: '2026-01-20', files: [{ filename: 'scan.pdf', content: RENEWAL_FORM_PDF }, { filename: '受講証明書.pdf', content: Buffer.from(PROOF.content) }] }, 'staff:sato', NOW);
    const mailed = a.cases.caseByNumber(withEmail.cases[0]!.number!)!;
    expect(a.outbox.outboxForCase(mailed.id).find((o) => o.kind === 'acknowledgement')!.status).toBe('pending');
    const mailAck = letterText(a, mailed.id, 'acknowledgement');
    expect(mailAck).toContain('郵送でお送りいただいた申請書を2026年1月20日に受け付けました。');
    expect(mailAck).toContain('このメールに返信するか');

    // The same form's reading, judged as a mail application: the e-mail address is still required there.
    const application = JSON.parse(c.application_json!) as ApplicationBase;
    const validator = validatorFor('renewal')!;
    const ctx = { received: '2026-01-20', proofCount: 1, documents: [] } as const;
    const byMail = validator.validate(application, a.rules.kinds.renewal!, ctx).findings.filter((f) => f.field === 'email');
    expect(byMail.map((f) => [f.code, f.audience])).toEqual([['field.missing', 'applicant']]);
    expect(validator.validate(application, a.rules.kinds.renewal!, { ...ctx, channel: 'post' }).findings.filter((f) => f.field === 'email').map((f) => f.audience)).toEqual(['reviewer']);
    // A written but impossible address is still the applicant's to correct, by post as by mail.
    const wrong = { ...application, email: 'k.konda@@example' } as ApplicationBase;
    expect(validator.validate(wrong, a.rules.kinds.renewal!, { ...ctx, channel: 'post' }).findings.filter((f) => f.field === 'email').map((f) => [f.code, f.audience])).toEqual([['field.invalid', 'applicant']]);
  });

  it('a posted reply with the missing proof joins the case as a mail reply does: awaiting payment, a letter, on the history', async () => {
    const a = setup();
    // No proof of the A/B courses enclosed: missing items, by letter, telling how to post the reply.
    const r = await receivePostal(a, { kind: 'renewal', receivedOn: '2026-01-20', files: [{ filename: 'scan.pdf', content: await renewalFormWithoutEmail() }] }, 'staff:sato', NOW);
    const number = r.cases[0]!.number!;
    expect(r.cases[0]!.status).toBe('missing-items');
    const c = a.cases.caseByNumber(number)!;
    const asked = letterText(a, c.id, 'missing-items');
    expect(asked).toContain('【ご返送の方法】');
    expect(asked).toContain(`本状右上に記載の当協会あてに\n郵送してください。同封の書類には受付番号（${number}）を書き添えてください。`);
    expect(asked).not.toMatch(/メール|返信/);

    // Staff refuse what is no reply: an unknown number, no files, a file that is no scan.
    await expect(receivePostalReply(a, { caseNumber: 'R-2026-999999', receivedOn: '2026-01-24', files: [{ filename: 'p.pdf', content: Buffer.from(PROOF.content) }] }, 'staff:sato', NOW)).rejects.toThrow(PostalError);
    await expect(receivePostalReply(a, { caseNumber: number, receivedOn: '2026-01-24', files: [] }, 'staff:sato', NOW)).rejects.toThrow(/スキャンしたファイル/);
    await expect(receivePostalReply(a, { caseNumber: number, receivedOn: '2026-01-24', files: [{ filename: 'x.txt', content: Buffer.from('hello') }] }, 'staff:sato', NOW)).rejects.toThrow(PostalError);
    expect(a.cases.caseByNumber(number)!.status).toBe('missing-items');

    // The number typed in full width and lower case still finds the case (NFKC, as the mail triage does).
    const reply = await receivePostalReply(a, { caseNumber: ` ${number.toLowerCase().replace('-', '－')} `, receivedOn: '2026-01-24', files: [{ filename: '受講証明書.pdf', content: Buffer.from(PROOF.content) }] }, 'staff:sato', NOW);
    expect([reply.classification, reply.cases.map((x) => [x.number, x.status])]).toEqual(['reply', [[number, 'awaiting-payment']]]);
    const after = a.cases.caseByNumber(number)!;
    expect(after.status).toBe('awaiting-payment');
    expect(a.cases.caseMessages(after.id).map((m) => m.role)).toEqual(['original', 'reply']);
    expect(a.cases.caseAttachments(after.id).map((x) => x.filename)).toContain('受講証明書.pdf');
    expect(caseChannel(a, after)).toBe('post');
    const rows = a.outbox.outboxForCase(after.id).filter((o) => o.audience === 'applicant');
    expect(rows.map((o) => [o.kind, o.status])).toEqual([['acknowledgement', 'letter'], ['missing-items', 'letter'], ['awaiting-payment', 'letter']]);
    const events = a.cases.events(after.id);
    expect(events.filter((e) => e.type === 'postal.reply').map((e) => [e.actor, JSON.parse(e.data_json!)])).toEqual([['staff:sato', { receivedOn: '2026-01-24', files: 1 }]]);
  });
});
