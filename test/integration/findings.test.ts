// Every finding code that applies to renewals, produced from a real .docx in a real mail, processed
// into a real SQLite case store: the code, its audience, and the state it leaves the case in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, form, mail, PROOF, type Harness } from '../support/harness.ts';
import type { RenewalFill } from '../../scripts/lib/fill-renewal-form.ts';
import type { MailSpec } from '../../scripts/lib/mail-builder.ts';
import { COMPLETE } from '../../scripts/lib/sample-data.ts';
import { truncatedDocx, unrelatedDocx } from '../../scripts/lib/fill-renewal-form.ts';

let h: Harness;
beforeAll(() => { h = harness(); });
afterAll(() => h.close());

async function outcomeOf(changes: Partial<RenewalFill>, spec: Partial<MailSpec> = {}) {
  const o = await h.process(await mail({ attachments: [{ filename: '申請書.docx', content: form(changes) }, PROOF], ...spec }));
  expect(o.cases).toHaveLength(1);
  return o.cases[0]!;
}

const has = (findings: { code: string; audience: string }[], code: string, audience: string) =>
  findings.some((f) => f.code === code && f.audience === audience);

describe('renewal findings on real .docx files', () => {
  it('a complete form has no applicant or staff finding and waits for payment', async () => {
    const c = await outcomeOf({});
    expect(c.findings.filter((f) => f.audience !== 'reviewer')).toEqual([]);
    expect(c.status).toBe('awaiting-payment');
  });

  it.each<[string, Partial<RenewalFill>, string, string, string]>([
    ['field.missing (name)', { name: '' }, 'field.missing', 'applicant', 'missing-items'],
    ['field.missing (phone and mobile)', { phone: '', mobile: '' }, 'field.missing', 'applicant', 'missing-items'],
    ['field.missing (company → reviewer only)', { company: '' }, 'field.missing', 'reviewer', 'awaiting-payment'],
    ['field.invalid (e-mail)', { email: 'k.konda at example' }, 'field.invalid', 'applicant', 'missing-items'],
    ['field.invalid (date)', { feeTransferDate: '2026年2月31日' }, 'field.invalid', 'applicant', 'missing-items'],
    ['qualification.none', { qualification: { kind: 'untouched' } }, 'qualification.none', 'applicant', 'missing-items'],
    ['qualification.multiple', { qualification: { kind: 'mark-both', mark: '○' } }, 'qualification.multiple', 'applicant', 'missing-items'],
    ['ethics.not-agreed', { ethics: 'unchecked' }, 'ethics.not-agreed', 'applicant', 'missing-items'],
    ['cpd.insufficient', { cpd: { A: [{ title: '講座', date: '2024年5月1日', hours: '6', points: '6' }] }, statedTotals: {} }, 'cpd.insufficient', 'applicant', 'missing-items'],
    ['cpd.row-incomplete', { cpd: { ...COMPLETE.cpd, 'D-2': [{ title: '勉強会の講師', hours: '2' }] } }, 'cpd.row-incomplete', 'applicant', 'missing-items'],
    ['cpd.row-out-of-period', { cpd: { ...COMPLETE.cpd, 'B-1': [{ title: '研修', date: '2024年6月1日', hours: '3', points: '3' }] } }, 'cpd.row-out-of-period', 'applicant', 'missing-items'],
    ['cpd.points-exceed-hours', { cpd: { ...COMPLETE.cpd, A: [...COMPLETE.cpd!.A!, { title: '講座', date: '2025年4月10日', hours: '1', points: '4' }] }, statedTotals: {} }, 'cpd.points-exceed-hours', 'reviewer', 'awaiting-payment'],
    ['cpd.stated-total-mismatch', { statedTotals: { ...COMPLETE.statedTotals, A: '25' } }, 'cpd.stated-total-mismatch', 'reviewer', 'awaiting-payment'],
    ['cpd.cap-applied', { cpd: { ...COMPLETE.cpd, 'B-3': [{ title: '研修', date: '2025年6月1日', hours: '7', points: '7' }] }, statedTotals: {} }, 'cpd.cap-applied', 'reviewer', 'awaiting-payment'],
  ])('%s', async (_name, changes, code, audience, status) => {
    const c = await outcomeOf(changes);
    expect(has(c.findings, code, audience), JSON.stringify(c.findings)).toBe(true);
    expect(c.status).toBe(status);
  });

  it('cpd.row-* findings point at the row, in the application and in words', async () => {
    const c = await outcomeOf({ cpd: { ...COMPLETE.cpd, 'C-3': [{ title: '独学', date: '2026年2月10日', hours: '2', points: '2' }] } });
    const f = c.findings.find((x) => x.code === 'cpd.row-out-of-period')!;
    const app = c.application as unknown as { cpd: { grid: string }[] };
    expect(app.cpd[f.row! - 1]!.grid).toBe('C-3');
    expect(f.message).toMatch(/C-3.*1行目.*申請日/);
  });

  it('proof.missing when A or B rows have no proof attached', async () => {
    const o = await h.process(await mail({ attachments: [{ filename: '申請書.docx', content: form() }] }));
    expect(has(o.cases[0]!.findings, 'proof.missing', 'applicant')).toBe(true);
  });

  it('window.outside for a mail received after February: a staff exception, not a rejection', async () => {
    const c = await outcomeOf({ applicationDate: '2026年3月5日' }, { date: new Date('2026-03-05T09:00:00+09:00') });
    expect(has(c.findings, 'window.outside', 'staff')).toBe(true);
    expect(c.status).toBe('exception');
  });

  it('judges the window by the time of receipt, not by the processing clock', async () => {
    // Processed today (2026-11), received in January: inside the window.
    const c = await outcomeOf({});
    expect(c.findings.some((f) => f.code === 'window.outside')).toBe(false);
  });

  it('attachment.unsupported for .doc and .heic, to the applicant and to staff', async () => {
    const o = await h.process(await mail({ attachments: [
      { filename: '申請書.doc', content: Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(100)]) },
      { filename: 'IMG.HEIC', content: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(20)]) },
    ] }));
    const c = o.cases[0]!;
    expect(has(c.findings, 'attachment.unsupported', 'applicant') && has(c.findings, 'attachment.unsupported', 'staff')).toBe(true);
    expect(c.findings.filter((f) => f.code === 'attachment.unsupported' && f.audience === 'applicant').map((f) => f.message).join()).toMatch(/申請書\.doc.*IMG\.HEIC|IMG\.HEIC.*申請書\.doc/s);
    expect(has(c.findings, 'form.not-found', 'applicant')).toBe(true);
    expect(c.status).toBe('exception');
  });

  it('attachment.unreadable for a corrupt .docx and a 0-byte file, and the rest of the mail is still read', async () => {
    const o = await h.process(await mail({ attachments: [{ filename: '壊れた.docx', content: truncatedDocx(form()) }, { filename: 'empty.pdf', content: Buffer.alloc(0) }, { filename: '申請書.docx', content: form() }, PROOF] }));
    const c = o.cases[0]!;
    expect(c.findings.filter((f) => f.code === 'attachment.unreadable' && f.audience === 'staff')).toHaveLength(2);
    expect(c.application).not.toBeNull();
    expect(c.status).toBe('exception');
  });

  it('form.not-found for a Word file that is not our form', async () => {
    const o = await h.process(await mail({ attachments: [{ filename: '議事録.docx', content: unrelatedDocx() }] }));
    expect(has(o.cases[0]!.findings, 'form.not-found', 'applicant') && has(o.cases[0]!.findings, 'form.not-found', 'staff')).toBe(true);
  });

  it('subject.near-miss: a staff exception, and no automatic mail to the sender (no form we can read; with one it is an application)', async () => {
    const o = await h.process(await mail({ subject: '【更新申請】プロフェショナル更新申請書添附', attachments: [{ filename: '議事録.docx', content: unrelatedDocx() }] }));
    expect(o.classification).toBe('near-miss');
    expect(has(o.cases[0]!.findings, 'subject.near-miss', 'staff')).toBe(true);
    expect(o.cases[0]!.notices).toEqual([]);
  });
});
