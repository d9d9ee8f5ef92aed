// Staff decisions on a case through the case transition (src/app/staff-actions.ts), as the CLI and the
// workbench call them: a late application accepted (the staff finding handled, for good), a notice sent
// again, a note on the history; and the CLI's refusals.
import { afterEach, describe, expect, it } from 'vitest';
import { dataEnv, harness, mail, type Harness } from '../support/harness.ts';
import { addCaseNote, handleFinding, resendNotice, StaffActionError } from '../../src/app/staff-actions.ts';
import { conken } from '../support/cli.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

const MARCH = new Date('2026-03-05T10:00:00+09:00'); // after the window (1 January – end of February)

describe('staff actions on a case', () => {
  it('a late application accepted moves on, asks for the fee, and stays accepted when the applicant replies', async () => {
    h = harness();
    const first = await h.process(await mail({ date: MARCH }));
    const number = first.cases[0]!.number!;
    expect(first.cases[0]).toMatchObject({ status: 'exception' });
    expect(first.cases[0]!.findings.map((f) => `${f.code}/${f.audience}`)).toContain('window.outside/staff');

    expect(() => handleFinding(h!.app, number, 'window.outside', null, ' ', 'staff:sato')).toThrow(StaffActionError);
    expect(() => handleFinding(h!.app, number, 'reply.text-only', null, '確認済み', 'staff:sato')).toThrow(/その確認事項はこの案件にありません/);
    const r = handleFinding(h.app, number, 'window.outside', null, '事務局長の承認により受付', 'staff:sato', new Date('2026-03-06T01:00:00Z'));
    expect(r).toEqual({ case: number, previous: 'exception', status: 'awaiting-payment', notices: ['awaiting-payment'] });
    const row = h.app.cases.caseByNumber(number)!;
    expect(h.app.cases.currentFindings(row.id).map((f) => f.code)).not.toContain('window.outside');
    const events = h.app.cases.events(row.id).map((e) => [e.actor, e.type]);
    expect(events).toContainEqual(['staff:sato', 'finding.handled']);
    const notice = h.app.outbox.outboxForCase(row.id).find((o) => o.kind === 'awaiting-payment')!;
    expect(JSON.parse(notice.mail_json).text).toContain(number);

    // The applicant replies with the form again: the form is evaluated again, the late receipt stays accepted.
    const ack = h.app.outbox.outboxForCase(row.id).find((o) => o.kind === 'acknowledgement')!;
    const reply = await h.process(await mail({ date: new Date('2026-03-07T10:00:00+09:00'), inReplyTo: ack.rfc_message_id, references: [ack.rfc_message_id], subject: `Re: ${number}` }));
    expect(reply.cases[0]).toMatchObject({ number, status: 'awaiting-payment' });
  });

  it('sends a notice again with a new Message-ID, refuses one that does not fit, and keeps a note in the history', async () => {
    h = harness();
    const number = (await h.process(await mail())).cases[0]!.number!;
    const row = h.app.cases.caseByNumber(number)!;
    expect(row.status).toBe('awaiting-payment');
    const r = resendNotice(h.app, number, 'awaiting-payment', 'staff:sato');
    expect(r.notices).toEqual(['awaiting-payment']);
    const ids = h.app.outbox.outboxForCase(row.id).filter((o) => o.kind === 'awaiting-payment').map((o) => o.rfc_message_id);
    expect(ids).toEqual([`${number}.awaiting-payment.1@conken-intake.local`, `${number}.awaiting-payment.2@conken-intake.local`]);
    expect(() => resendNotice(h!.app, number, 'accepted', 'staff:sato')).toThrow(/その通知は送れません/);
    expect(() => resendNotice(h!.app, number, 'no-such-notice', 'staff:sato')).toThrow(StaffActionError);

    addCaseNote(h.app, number, '電話で振込予定日を確認（3月10日）', 'staff:sato');
    const note = h.app.cases.events(row.id).find((e) => e.type === 'case.note')!;
    expect(note.actor).toBe('staff:sato');
    expect(JSON.parse(note.data_json!)).toEqual({ text: '電話で振込予定日を確認（3月10日）' });
    expect(() => addCaseNote(h!.app, number, '   ', 'staff:sato')).toThrow(/メモが空です/);
  });

  it('the CLI calls the same entry points and exits 2 with the reason when a transition is refused', async () => {
    h = harness();
    const number = (await h.process(await mail({ date: MARCH }))).cases[0]!.number!;
    // Another process on the same database, as staff's shell beside the daemon.
    const env = { ...dataEnv(h.dir), CONKEN_USER: 'sato' };
    const refused = await conken(['finding', 'handle', number, 'cpd.insufficient', '理由', '--json'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('その確認事項はこの案件にありません');
    const done = await conken(['finding', 'handle', number, 'window.outside', '事務局長の承認により受付', '--json'], env);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ case: number, previous: 'exception', status: 'awaiting-payment' });
  });
});
