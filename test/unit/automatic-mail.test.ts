// Automatic mail (bounces, read receipts, auto-replies, list traffic) recognised by its structure as well
// as its headers, on small fixtures written after the real ones (test/fixtures/intake/): each stays
// automatic as it is and with the renewal subject put in its place, and a person's mail never is.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMail, topLevelPartTypes } from '../../src/intake/parse-mail.ts';
import { buildMail } from '../../scripts/lib/mail-builder.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/intake');
const RENEWAL_SUBJECT = '【更新申請】プロフェッショナル更新申請書添付_260216';

const AUTOMATIC_FIXTURES: [string, RegExp][] = [
  ['bounce-au-mail-error.eml', /Return-Path|sender postmaster/],
  ['bounce-docomo.eml', /sender mailer-daemon/],
  ['bounce-softbank.eml', /sender mail-daemon/],
  ['bounce-postfix-dsn.eml', /Auto-Submitted|multipart\/report/],
  ['bounce-nested-dsn.eml', /message\/delivery-status/],
  ['bounce-workmail.eml', /returned mail with delivery report fields/],
  ['mdn-read-receipt.eml', /multipart\/report/],
  ['list-fml.eml', /x-ml-name/],
  ['autoreply-rfc3834.eml', /Auto-Submitted: auto-replied/],
  ['autoreply-x-autorespond.eml', /x-autorespond/],
];

/** The fixture with its Subject header replaced (as the unseen run put the renewal subject on each). */
function withSubject(raw: Buffer, subject: string): Buffer {
  const text = raw.toString('latin1');
  const encoded = `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`;
  return Buffer.from(text.replace(/^Subject:.*(?:\r?\n[ \t].*)*$/m, `Subject: ${encoded}`), 'latin1');
}

const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

describe('automatic mail by structure', () => {
  it.each(AUTOMATIC_FIXTURES)('%s is automatic, as it is and under the renewal subject', async (name, reason) => {
    const asIs = await parseMail(fixture(name));
    expect(asIs.automatic).toMatch(reason);
    const renamed = await parseMail(withSubject(fixture(name), RENEWAL_SUBJECT));
    expect(renamed.subject).toBe(RENEWAL_SUBJECT);
    expect(renamed.automatic).not.toBeNull();
  });

  it('reads the top-level parts only, not those of a message inside', () => {
    const raw = Buffer.from(readFileSync(path.join(FIXTURES, 'bounce-postfix-dsn.eml')));
    expect(topLevelPartTypes(raw, '5A1B2C3D4E.1771207960/mail.example.ne.jp')).toEqual(['text/plain', 'message/delivery-status', 'text/rfc822-headers']);
    expect(topLevelPartTypes(raw, undefined)).toEqual([]);
  });

  const person = (spec: Partial<Parameters<typeof buildMail>[0]>) => buildMail({
    from: '今田 健太郎 <k.konda@example.jp>', subject: RENEWAL_SUBJECT, date: new Date('2026-02-16T10:00:00+09:00'), messageId: `p-${Math.random()}@example.jp`, text: '申請書を送ります。', ...spec,
  });

  it('a person\'s mail is never automatic: a bounce-like subject alone, a forwarded bounce, a forwarded mail', async () => {
    const subjectOnly = await parseMail(await person({ subject: 'メールエラー通知について', text: 'エラーの通知が届きましたが、申請は届いていますか。' }));
    expect(subjectOnly.automatic).toBeNull();
    // The applicant forwards the bounce they got (with their application inside) as an attachment.
    const forwardedBounce = await parseMail(await person({ subject: 'Fwd: Undelivered Mail Returned to Sender', attachments: [{ filename: 'bounce.eml', content: fixture('bounce-postfix-dsn.eml'), contentType: 'message/rfc822' }] }));
    expect(forwardedBounce.automatic).toBeNull();
    const forwarded = await parseMail(await person({ attachments: [{ filename: 'fwd.eml', content: fixture('autoreply-x-autorespond.eml'), contentType: 'message/rfc822' }] }));
    expect(forwarded.automatic).toBeNull();
    expect((await parseMail(await person({ headers: { 'Auto-Submitted': 'no', 'X-Auto-Response-Suppress': 'None' } }))).automatic).toBeNull();
  });

  it('the subject needs a structural sign: a system-like subject with delivery report fields in the text is', async () => {
    const withFields = await parseMail(await person({ subject: 'Undeliverable: 【更新申請】プロフェッショナル更新申請書添付_260216', text: 'Delivery has failed.\nFinal-Recipient: rfc822; x@example.jp\nAction: failed\nStatus: 5.1.1\n' }));
    expect(withFields.automatic).toMatch(/subject and delivery report fields/);
    const returned = await parseMail(await person({ subject: 'Mail delivery failed: returning message to sender', attachments: [{ filename: 'original.eml', content: Buffer.from('From: a@example.jp\r\nSubject: x\r\n\r\nbody\r\n'), contentType: 'message/rfc822' }] }));
    expect(returned.automatic).toMatch(/subject and a returned mail/);
    // The same returned mail under a person's subject: a forward, not a bounce.
    const forward = await parseMail(await person({ subject: '申請書を転送します', attachments: [{ filename: 'original.eml', content: Buffer.from('From: a@example.jp\r\nSubject: x\r\n\r\nbody\r\n'), contentType: 'message/rfc822' }] }));
    expect(forward.automatic).toBeNull();
  });
});
