// Renewal reminders over a simulated winter (the clock injected, the job run every day as the daemon would):
// to every active holder in the register whose validity ends this fiscal year and who has not applied, once
// when the window opens and once before it closes; never to a lapsed or revoked holder, or one who applied.
import { afterEach, describe, expect, it } from 'vitest';
import { form, harness, mail, type Harness } from '../support/harness.ts';
import { RegisterStore, type HolderInput } from '../../src/cases/register-store.ts';
import { runJob } from '../../src/app/jobs/job-runner.ts';
import { jobNamed } from '../../src/app/jobs/index.ts';
import { periodKey } from '../../src/app/jobs/schedule.ts';
import type { OutgoingMail } from '../../src/outbound/outgoing-mail.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

const holder = (n: string, over: Partial<HolderInput> = {}): HolderInput => ({
  certificationNumber: `OMP-2024-${n}`, qualification: 'OMP', name: `認定 太郎${n}`, nameKana: 'にんてい たろう', validFrom: '2024-04-01', validTo: '2027-03-31',
  status: 'active', email: `holder${n}@example.jp`, ...over,
});

describe('renewal reminders', () => {
  it('remind each holder due this year once at the opening and once before the close, and no one else', async () => {
    h = harness();
    const register = new RegisterStore(h.app.db);
    const at = '2026-12-01T00:00:00.000Z';
    register.upsertImported(holder('0001'), at); // due, never applies: both reminders
    register.upsertImported(holder('0002', { status: 'lapsed' }), at);
    register.upsertImported(holder('0003', { status: 'revoked' }), at);
    register.upsertImported(holder('0004', { validTo: '2028-03-31' }), at); // next year's
    register.upsertImported(holder('0005'), at); // applies on 5 January: the opening reminder only
    register.upsertImported(holder('0006', { email: null }), at); // no address to write to

    const job = jobNamed('renewal-reminders')!;
    const summaries: string[] = [];
    for (let day = new Date('2026-12-20T10:00:00+09:00'); day < new Date('2027-03-10T10:00:00+09:00'); day = new Date(day.getTime() + 86_400_000)) {
      if (periodKey(day).startsWith('2027-01-05')) {
        const applied = await h.process(await mail({
          from: '認定 太郎0005 <holder0005@example.jp>', date: new Date('2027-01-05T09:00:00+09:00'), messageId: 'renew-0005@example.jp',
          attachments: [{ filename: '更新申請書.docx', content: form({ certificationNumber: 'ＯＭＰ－２０２４－０００５', name: '認定 太郎0005', email: 'holder0005@example.jp' }) }],
        }));
        expect(applied.cases).toHaveLength(1);
      }
      const r = await runJob(h.app, job, periodKey(day), day);
      expect(r.error).toBeUndefined();
      summaries.push(`${periodKey(day).slice(0, 10)} ${r.result!.summary}`);
    }
    const rows = h.app.db.prepare("SELECT to_address, rfc_message_id, audience, mail_json FROM outbox WHERE kind = 'renewal-reminder' ORDER BY id").all() as { to_address: string; rfc_message_id: string; audience: string; mail_json: string }[];
    expect(rows.map((r) => [r.to_address, r.rfc_message_id.split('.')[1]])).toEqual([
      ['holder0001@example.jp', 'renewal-reminder-opening'],
      ['holder0005@example.jp', 'renewal-reminder-opening'],
      ['holder0001@example.jp', 'renewal-reminder-closing'],
    ]);
    expect(rows.every((r) => r.audience === 'applicant')).toBe(true);
    // On 1 January, on the 14th day before the end of February, and nothing on the other days.
    expect(summaries.filter((s) => !/^(\S+) (not in the renewal window|0 (first|second) renewal reminders queued)/.test(s))).toEqual([
      '2027-01-01 2 first renewal reminders queued',
      '2027-02-14 1 second renewal reminders queued',
    ]);
    const first = JSON.parse(rows[0]!.mail_json) as OutgoingMail;
    expect(first.subject).toContain('2027年2月28日まで');
    expect(first.text).toContain('【更新申請】プロフェッショナル更新申請書添付_yymmdd');
    expect(first.text).toContain('OMP-2024-0001');
    expect(first.attachments?.map((a) => a.filename)).toEqual(['プロフェッショナル更新申請書.docx']);
    expect(h.app.files.get(first.attachments![0]!.storePath).subarray(0, 2).toString()).toBe('PK');
    const second = JSON.parse(rows[2]!.mail_json) as OutgoingMail;
    expect(second.text).toContain('まだ申請書が届いていない');
  });
});
