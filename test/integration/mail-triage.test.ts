// Staff triage of mail that became no case of its own (src/app/mail-triage.ts), without the browser: a near miss
// made a case of the kind staff chose (the case it was held in becomes the application, the applicant hears of it
// now), an unrelated mail attached to a case as the applicant's reply (its proof joins the case, which moves on),
// a near miss dismissed with a reason (its held case leaves the queue, nobody is written to); and the refusals.
import { afterEach, describe, expect, it } from 'vitest';
import { harness, form, mail, PROOF, type Harness } from '../support/harness.ts';
import { unrelatedDocx } from '../../scripts/lib/fill-renewal-form.ts';
import { dismissMail, findMessage, mailAttachment, openMail, triageAsCase, triageAsReply, TriageError } from '../../src/app/mail-triage.ts';
import { conken } from '../support/cli.ts';
import { dataEnv } from '../support/harness.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

const messageOf = (h: Harness, ref: string) => h.app.cases.messageById(findMessage(h.app, ref).id)!;
const eventTypes = (h: Harness, number: string) => h.app.cases.events(h.app.cases.caseByNumber(number)!.id).map((e) => `${e.actor} ${e.type}`);

describe('mail triage', () => {
  it('a near miss made a renewal: the held case becomes the application, the applicant is acknowledged and asked for the form', async () => {
    h = harness();
    const raw = await mail({ subject: '【更新申請】プロフェショナル更新申請書添附', text: '資格の更新について書類を送ります。', attachments: [{ filename: '議事録.docx', content: unrelatedDocx() }], messageId: 'near-1@example.jp' });
    const o = await h.process(raw);
    expect(o.classification).toBe('near-miss');
    const held = o.cases[0]!.number!;
    expect(h.app.outbox.outboxForCase(h.app.cases.caseByNumber(held)!.id)).toEqual([]);

    const view = await openMail(h.app, findMessage(h.app, '<near-1@example.jp>').id);
    expect(view.triageable).toBe(true);
    expect(view.parsed!.subject).toBe('【更新申請】プロフェショナル更新申請書添附');
    expect(view.text).toContain('資格の更新');
    expect(view.rawHeaders).toMatch(/^Message-ID: <near-1@example\.jp>/im);
    expect(view.attachments.map((a) => [a.filename, a.type])).toEqual([['議事録.docx', 'docx']]);
    expect(view.cases).toEqual([{ number: held, status: 'exception', role: 'original' }]);
    expect((await mailAttachment(h.app, view.message.id, 0))!.content.length).toBeGreaterThan(1000);

    await expect(triageAsCase(h.app, 'near-1@example.jp', 'no-such-kind', 'staff:sato')).rejects.toThrow(TriageError);
    const r = await triageAsCase(h.app, 'near-1@example.jp', 'renewal', 'staff:sato');
    expect(r.classification).toBe('application');
    expect(r.cases).toHaveLength(1);
    // The Word file is not our form: the applicant is asked for the form, staff see why (the intake's reading).
    expect(held).toMatch(/^R-/);
    expect(r.cases[0]).toMatchObject({ number: held, kind: 'renewal', created: false, status: 'exception' });
    expect(r.cases[0]!.notices).toEqual(['acknowledgement', 'missing-items']);
    const row = h.app.cases.caseByNumber(held)!;
    expect([row.kind, row.notices_suppressed]).toEqual(['renewal', 0]);
    expect(h.app.cases.currentFindings(row.id).map((f) => `${f.code}/${f.audience}`).sort()).toEqual(['form.not-found/applicant', 'form.not-found/staff']);
    expect(h.app.outbox.outboxForCase(row.id).map((n) => n.kind)).toEqual(['acknowledgement', 'missing-items']);
    expect(eventTypes(h, held)).toContain('staff:sato case.triaged');
    expect(messageOf(h, 'near-1@example.jp').classification).toBe('application');
    // Decided once: the mail is no longer for triage.
    await expect(triageAsCase(h.app, 'near-1@example.jp', 'renewal', 'staff:sato')).rejects.toThrow(/既に処理済み/);
  });

  it('a near miss held as of unknown kind made a renewal: a new R- case, the held X- case settled quietly', async () => {
    h = harness();
    const o = await h.process(await mail({ subject: 'お問い合わせ', text: '資格の更新について教えてください。', attachments: [], messageId: 'near-x@example.jp' }));
    const held = o.cases[0]!.number!;
    expect(held).toMatch(/^X-/);
    const r = await triageAsCase(h.app, 'near-x@example.jp', 'renewal', 'staff:sato');
    const number = r.cases[0]!.number!;
    expect(number).toMatch(/^R-2026-/);
    // No form: the applicant is asked for it (and staff see that the mail carried none), as for any mail without one.
    expect(r.cases[0]).toMatchObject({ created: true, status: 'exception', notices: ['acknowledgement', 'missing-items'] });
    expect(r.cases[0]!.findings.map((f) => `${f.code}/${f.audience}`)).toEqual(['form.not-found/applicant', 'form.not-found/staff']);
    const old = h.app.cases.caseByNumber(held)!;
    expect(old.status).not.toBe('exception');
    expect(h.app.outbox.outboxForCase(old.id)).toEqual([]);
    expect(JSON.parse(old.handled_findings_json!)[0]).toMatchObject({ code: 'subject.near-miss', reason: `メールを ${number} として受付`, by: 'staff:sato' });
  });

  it('an unrelated mail with a proof attached to a case as its reply: the proof joins the case and it moves on', async () => {
    h = harness();
    const first = await h.process(await mail({ attachments: [{ filename: '更新申請書.docx', content: form() }] }));
    const number = first.cases[0]!.number!;
    expect(first.cases[0]!.status).toBe('missing-items');
    const stray = await h.process(await mail({ subject: 'ランチのお誘い', text: '失礼しました。', attachments: [PROOF], messageId: 'stray-1@example.jp' }));
    expect([stray.classification, stray.ignored]).toEqual(['ignored', true]);

    await expect(triageAsReply(h.app, 'stray-1@example.jp', 'R-2026-999999', 'staff:sato')).rejects.toThrow(/案件はありません/);
    const r = await triageAsReply(h.app, 'stray-1@example.jp', number.toLowerCase(), 'staff:sato');
    expect(r.classification).toBe('reply');
    expect(r.cases[0]).toMatchObject({ number, created: false, status: 'awaiting-payment' });
    const row = h.app.cases.caseByNumber(number)!;
    expect(h.app.cases.caseAttachments(row.id).map((a) => a.filename)).toEqual(['更新申請書.docx', PROOF.filename]);
    expect(eventTypes(h, number)).toContain('staff:sato case.reply-received');
    expect(h.app.cases.caseMessages(row.id).map((m) => m.role)).toEqual(['original', 'reply']);
    expect(messageOf(h, 'stray-1@example.jp').classification).toBe('reply');
  });

  it('a near miss dismissed with a reason: the held case leaves the queue and nobody is written to', async () => {
    h = harness();
    const o = await h.process(await mail({ subject: '【更新申請】プロフェショナル更新申請書添附', attachments: [{ filename: '議事録.docx', content: unrelatedDocx() }], messageId: 'near-2@example.jp' }));
    const held = o.cases[0]!.number!;
    expect(() => dismissMail(h!.app, 'near-2@example.jp', '  ', 'staff:sato')).toThrow(/理由を入力/);
    const r = dismissMail(h.app, 'near-2@example.jp', '営業メールのため', 'staff:sato');
    expect(r.held).toBe(held);
    const m = messageOf(h, 'near-2@example.jp');
    expect([m.classification, m.note]).toEqual(['dismissed', '対応不要: 営業メールのため']);
    const row = h.app.cases.caseByNumber(held)!;
    expect(row.status).not.toBe('exception');
    expect(h.app.cases.currentFindings(row.id).filter((f) => f.audience === 'staff')).toEqual([]);
    expect(h.app.outbox.outboxForCase(row.id)).toEqual([]);
    expect(eventTypes(h, held)).toContain('staff:sato mail.dismissed');
    expect(() => dismissMail(h!.app, 'near-2@example.jp', 'もう一度', 'staff:sato')).toThrow(/既に処理済み/);
  });

  it('the CLI: conken triage calls the same entry points, and exits 2 with the reason when refused', async () => {
    h = harness();
    await h.process(await mail({ subject: 'ランチのお誘い', text: '12時にロビーで。', attachments: [{ filename: '議事録.docx', content: unrelatedDocx() }], messageId: 'lunch@example.jp' }));
    const env = { ...dataEnv(h.dir), CONKEN_USER: 'sato' };
    const refused = await conken(['triage', 'nobody@example.jp', 'dismiss', '理由'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('見つかりません');
    const done = await conken(['triage', 'lunch@example.jp', 'case', 'renewal', '--json'], env);
    expect(done.code).toBe(0);
    const out = JSON.parse(done.stdout) as { classification: string; cases: { number: string; status: string }[] };
    expect(out.classification).toBe('application');
    expect(out.cases[0]!.number).toMatch(/^R-2026-\d{6}$/);
    h.restart();
    const row = h.app.cases.caseByNumber(out.cases[0]!.number)!;
    expect(h.app.cases.events(row.id).map((e) => `${e.actor} ${e.type}`)).toContain('staff:sato case.created');
  });
});
