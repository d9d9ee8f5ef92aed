// Notices a statement import queues unrendered (composed after its commit, or by the sender should the
// process die in between): the same text as a notice composed in the decision's transaction, each sent
// exactly once; and the raw statement lines kept once per import.
import { afterEach, describe, expect, it } from 'vitest';
import { harness, mail, type Harness } from '../support/harness.ts';
import { importStatementRows, runMatching } from '../../src/app/import-payments.ts';
import { keyCredits, selectNewRows } from '../../src/payments/new-payments.ts';
import { renderQueuedNotices } from '../../src/app/deferred-notices.ts';
import { deliverOutbox } from '../../src/app/daemon.ts';
import { transaction } from '../../src/cases/db.ts';
import { deliverDue } from '../../src/outbound/sender.ts';
import type { OutgoingMail } from '../../src/outbound/outgoing-mail.ts';
import type { Transport } from '../../src/outbound/transports/transport.ts';
import { silentLogger } from '../../src/shared/log.ts';

let h: Harness;
afterEach(() => h?.close());

/** A transport that records what it was given. */
function recording(): Transport & { sent: OutgoingMail[] } {
  const sent: OutgoingMail[] = [];
  return { name: 'recording', sent, async send(m) { sent.push(m); } };
}

const row = (transferName: string, line = 2) => ({ line, paidOn: '2026-02-12', amount: 11000, transferName, raw: `2026-02-12,11000,${transferName}` });

async function paidCase(): Promise<{ number: string; id: number }> {
  const o = await h.process(await mail());
  const number = o.cases[0]!.number!;
  return { number, id: h.app.cases.caseByNumber(number)!.id };
}

