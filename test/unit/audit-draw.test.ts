// The CPD audit's pure parts: the draw (population hash, keys, sample size, order) checked against an
// independent computation, and the audit transition's every refusal and move.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalPopulation, drawKey, drawSample, populationHash, sampleSize } from '../../src/cases/audit-draw.ts';
import { decideAudit, TransitionRefused, type AuditBefore } from '../../src/cases/audit-transition.ts';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('the audit draw', () => {
  it('normalises, dedupes and sorts the population; hashes it as documented', () => {
    const p = canonicalPopulation(['omp-2024-0002', 'ＯＭＰ－２０２４－０００１', 'OMP-2024-0002', ' CAP-2023-0009 ', '']);
    expect(p).toEqual(['CAP-2023-0009', 'OMP-2024-0001', 'OMP-2024-0002']);
    expect(populationHash(p)).toBe(sha('CAP-2023-0009\nOMP-2024-0001\nOMP-2024-0002'));
    expect(populationHash([...p, 'OMP-2024-0003'])).not.toBe(populationHash(p));
  });

  it('chooses the smallest SHA-256(seed ‖ number), the same every time; another seed, another sample', () => {
    const population = Array.from({ length: 50 }, (_, i) => `OMP-2024-${String(i + 1).padStart(4, '0')}`);
    expect(drawKey('s', 'OMP-2024-0001')).toBe(sha('sOMP-2024-0001'));
    const want = [...population].sort((a, b) => sha(`s${a}`).localeCompare(sha(`s${b}`))).slice(0, 5);
    const drawn = drawSample('s', population, 5);
    expect(drawn.map((d) => d.certificationNumber)).toEqual(want);
    expect(drawn.map((d) => d.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(drawSample('s', [...population].reverse(), 5)).toEqual(drawn);
    expect(drawSample('t', population, 5).map((d) => d.certificationNumber)).not.toEqual(want);
    expect(() => drawSample('', population, 5)).toThrow();
  });

  it('sizes the sample by share (rounded up, minimum) or count, never above the population', () => {
    expect(sampleSize({ share: 0.1 }, 30)).toBe(3);
    expect(sampleSize({ share: 0.1 }, 31)).toBe(4);
    expect(sampleSize({ share: 0.1, minimum: 5 }, 20)).toBe(5);
    expect(sampleSize({ share: 0.1, minimum: 5 }, 3)).toBe(3);
    expect(sampleSize({ count: 20 }, 12)).toBe(12);
    expect(sampleSize({ count: 20 }, 0)).toBe(0);
  });
});

describe('the audit transition', () => {
  const at = '2028-02-01T00:00:00.000Z';
  const requested: AuditBefore = { state: 'requested', deadline: '2028-02-14', hasAddress: true, remindedAt: null, firstReplyAt: null, outcome: null };

  it('opens requested with the request (none without an address)', () => {
    expect(decideAudit(null, { type: 'drawn', deadline: '2028-02-14', hasAddress: true })).toMatchObject({ state: 'requested', mail: 'audit-request' });
    expect(decideAudit(null, { type: 'drawn', deadline: '2028-02-14', hasAddress: false }).mail).toBeNull();
    expect(() => decideAudit(requested, { type: 'drawn', deadline: '2028-02-14', hasAddress: true })).toThrow(TransitionRefused);
  });

  it('a reply: requested or overdue → received (the first reply time kept); after the outcome it is only recorded', () => {
    expect(decideAudit(requested, { type: 'reply', files: 2, at })).toMatchObject({ state: 'received', columns: { first_reply_at: at } });
    expect(decideAudit({ ...requested, state: 'overdue' }, { type: 'reply', files: 1, at })).toMatchObject({ state: 'received', events: [{ data: { late: true } }] });
    expect(decideAudit({ ...requested, state: 'received', firstReplyAt: at }, { type: 'reply', files: 1, at: '2028-02-02T00:00:00.000Z' })).toMatchObject({ state: 'received', columns: {} });
    expect(decideAudit({ ...requested, state: 'overdue', outcome: 'failed' }, { type: 'reply', files: 1, at })).toMatchObject({ state: 'overdue', events: [{ data: { afterOutcome: true } }] });
  });

  it('reminds once, before the deadline, only while waiting; overdue only after the deadline', () => {
    expect(decideAudit(requested, { type: 'reminder', today: '2028-02-07', at })).toMatchObject({ mail: 'audit-reminder', columns: { reminded_at: at } });
    expect(() => decideAudit({ ...requested, remindedAt: at }, { type: 'reminder', today: '2028-02-08', at })).toThrow(/reminded already/);
    expect(() => decideAudit({ ...requested, state: 'received' }, { type: 'reminder', today: '2028-02-08', at })).toThrow(TransitionRefused);
    expect(() => decideAudit(requested, { type: 'reminder', today: '2028-02-15', at })).toThrow(/passed/);
    expect(() => decideAudit(requested, { type: 'deadline-passed', today: '2028-02-14' })).toThrow(/not passed/);
    expect(decideAudit(requested, { type: 'deadline-passed', today: '2028-02-15' }).state).toBe('overdue');
    expect(() => decideAudit({ ...requested, state: 'received' }, { type: 'deadline-passed', today: '2028-02-15' })).toThrow(TransitionRefused);
  });

  it('the outcome: once, with a reason; passed only with proofs received', () => {
    const received = { ...requested, state: 'received' as const };
    expect(decideAudit(received, { type: 'proofs-complete', actor: 'staff:a' }).state).toBe('complete');
    expect(() => decideAudit(requested, { type: 'proofs-complete', actor: 'staff:a' })).toThrow(TransitionRefused);
    expect(decideAudit(received, { type: 'outcome', outcome: 'passed', actor: 'staff:a', reason: ' ok ', at })).toMatchObject({ state: 'received', columns: { outcome: 'passed', outcome_by: 'staff:a', outcome_reason: 'ok', outcome_at: at } });
    expect(() => decideAudit(received, { type: 'outcome', outcome: 'passed', actor: 'staff:a', reason: '  ', at })).toThrow(/reason/);
    expect(() => decideAudit(requested, { type: 'outcome', outcome: 'passed', actor: 'staff:a', reason: 'x', at })).toThrow(/no proofs/);
    expect(decideAudit({ ...requested, state: 'overdue' }, { type: 'outcome', outcome: 'failed', actor: 'staff:a', reason: '未提出', at }).columns.outcome).toBe('failed');
    expect(() => decideAudit({ ...received, outcome: 'passed' }, { type: 'outcome', outcome: 'failed', actor: 'staff:b', reason: 'x', at })).toThrow(/already/);
    // The holder is told the outcome (its own template per outcome), unless the register has no address.
    expect(decideAudit(received, { type: 'outcome', outcome: 'passed', actor: 'staff:a', reason: 'ok', at }).mail).toBe('audit-passed');
    expect(decideAudit({ ...requested, state: 'overdue' }, { type: 'outcome', outcome: 'waived', actor: 'staff:a', reason: 'x', at }).mail).toBe('audit-waived');
    expect(decideAudit({ ...requested, state: 'overdue', hasAddress: false }, { type: 'outcome', outcome: 'failed', actor: 'staff:a', reason: 'x', at })).toMatchObject({ mail: null, events: [{ data: { mailed: false } }] });
  });
});
