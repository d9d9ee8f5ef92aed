// The annual CPD audit on a real database (the clock injected): the draw recorded before it is made,
// reproduced and verified (by an independent SHA-256 here), changed by another seed, failed by a changed
// population; the job over simulated years (each year drawn once, a missed draw caught up); replies by the
// subject's audit number and by threading joining their audit with the files as evidence; the reminder once
// before the deadline, overdue after it; the outcome recorded and audited; `conken audit` end to end.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { harness, mail, PROOF, SAMPLES, type Harness } from '../support/harness.ts';
import { importRegister } from '../../src/app/register.ts';
import { importStatementRows } from '../../src/app/import-payments.ts';
import { reviewCase } from '../../src/app/review.ts';
import { conken } from '../support/cli.ts';
import { dataEnv } from '../support/harness.ts';
import { buildMail } from '../../scripts/lib/mail-builder.ts';
import { RegisterStore } from '../../src/cases/register-store.ts';
import { transaction } from '../../src/cases/db.ts';
import { auditFollowUp, auditStore, currentPopulation, drawAudit, listAudits, markProofsComplete, recordAuditOutcome, verifyAudit, AuditError } from '../../src/app/audit.ts';
import { catchUp, runJob } from '../../src/app/jobs/job-runner.ts';
import { jobNamed } from '../../src/app/jobs/index.ts';
import { periodKey } from '../../src/app/jobs/schedule.ts';
import type { OutgoingMail } from '../../src/outbound/outgoing-mail.ts';
import type { App } from '../../src/app/context.ts';

const harnesses: Harness[] = [];
afterEach(() => { for (const h of harnesses.splice(0)) h.close(); });
function fresh(): Harness {
  const h = harness();
  harnesses.push(h);
  return h;
}

const tokyo = (local: string) => new Date(`${local}+09:00`);
const DAY = 86_400_000;
const cn = (i: number) => `OMP-2020-${String(i).padStart(4, '0')}`;

/** Holders in the register whose renewal the reviewer approved at `at` (the register's case history). */
function renewals(app: App, numbers: number[], at: string): void {
  const register = new RegisterStore(app.db);
  transaction(app.db, () => {
    for (const i of numbers) {
      const number = cn(i);
      if (!register.holderByNumber(number)) {
        register.upsertImported({ certificationNumber: number, qualification: 'OMP', name: `監査 花子${i}`, nameKana: 'かんさ はなこ', validFrom: '2020-04-01', validTo: '2027-03-31', status: 'active', email: `holder${i}@example.jp` }, at);
      }
      const holder = register.holderByNumber(number)!;
      const c = app.writer.openCase({ prefix: 'R', year: Number(at.slice(0, 4)), kind: 'renewal', status: 'approved', applicantAddress: `holder${i}@example.jp`, receivedAt: at, originMessageId: null, noticesSuppressed: false });
      register.renew(holder.id, c.id, '2027-04-01', '2030-03-31', at);
    }
  });
}

