// Postal applications (src/app/postal-intake.ts): the scanned paper form uploaded by staff becomes a case through
// the intake's own analysis (a text PDF of the renewal form here: no OCR). With an e-mail address on the form
// the applicant is written to there; with none, mail is held and the notices are listed for staff to print.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, PROOF, SAMPLES, type Harness } from '../support/harness.ts';
import { PostalError, postalStatus, receivePostal } from '../../src/app/postal-intake.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

const FORM_PDF = readFileSync(path.join(SAMPLES, 'forms-pdf', 'renewal-complete.pdf'));
const NOW = new Date('2026-01-25T10:00:00+09:00');

describe('postal applications', () => {
  it('a paper renewal with an e-mail address: a case like a mail’s, the applicant written to at the form’s address', async () => {
    h = harness();
    const r = await receivePostal(h.app, { kind: 'renewal', receivedOn: '2026-01-20', files: [{ filename: 'scan.pdf', content: FORM_PDF }, { filename: '受講証明書.pdf', content: Buffer.from(PROOF.content) }] }, 'staff:sato', NOW);
    expect(r.classification).toBe('application');
    expect(r.contact).toBe('mail');
    const c = r.cases[0]!;
    expect(c.number).toMatch(/^R-2026-/);
    const row = h.app.cases.caseByNumber(c.number!)!;
    expect(row.applicant_address).toMatch(/@/);
    expect(row.received_at).toBe('2026-01-20T03:00:00.000Z');
    expect(h.app.cases.caseAttachments(row.id).map((a) => [a.filename, a.role])).toEqual([['scan.pdf', 'form'], ['受講証明書.pdf', 'document']]);
    expect(h.app.outbox.outboxForCase(row.id).map((o) => [o.kind, o.to_address])).toContainEqual(['acknowledgement', row.applicant_address]);
    expect(postalStatus(h.app, row.id)).toEqual({ receivedOn: '2026-01-20', contact: 'mail', toPrint: [] });
    const message = h.app.cases.messageById(row.origin_message_id!)!;
    expect([message.source, message.source_ref, message.from_address]).toEqual(['postal', 'upload:staff:sato', null]);
  });

  it('no e-mail address (no form read): mail held, the notices listed for staff to print; bad uploads refused', async () => {
    h = harness();
    const r = await receivePostal(h.app, { kind: 'renewal', receivedOn: '2026-01-21', files: [{ filename: 'scan.pdf', content: Buffer.from(PROOF.content) }] }, 'staff:sato', NOW);
    expect(r.contact).toBe('print');
    expect(r.toPrint).toEqual(['acknowledgement', 'missing-items']);
    const row = h.app.cases.caseByNumber(r.cases[0]!.number!)!;
    expect([row.applicant_address, row.notices_suppressed]).toEqual([null, 1]);
    expect(h.app.outbox.outboxForCase(row.id)).toEqual([]);
    expect(postalStatus(h.app, row.id)!.toPrint).toEqual(['acknowledgement', 'missing-items']);

    const upload = (changes: object) => receivePostal(h!.app, { kind: 'renewal', receivedOn: '2026-01-21', files: [{ filename: 'scan.pdf', content: FORM_PDF }], ...changes }, 'staff:sato', NOW);
    await expect(upload({ kind: 'certification' })).rejects.toThrow(PostalError);
    await expect(upload({ receivedOn: '2026-02-30' })).rejects.toThrow(/日付として読めません/);
    await expect(upload({ receivedOn: '2026-03-01' })).rejects.toThrow(/未来/);
    await expect(upload({ files: [] })).rejects.toThrow(/ファイルを選んで/);
    await expect(upload({ files: [{ filename: 'a.txt', content: Buffer.from('hello') }] })).rejects.toThrow(/PDF または画像/);
  });
});
