import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { dispositionOf, pollSchedule } from '../../src/app/daemon.ts';
import cron from 'node-cron';
import { envelopeAddress } from '../../src/outbound/transports/smtp-transport.ts';
import type { MailOutcome } from '../../src/app/process-mail.ts';

const base: MailOutcome = { ref: 'x', classification: 'application', ignored: false, note: null, cases: [] };

describe('IMAP/SMTP settings', () => {
  it('default to the embedded folders (no hosts) with safe TLS settings', () => {
    const c = loadConfig({ env: {}, cwd: '/tmp' });
    expect(c.imap).toMatchObject({ host: '', port: 993, secure: true, starttls: true, mailbox: 'INBOX', processedFolder: 'Processed', pollSeconds: 60, tlsRejectUnauthorized: true });
    expect(c.smtp).toMatchObject({ host: '', port: 587, secure: false, starttls: true, tlsRejectUnauthorized: true });
  });

  it('read the environment, booleans included', () => {
    const c = loadConfig({ cwd: '/tmp', env: { CONKEN_IMAP_HOST: 'imap.example.jp', CONKEN_IMAP_PORT: '143', CONKEN_IMAP_SECURE: 'false', CONKEN_IMAP_STARTTLS: 'yes', CONKEN_SMTP_HOST: 'smtp.example.jp', CONKEN_SMTP_SECURE: '1', CONKEN_SMTP_TLS_REJECT_UNAUTHORIZED: 'false' } });
    expect(c.imap).toMatchObject({ host: 'imap.example.jp', port: 143, secure: false, starttls: true });
    expect(c.smtp).toMatchObject({ host: 'smtp.example.jp', secure: true, tlsRejectUnauthorized: false });
    expect(() => loadConfig({ cwd: '/tmp', env: { CONKEN_IMAP_SECURE: 'maybe' } })).toThrow(/imap\.secure/);
  });
});

describe('filing a mail in the mailbox', () => {
  it('files what became a case or a record, leaves unrelated and automatic mail alone, and files a re-read copy as its first copy', () => {
    expect(dispositionOf(base)).toBe('processed');
    expect(dispositionOf({ ...base, classification: 'near-miss' })).toBe('processed');
    expect(dispositionOf({ ...base, classification: 'ignored', ignored: true })).toBe('ignored');
    expect(dispositionOf({ ...base, classification: 'automatic', ignored: true })).toBe('ignored');
    expect(dispositionOf({ ...base, classification: 'duplicate', ignored: true, firstSeenAs: 'application' })).toBe('processed');
    expect(dispositionOf({ ...base, classification: 'duplicate', ignored: true, firstSeenAs: 'ignored' })).toBe('ignored');
  });
});

describe('SMTP envelope', () => {
  it('takes the bare address of a header with a Japanese display name', () => {
    expect(envelopeAddress('コン検 資格認定担当 <intake@conken.example.jp>')).toBe('intake@conken.example.jp');
    expect(envelopeAddress('k.konda@example.jp')).toBe('k.konda@example.jp');
    expect(() => envelopeAddress('')).toThrow();
  });
});

describe('polling schedule (node-cron)', () => {
  it('polls every n seconds below a minute, every n/60 minutes above, always a valid expression', () => {
    expect(pollSchedule(5)).toBe('*/5 * * * * *');
    expect(pollSchedule(60)).toBe('0 */1 * * * *');
    expect(pollSchedule(300)).toBe('0 */5 * * * *');
    for (const s of [1, 7, 59, 60, 90, 3600, 86400]) expect(cron.validate(pollSchedule(s))).toBe(true);
  });
});