describe('notices queued by a statement import', () => {
  it('are composed right after the commit, with the text a notice composed in the transaction has', async () => {
    h = harness();
    const { number, id } = await paidCase();
    let timings: { noticesRendered: number } | undefined;
    const result = importStatementRows(h.app, 'a.csv', 'hash-a', 'simple-csv', [row('0123ｺﾝﾀﾞｹﾝﾀﾛｳ')], 'test', { onTimings: (t) => { timings = t; } });
    expect(result.matched).toEqual([{ payment: expect.any(Number), case: number, status: 'ready-for-review' }]);
    expect(timings?.noticesRendered).toBe(2);
    const queued = h.app.outbox.outboxForCase(id).filter((o) => o.kind === 'accepted' || o.kind === 'review-request');
    expect(queued.map((o) => [o.kind, o.notice_json])).toEqual([['accepted', null], ['review-request', null]]);

    // The same notices queued for one case alone (as a mail's decision queues them) say exactly the same.
    const c = h.app.cases.caseById(id)!;
    transaction(h.app.db, () => h.app.writer.apply([{ case: c, decision: { status: c.status, findings: h.app.cases.currentFindings(id), computed: null, newRevision: false, actor: 'test', notices: ['accepted', 'review-request'], events: [], columns: {} } }]));
    renderQueuedNotices(h.app);
    const eager = h.app.outbox.outboxForCase(id).filter((o) => o.kind === 'accepted' || o.kind === 'review-request').slice(2);
    const withoutId = (json: string) => {
      const { messageId, ...rest } = JSON.parse(json) as OutgoingMail;
      return { ...rest, messageId: messageId.replace(/\.\d+@/, '.N@') };
    };
    expect(eager.map((o) => withoutId(o.mail_json))).toEqual(queued.map((o) => withoutId(o.mail_json)));
    const review = JSON.parse(queued[1]!.mail_json) as OutgoingMail;
    expect(review.text).toContain(number);
    expect(review.text).toContain('0123ｺﾝﾀﾞｹﾝﾀﾛｳ');
    expect(review.attachments?.map((a) => a.filename)).toEqual(['更新申請書.docx', '受講証明書.pdf']);
  });

  it('left unrendered by a process that died after the commit are composed by the sender, sent once, and kept', async () => {
    h = harness();
    const { id } = await paidCase();
    // Earlier notices (acknowledgement, awaiting-payment) out of the way first.
    const transport = recording();
    await deliverOutbox(h.app, transport);
    transport.sent.length = 0;
    // The import's transaction without its post-commit step.
    const firstId = transaction(h.app.db, () => h.app.payments.nextPaymentId());
    transaction(h.app.db, () => {
      const importId = h.app.payments.insertPaymentImport({ fileName: 'b.csv', sha256: 'hash-b', format: 'simple-csv', actor: 'test', rowsTotal: 1, rowsNew: 1, rowsDuplicate: 0 });
      const credits = [row('0123ｺﾝﾀﾞｹﾝﾀﾛｳ')];
      const keyed = keyCredits(credits);
      runMatching(h.app, { importId, firstId, credits, keyed, rows: selectNewRows(keyed.fingerprints, new Map()) });
    });
    const waiting = h.app.outbox.outboxForCase(id).filter((o) => o.mail_json === '');
    expect(waiting.map((o) => o.kind)).toEqual(['accepted', 'review-request']);

    // A sender that cannot compose leaves them pending (retried later), never lost or sent blank.
    const blind = recording();
    expect(await deliverDue(h.app.outbox, blind, (p) => h.app.files.get(p), h.app.config.sender, silentLogger())).toEqual({ sent: 0, failed: 2 });
    expect(h.app.outbox.outboxForCase(id).filter((o) => o.mail_json === '' && o.status === 'pending')).toHaveLength(2);

    // The daemon's sender composes them; a second pass sends nothing again.
    await deliverOutbox(h.app, transport);
    h.app.db.exec(`UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00.000Z' WHERE status = 'pending'`);
    await deliverOutbox(h.app, transport);
    expect(transport.sent.map((m) => m.messageId)).toEqual(waiting.map((o) => o.rfc_message_id));
    await deliverOutbox(h.app, transport);
    expect(transport.sent).toHaveLength(2);
    const stored = h.app.outbox.outboxForCase(id).filter((o) => o.kind === 'accepted' || o.kind === 'review-request');
    expect(stored.map((o) => o.status)).toEqual(['sent', 'sent']);
    expect(stored.map((o) => JSON.parse(o.mail_json) as OutgoingMail)).toEqual(transport.sent);
  });

  it('keep the statement lines once per import, each readable per payment', () => {
    h = harness();
    const rows = [row('ﾔﾏﾀﾞ ﾀﾛｳ', 2), row('ｽｽﾞｷ ﾊﾅｺ', 3)];
    importStatementRows(h.app, 'c.csv', 'hash-c', 'simple-csv', rows, 'test');
    const ids = (h.app.db.prepare('SELECT id, raw_line FROM payments ORDER BY id').all() as { id: number; raw_line: string | null }[]);
    expect(ids.map((p) => p.raw_line)).toEqual([null, null]);
    expect(ids.map((p) => h.app.payments.paymentRawLine(p.id))).toEqual(rows.map((r) => r.raw));
    // A second import (an overlap plus one new row) numbers its own lines from its own first payment.
    importStatementRows(h.app, 'd.csv', 'hash-d', 'simple-csv', [row('ｽｽﾞｷ ﾊﾅｺ', 2), { ...row('ﾀﾅｶ ｲﾁﾛｳ', 3), amount: 5000, raw: '2026-02-12,5000,ﾀﾅｶ ｲﾁﾛｳ' }], 'test');
    const third = (h.app.db.prepare('SELECT id FROM payments ORDER BY id').all() as { id: number }[])[2]!;
    expect(h.app.payments.paymentRawLine(third.id)).toBe('2026-02-12,5000,ﾀﾅｶ ｲﾁﾛｳ');
  });

  it('number identical transfers side by side, each with its own line, and a re-import in another order adds none', () => {
    h = harness();
    // ﾔﾏﾀﾞ twice on one day, with another transfer between them: two payments, ids in the order of their first row.
    const rows = [row('ﾔﾏﾀﾞ ﾀﾛｳ', 2), row('ｽｽﾞｷ ﾊﾅｺ', 3), { ...row('ﾔﾏﾀﾞ ﾀﾛｳ', 4), raw: '2026-02-12,11000,ﾔﾏﾀﾞ ﾀﾛｳ (2)' }];
    const first = importStatementRows(h.app, 'e.csv', 'hash-e', 'simple-csv', rows, 'test');
    expect(first).toMatchObject({ new: 3, duplicate: 0 });
    const stored = h.app.db.prepare('SELECT id, line, occurrence, transfer_name FROM payments ORDER BY id').all() as { id: number; line: number; occurrence: number; transfer_name: string }[];
    expect(stored.map((p) => [p.line, p.occurrence])).toEqual([[2, 1], [4, 2], [3, 1]]);
    expect(stored.map((p) => h.app.payments.paymentRawLine(p.id))).toEqual([rows[0]!.raw, rows[2]!.raw, rows[1]!.raw]);
    expect(importStatementRows(h.app, 'f.csv', 'hash-f', 'simple-csv', [rows[2]!, rows[1]!, rows[0]!], 'test')).toMatchObject({ new: 0, duplicate: 3 });
    // A third identical transfer that day is new.
    expect(importStatementRows(h.app, 'g.csv', 'hash-g', 'simple-csv', [...rows, row('ﾔﾏﾀﾞ ﾀﾛｳ', 5)], 'test')).toMatchObject({ new: 1, duplicate: 3 });
    expect(h.app.db.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 1 });
  });
});