/** The draw as a reader of rules/audit.yaml's comment would compute it by hand: no code of the project. */
function byHand(seed: string, population: string[], size: number): string[] {
  const key = (n: string) => createHash('sha256').update(seed + n).digest('hex');
  return [...population].sort((a, b) => key(a).localeCompare(key(b))).slice(0, size);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function requests(app: App, kind = 'audit-request') {
  return (app.db.prepare('SELECT to_address, rfc_message_id, audience, mail_json FROM outbox WHERE kind = ? ORDER BY id').all(kind) as { to_address: string; rfc_message_id: string; audience: string; mail_json: string }[])
    .map((r) => ({ ...r, mail: JSON.parse(r.mail_json) as OutgoingMail }));
}

describe('the CPD audit draw', () => {
  it('records the seed and population first, draws the smallest SHA-256(seed ‖ number), and verifies', () => {
    const h = fresh();
    renewals(h.app, range(1, 30), '2027-02-10T03:00:00.000Z'); // approved in 2027: the population
    renewals(h.app, [31, 32], '2026-12-31T14:59:00.000Z'); // 2026-12-31 23:59 Tokyo: the year before
    renewals(h.app, [33], '2027-12-31T15:00:00.000Z'); // 2028-01-01 00:00 Tokyo: the year after
    expect(() => drawAudit(h.app, 2027, { seed: 'x', actor: 'admin:a', now: tokyo('2027-12-31T12:00:00') })).toThrow(/まだ終わっていません/);

    const r = drawAudit(h.app, 2027, { seed: 'seed-2027', actor: 'admin:a', now: tokyo('2028-01-15T10:00:00') });
    const population = range(1, 30).map(cn);
    expect(r.populationCount).toBe(30);
    expect(r.populationHash).toBe(createHash('sha256').update(population.join('\n')).digest('hex'));
    expect(r.sampleSize).toBe(3); // share 0.1 of 30
    expect(r.chosen.map((c) => c.certificationNumber)).toEqual(byHand('seed-2027', population, 3));
    expect(r.chosen.map((c) => c.audit)).toEqual(['A-2028-000001', 'A-2028-000002', 'A-2028-000003']);

    const v = verifyAudit(h.app, 2027);
    expect(v).toMatchObject({ ok: true, recordedPopulationIntact: true, populationUnchanged: true, drawReproduced: true, seed: 'seed-2027', seedSource: 'admin' });
    expect(v.recorded).toEqual(byHand('seed-2027', population, 3));

    // Each chosen holder got the request: to the register's address, the audit number in the subject.
    const sent = requests(h.app);
    expect(sent.map((s) => s.to_address)).toEqual(r.chosen.map((c) => `holder${Number(c.certificationNumber.slice(-4))}@example.jp`));
    expect(sent.every((s) => s.audience === 'applicant')).toBe(true);
    expect(sent[0]!.mail.subject).toBe(`【CPD監査】CPD活動証明書類のご提出のお願い（監査番号 ${r.chosen[0]!.audit}）`);
    expect(sent[0]!.mail.text).toContain('2028年2月14日'); // 30 days after the draw
    expect(sent[0]!.mail.text).toContain(r.chosen[0]!.certificationNumber);

    // Drawn once: never again, by hand or by seed; the records cannot be changed or removed.
    expect(() => drawAudit(h.app, 2027, { seed: 'another', actor: 'admin:a', now: tokyo('2028-01-16T10:00:00') })).toThrow(AuditError);
    expect(() => h.app.db.prepare("UPDATE cpd_audit_draws SET seed = 'forged' WHERE year = 2027").run()).toThrow(/append-only/);
    expect(() => h.app.db.prepare('DELETE FROM cpd_audit_selections WHERE year = 2027').run()).toThrow(/append-only/);
    expect(() => h.app.db.prepare('DELETE FROM cpd_audit_draws').run()).toThrow(/append-only/);
    expect(verifyAudit(h.app, 2027).ok).toBe(true);
  });

  it('another seed draws another list; a generated seed is recorded and shown', () => {
    const a = fresh();
    const b = fresh();
    const c = fresh();
    for (const h of [a, b, c]) renewals(h.app, range(1, 40), '2027-03-01T00:00:00.000Z');
    const now = tokyo('2028-01-15T10:00:00');
    const first = drawAudit(a.app, 2027, { seed: 'alpha', actor: 'admin:a', now }).chosen.map((x) => x.certificationNumber);
    const second = drawAudit(b.app, 2027, { seed: 'beta', actor: 'admin:a', now }).chosen.map((x) => x.certificationNumber);
    expect(first).toHaveLength(4);
    expect(second).not.toEqual(first);
    const generated = drawAudit(c.app, 2027, { actor: 'job:cpd-audit', now });
    expect(generated.seedSource).toBe('generated');
    expect(generated.seed).toMatch(/^[0-9a-f]{32}$/);
    expect(auditStore(c.app).drawOf(2027)!.seed).toBe(generated.seed);
    expect(generated.chosen.map((x) => x.certificationNumber)).toEqual(byHand(generated.seed, range(1, 40).map(cn), 4));
  });

  it('a changed population changes its hash and verify fails; a draw interrupted after its record is finished from the recorded seed', () => {
    const h = fresh();
    renewals(h.app, range(1, 20), '2027-05-01T00:00:00.000Z');
    drawAudit(h.app, 2027, { seed: 's', actor: 'admin:a', now: tokyo('2028-01-15T10:00:00') });
    expect(verifyAudit(h.app, 2027).ok).toBe(true);
    // A renewal of 2027 appears in the register's history afterwards (back-dated): the frozen population is
    // no longer what the register says.
    renewals(h.app, [21], '2027-06-01T00:00:00.000Z');
    const v = verifyAudit(h.app, 2027);
    expect(v.ok).toBe(false);
    expect(v.populationUnchanged).toBe(false);
    expect(v.populationNowHash).not.toBe(v.recordedHash);
    expect(v.drawReproduced).toBe(true); // the draw itself still follows from the record

    // The draw of 2028 recorded, then the process stopped before choosing: the next attempt uses that seed.
    const g = fresh();
    renewals(g.app, range(1, 10), '2028-03-01T00:00:00.000Z');
    const realSelect = auditStore(g.app).recordSelections;
    const store = Object.getPrototypeOf(auditStore(g.app)) as { recordSelections: unknown };
    store.recordSelections = () => { throw new Error('power cut'); };
    try {
      expect(() => drawAudit(g.app, 2028, { seed: 'kept', actor: 'admin:a', now: tokyo('2029-01-15T10:00:00') })).toThrow(/power cut/);
    } finally {
      store.recordSelections = realSelect;
    }
    expect(auditStore(g.app).drawOf(2028)!.seed).toBe('kept');
    expect(auditStore(g.app).selectionsOf(2028)).toEqual([]);
    expect(() => drawAudit(g.app, 2028, { seed: 'other', actor: 'admin:a', now: tokyo('2029-01-15T11:00:00') })).toThrow(/別のシード/);
    const done = drawAudit(g.app, 2028, { actor: 'job:cpd-audit', now: tokyo('2029-01-15T11:00:00') });
    expect(done).toMatchObject({ resumed: true, seed: 'kept' });
    expect(done.chosen.map((x) => x.certificationNumber)).toEqual(byHand('kept', range(1, 10).map(cn), 1));
    expect(verifyAudit(g.app, 2028).ok).toBe(true);
  });
});

describe('the CPD audit population', () => {
  it('is the renewals the reviewer approved in the year, from the register\'s case history', async () => {
    const h = fresh();
    importRegister(h.app, path.join(SAMPLES, 'registry.csv'));
    const number = (await h.process(await mail())).cases[0]!.number!;
    importStatementRows(h.app, 'bank.csv', 'hash-audit-population', 'simple-csv', [{ line: 2, paidOn: '2026-01-22', amount: 11000, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ' }], 'test');
    expect(h.app.cases.caseByNumber(number)!.status).toBe('ready-for-review');
    expect(currentPopulation(h.app, 2026)).toEqual([]);
    await reviewCase(h.app, number, { action: 'approve', reviewer: 'reviewer:ito', address: 'test' }, tokyo('2026-02-03T11:00:00'));
    expect(currentPopulation(h.app, 2026)).toEqual(['OMP-2023-0123']);
    expect(currentPopulation(h.app, 2025)).toEqual([]);
    // A year with no approved renewal: nothing to draw, nothing recorded (it can be drawn once there are some).
    expect(() => drawAudit(h.app, 2025, { actor: 'admin:a', now: tokyo('2026-03-01T10:00:00') })).toThrow(/承認された更新がない/);
    expect(auditStore(h.app).drawOf(2025)).toBeUndefined();
    expect((await runJob(h.app, jobNamed('cpd-audit')!, '2026-01-15T10:00', tokyo('2026-01-15T10:00:00'))).result!.summary).toBe('2025: no renewals approved, nothing drawn');
    const r = drawAudit(h.app, 2026, { seed: 'one', actor: 'admin:a', now: tokyo('2027-01-15T10:00:00') });
    expect(r.chosen.map((c) => c.certificationNumber)).toEqual(['OMP-2023-0123']);
    expect(requests(h.app).map((x) => x.to_address)).toEqual(['k.konda@example.jp']);
  }, 120_000);
});

describe('the CPD audit over simulated years', () => {
  it('draws each year once (a missed draw caught up), joins replies by number and by thread, reminds once, marks overdue, records the outcome', async () => {
    const h = fresh();
    renewals(h.app, range(1, 30), '2027-02-01T00:00:00.000Z');
    renewals(h.app, range(31, 50), '2028-02-01T00:00:00.000Z');
    const jobs = [jobNamed('cpd-audit')!, jobNamed('cpd-audit-follow-up')!];
    expect(jobs.every(Boolean)).toBe(true);
    const log: string[] = [];
    let replied = false;
    // Every day at 10:30 Tokyo from December 2027 to March 2029, the daemon catching up (as at each start);
    // 10–20 January 2029 the machine is off, over the draw date.
    for (let t = tokyo('2027-12-01T10:30:00').getTime(); t < tokyo('2029-03-01T10:30:00').getTime(); t += DAY) {
      const now = new Date(t);
      const day = periodKey(now).slice(0, 10);
      if (day >= '2029-01-10' && day <= '2029-01-20') continue;
      if (day === '2028-01-25' || day === '2028-02-10') {
        // The first chosen holder answers with the audit number in a new mail's subject; the second in the
        // request's thread (In-Reply-To), after the reminder, with a subject of their own.
        const audits = listAudits(h.app, 2027).audits;
        const which = day === '2028-01-25' ? audits[0]! : audits[1]!;
        const request = requests(h.app).find((r) => r.to_address === which.address)!;
        const outcome = await h.process(await buildMail({
          from: `監査 花子 <${which.address}>`, date: now, messageId: `reply-${day}@example.jp`,
          subject: day === '2028-01-25' ? `【CPD監査】書類の提出（監査番号 ${which.number}）` : 'CPD受講証明書をお送りします',
          ...(day === '2028-02-10' ? { inReplyTo: request.rfc_message_id, references: [request.rfc_message_id] } : {}),
          text: 'よろしくお願いいたします。', attachments: [PROOF],
        }));
        expect(outcome.classification).toBe('reply');
        expect(outcome.note).toContain(which.number);
        expect(outcome.cases).toEqual([]);
        replied = true;
      }
      for (const r of await catchUp(h.app, jobs, now)) {
        expect(r.error).toBeUndefined();
        log.push(`${r.job} ${r.period} ${r.result!.summary}`);
      }
      // A second daemon on the same database at the same time does nothing twice.
      expect(await catchUp(h.app, jobs, now)).toEqual([]);
    }
    expect(replied).toBe(true);
    const draws = log.filter((l) => l.startsWith('cpd-audit '));
    // 15 January 2028 at 10:00 draws 2027; the daemon was off on 15 January 2029: drawn 2028 at its next start.
    expect(draws.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'cpd-audit 2028-01-15T10:00 2027:',
      'cpd-audit 2029-01-15T10:00 2028:',
    ]);
    expect(h.app.db.prepare("SELECT period, state FROM job_runs WHERE job = 'cpd-audit' ORDER BY period").all().map((r) => ({ ...r }))).toEqual([
      { period: '2027-01-15T10:00', state: 'skipped' }, // the first start's baseline: nothing drawn for 2026
      { period: '2028-01-15T10:00', state: 'done' },
      { period: '2029-01-15T10:00', state: 'done' },
    ]);
    expect(h.app.db.prepare("SELECT started_at FROM job_runs WHERE job = 'cpd-audit' AND period = '2029-01-15T10:00'").get()).toEqual({ started_at: tokyo('2029-01-21T10:30:00').toISOString() });
    expect(auditStore(h.app).drawnYears()).toEqual([2028, 2027]);
    expect(verifyAudit(h.app, 2027).ok).toBe(true);
    expect(verifyAudit(h.app, 2028).ok).toBe(true);

    // 2027: three holders asked (deadline 14 February 2028); the first replied by number before the reminder,
    // the second by thread after it, the third never.
    const [first, second, third] = listAudits(h.app, 2027).audits;
    expect(first).toMatchObject({ state: 'received', replies: 1, reminded_at: null });
    expect(second).toMatchObject({ state: 'received', replies: 1 });
    expect(second!.reminded_at).toBe(tokyo('2028-02-07T10:30:00').toISOString());
    expect(third).toMatchObject({ state: 'overdue', replies: 0 });
    expect(third!.reminded_at).toBe(tokyo('2028-02-07T10:30:00').toISOString());
    const ours = new Set([first!.address, second!.address, third!.address]);
    const reminders = requests(h.app, 'audit-reminder').filter((r) => ours.has(r.to_address));
    expect(reminders.map((r) => r.to_address).sort()).toEqual([second!.address, third!.address].sort()); // once each, not to the first
    // 2028's two holders (drawn 21 January 2029, deadline 20 February) were reminded on 13 February.
    expect(requests(h.app, 'audit-reminder')).toHaveLength(4);
    expect(reminders[0]!.mail.subject).toContain('【CPD監査】');
    expect(log.filter((l) => /cpd-audit-follow-up .* [1-9]\d* audits overdue/.test(l)).map((l) => l.split(' ')[1])).toEqual(['2028-02-15T09:30', '2029-02-21T09:30']);

    // The files of both replies are the evidence of their audits.
    const store = auditStore(h.app);
    for (const a of [first!, second!]) expect(store.evidence(a.id).map((e) => e.filename)).toEqual([PROOF.filename]);
    expect(store.events(second!.id).map((e) => e.type)).toEqual(['audit.requested', 'notice.queued', 'audit.reminder', 'notice.queued', 'audit.reply']);
    expect(store.events(third!.id).map((e) => e.type)).toEqual(['audit.requested', 'notice.queued', 'audit.reminder', 'notice.queued', 'audit.overdue']);

    // Staff: the first holder's proofs are complete, then passed; the third waived (no reply: passing refused).
    markProofsComplete(h.app, first!.number, { actor: 'staff:sato', login: 'sato' }, tokyo('2028-02-20T10:00:00'));
    expect(() => recordAuditOutcome(h.app, first!.number, { outcome: 'passed', reason: ' ', actor: 'staff:sato', login: 'sato' })).toThrow(/理由/);
    recordAuditOutcome(h.app, first!.number, { outcome: 'passed', reason: '受講証明書で30ポイントを確認', actor: 'staff:sato', login: 'sato', address: '127.0.0.1' }, tokyo('2028-02-20T10:05:00'));
    expect(() => recordAuditOutcome(h.app, first!.number, { outcome: 'failed', reason: 'x', actor: 'staff:ito', login: 'ito' })).toThrow(/記録済み/);
    expect(() => recordAuditOutcome(h.app, third!.number, { outcome: 'passed', reason: 'x', actor: 'staff:ito', login: 'ito' })).toThrow(/届いていない/);
    recordAuditOutcome(h.app, third!.number, { outcome: 'waived', reason: '長期療養のため免除', actor: 'staff:ito', login: 'ito' }, tokyo('2028-02-21T10:00:00'));
    expect(store.auditByNumber(first!.number)).toMatchObject({ state: 'complete', outcome: 'passed', outcome_by: 'staff:sato', outcome_reason: '受講証明書で30ポイントを確認' });
    expect(store.auditByNumber(third!.number)).toMatchObject({ state: 'overdue', outcome: 'waived', outcome_by: 'staff:ito' });
    // The draws are audited too (by the job here), with the seed's source and the population's hash.
    const drawsLogged = h.app.db.prepare("SELECT login, target, detail_json FROM audit_log WHERE action = 'cpd-audit.draw' ORDER BY id").all().map((r) => ({ ...r }) as { login: string; target: string; detail_json: string });
    expect(drawsLogged.map((r) => [r.login, r.target])).toEqual([['job:cpd-audit', '2027'], ['job:cpd-audit', '2028']]);
    expect(JSON.parse(drawsLogged[0]!.detail_json)).toMatchObject({ year: 2027, seedSource: 'generated', populationSha256: auditStore(h.app).drawOf(2027)!.population_sha256, chosen: [first!.number, second!.number, third!.number] });
    const logged = h.app.db.prepare("SELECT login, action, case_number, address, detail_json FROM audit_log WHERE action LIKE 'cpd-audit.%' AND action <> 'cpd-audit.draw' ORDER BY id").all().map((r) => ({ ...r }));
    expect(logged).toEqual([
      { login: 'sato', action: 'cpd-audit.complete', case_number: first!.number, address: null, detail_json: JSON.stringify({ year: 2027 }) },
      { login: 'sato', action: 'cpd-audit.outcome', case_number: first!.number, address: '127.0.0.1', detail_json: JSON.stringify({ outcome: 'passed', state: 'complete', year: 2027 }) },
      { login: 'ito', action: 'cpd-audit.outcome', case_number: third!.number, address: null, detail_json: JSON.stringify({ outcome: 'waived', state: 'overdue', year: 2027 }) },
    ]);
    // The reason is free text: it stays with the audit, not in the audit log.
    expect(JSON.stringify(logged)).not.toContain('免除');

    // The holders are told the outcome, once each, through the outbox, in their request's thread; the staff's
    // reason is not sent.
    const passedNotices = requests(h.app, 'audit-passed');
    expect(passedNotices.map((r) => [r.to_address, r.audience])).toEqual([[first!.address, 'applicant']]);
    const firstRequest = store.auditByNumber(first!.number)!.request_message_id!;
    expect(passedNotices[0]!.mail).toMatchObject({ inReplyTo: firstRequest, references: [firstRequest], subject: `【CPD監査】監査結果のお知らせ（監査番号 ${first!.number}）` });
    expect(passedNotices[0]!.mail.text).toContain('監査 花子');
    expect(passedNotices[0]!.mail.text).toContain('合格');
    expect(passedNotices[0]!.mail.text).not.toContain('30ポイント');
    const waivedNotices = requests(h.app, 'audit-waived');
    expect(waivedNotices.map((r) => r.to_address)).toEqual([third!.address]);
    expect(waivedNotices[0]!.mail.references).toEqual([store.auditByNumber(third!.number)!.request_message_id, store.auditByNumber(third!.number)!.reminder_message_id]);
    expect(waivedNotices[0]!.mail.text).toContain('免除');
    expect(waivedNotices[0]!.mail.text).not.toContain('長期療養');
    expect(requests(h.app, 'audit-failed')).toEqual([]);
    expect(store.events(first!.id).slice(-2).map((e) => [e.type, e.data_json])).toEqual([
      ['audit.outcome', JSON.stringify({ outcome: 'passed', state: 'complete', mailed: true })],
      ['notice.queued', JSON.stringify({ kind: 'audit-passed', messageId: passedNotices[0]!.rfc_message_id, queued: true })],
    ]);

    // Late proofs from another address, after the outcome: kept with the audit and marked so; nothing else moves.
    const late = await h.process(await buildMail({ from: 'someone@elsewhere.example', subject: `Fw: 監査番号 ${third!.number}`, date: tokyo('2029-03-02T10:00:00'), messageId: 'late@example.jp', attachments: [PROOF] }));
    expect(late.note).toContain(third!.number);
    expect(store.auditByNumber(third!.number)).toMatchObject({ state: 'overdue', outcome: 'waived' });
    expect(store.events(third!.id).at(-1)).toMatchObject({ type: 'audit.reply', data_json: JSON.stringify({ files: 1, afterOutcome: true, late: true, otherSender: true }) });
    expect(store.events(first!.id).filter((e) => e.type === 'audit.reply').map((e) => e.data_json)).toEqual([JSON.stringify({ files: 1 })]);
  }, 180_000);
});

describe("the CPD audit in the staff's daily digest", () => {
  it('counts the replies waiting to be checked and the overdue audits, with links, and says nothing once they are decided', async () => {
    const h = fresh();
    const digest = jobNamed('daily-digest')!;
    renewals(h.app, range(1, 30), '2027-02-10T03:00:00.000Z');
    expect((await runJob(h.app, digest, '2028-01-10T08:00', tokyo('2028-01-10T08:00:00'))).result!.summary).toBe('nothing needs staff: no digest');
    const chosen = drawAudit(h.app, 2027, { seed: 'digest-seed', actor: 'admin:a', now: tokyo('2028-01-15T10:00:00') }).chosen.map((c) => c.audit);
    const store = auditStore(h.app);
    const first = store.auditByNumber(chosen[0]!)!;
    await h.process(await buildMail({ from: `<${first.address}>`, subject: `【CPD監査】（監査番号 ${first.number}）`, date: tokyo('2028-01-20T09:00:00'), messageId: 'digest-reply@example.jp', attachments: [PROOF] }));
    // The reply is waiting to be checked the next morning (audits still waiting for the holder are nobody's work).
    expect((await runJob(h.app, digest, '2028-01-21T08:00', tokyo('2028-01-21T08:00:00'))).result!.summary).toMatch(/, 1 CPD audits to check$/);
    auditFollowUp(h.app, tokyo('2028-02-15T09:30:00'));
    const r = await runJob(h.app, digest, '2028-02-16T08:00', tokyo('2028-02-16T08:00:00'));
    expect(r.result!.summary).toMatch(/^digest: 0 new cases, .*, 3 CPD audits to check$/);
    const mail = (JSON.parse((h.app.db.prepare("SELECT mail_json FROM outbox WHERE kind = 'staff-digest' AND rfc_message_id LIKE '%202802160800%'").get() as { mail_json: string }).mail_json) as OutgoingMail);
    const base = (h.app.config.web.publicUrl || `http://${h.app.config.web.host}:${h.app.config.web.port}`).replace(/\/$/, '');
    expect(mail.subject).toContain('（3件）');
    expect(mail.text).toContain('■ 対応が必要なCPD監査（3件）');
    expect(mail.text).toContain(`・2027年 書類が届き確認待ち：1件　${base}/audit?year=2027&state=received`);
    expect(mail.text).toContain(`・2027年 提出期限切れ（結果未記録）：2件　${base}/audit?year=2027&state=overdue`);
    // Numbers and counts only: no holder's name or address.
    expect(mail.text).not.toMatch(/監査 花子|holder\d+@example\.jp/);
    recordAuditOutcome(h.app, chosen[0]!, { outcome: 'passed', reason: '確認済み', actor: 'staff:a', login: 'a' }, tokyo('2028-02-16T10:00:00'));
    recordAuditOutcome(h.app, chosen[1]!, { outcome: 'failed', reason: '未提出', actor: 'staff:a', login: 'a' }, tokyo('2028-02-16T10:00:00'));
    expect((await runJob(h.app, digest, '2028-02-17T08:00', tokyo('2028-02-17T08:00:00'))).result!.summary).toMatch(/, 1 CPD audits to check$/);
    recordAuditOutcome(h.app, chosen[2]!, { outcome: 'waived', reason: '療養中', actor: 'staff:a', login: 'a' }, tokyo('2028-02-17T10:00:00'));
    expect((await runJob(h.app, digest, '2028-02-18T08:00', tokyo('2028-02-18T08:00:00'))).result!.summary).toBe('nothing needs staff: no digest');
  });
});

describe('conken audit', () => {
  it('draws with an entered seed, lists, verifies (exit 0), records outcomes, and fails verify (exit 1) once the population changed', async () => {
    const h = fresh();
    renewals(h.app, range(1, 12), '2025-02-01T00:00:00.000Z');
    const env = dataEnv(h.dir);
    // The draw of a past year (the CLI's clock is the real one).
    const drawn = await conken(['audit', 'draw', '2025', '--seed', 'cli-seed', '--json'], env);
    expect(drawn.code, drawn.stderr).toBe(0);
    const r = JSON.parse(drawn.stdout) as { seed: string; chosen: { certificationNumber: string; audit: string }[]; populationHash: string };
    expect(r.seed).toBe('cli-seed');
    expect(r.chosen.map((c) => c.certificationNumber)).toEqual(byHand('cli-seed', range(1, 12).map(cn), 2));
    const text = await conken(['audit', 'verify', '2025'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('一致');
    expect(text.stdout).toContain(r.populationHash);
    const list = await conken(['audit', 'list', '2025'], env);
    expect(list.code).toBe(0);
    for (const c of r.chosen) expect(list.stdout).toContain(c.audit);
    expect(list.stdout).toContain('提出待ち');
    const again = await conken(['audit', 'draw', '2025'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('記録済み');

    // The outcome by hand: the same function as the workbench's (audited, the holder told once).
    const [one, two] = r.chosen;
    const bad = await conken(['audit', 'outcome', one!.audit, 'ok', '--reason', 'x'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('passed（合格）・failed（不合格）・waived（免除）');
    const noProofs = await conken(['audit', 'outcome', one!.audit, 'passed', '--reason', 'x'], env);
    expect(noProofs.code).toBe(2);
    expect(noProofs.stderr).toContain('書類が届いていない');
    const waived = await conken(['audit', 'outcome', one!.audit, 'waived', '--reason', '海外赴任のため免除', '--actor', 'suzuki'], env);
    expect(waived.code, waived.stderr).toBe(0);
    expect(waived.stdout).toContain('「免除」として記録しました');
    const failedOne = await conken(['audit', 'outcome', two!.audit, 'failed', '--reason', '期限までに提出がありませんでした', '--json'], env);
    expect(failedOne.code, failedOne.stderr).toBe(0);
    expect(JSON.parse(failedOne.stdout)).toMatchObject({ number: two!.audit, outcome: 'failed' });
    const twice = await conken(['audit', 'outcome', one!.audit, 'failed', '--reason', 'y'], env);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('記録済み');
    const store = auditStore(h.app);
    expect(store.auditByNumber(one!.audit)).toMatchObject({ outcome: 'waived', outcome_by: 'admin:suzuki', outcome_reason: '海外赴任のため免除' });
    expect(h.app.db.prepare("SELECT login, case_number FROM audit_log WHERE action = 'cpd-audit.outcome' ORDER BY id").all().map((x) => ({ ...x }))).toEqual([
      { login: 'suzuki', case_number: one!.audit }, { login: process.env.CONKEN_USER ?? process.env.USER ?? 'admin', case_number: two!.audit },
    ]);
    expect(h.app.db.prepare("SELECT login, target FROM audit_log WHERE action = 'cpd-audit.draw'").all().map((x) => ({ ...x }))).toEqual([{ login: process.env.CONKEN_USER ?? process.env.USER ?? 'admin', target: '2025' }]);
    const notices = h.app.db.prepare("SELECT kind, to_address FROM outbox WHERE kind LIKE 'audit-%' AND kind NOT IN ('audit-request', 'audit-reminder') ORDER BY id").all().map((x) => ({ ...x }));
    expect(notices).toEqual([{ kind: 'audit-waived', to_address: store.auditByNumber(one!.audit)!.address }, { kind: 'audit-failed', to_address: store.auditByNumber(two!.audit)!.address }]);

    renewals(h.app, [13], '2025-08-01T00:00:00.000Z');
    const failed = await conken(['audit', 'verify', '2025'], env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('不一致');
  }, 120_000);
});
