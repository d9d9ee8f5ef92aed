// A renewal checked against the register of holders (src/cases/register-check.ts), pure: the entry comes in
// with the facts. Each finding code with its case: match, unknown number, wrong qualification, a changed
// surname, a kanji variant, lapsed or revoked, a renewal a year early or after the validity ended.
import { describe, expect, it } from 'vitest';
import { comparableName, registerFindings, type RegisterFacts } from '../../src/cases/register-check.ts';
import { decideTransition } from '../../src/cases/transition.ts';

const holder = (over: Partial<NonNullable<RegisterFacts['holder']>> = {}): RegisterFacts => ({
  certificationNumber: 'OMP-2023-0123',
  holder: { qualification: 'OMP', name: '今田 健太郎', nameKana: 'こんだ けんたろう', validFrom: '2023-04-01', validTo: '2026-03-31', status: 'active', ...over },
});
const form = { qualification: 'OMP', name: '今田 健太郎', nameKana: 'こんだ けんたろう' };
const codes = (findings: { code: string; audience: string }[]) => findings.map((f) => `${f.code}/${f.audience}`);
const RECEIVED = '2026-01-20';

describe('a renewal against the register', () => {
  it('a holder of this qualification, with this name and a validity ending this fiscal year: nothing to say', () => {
    expect(registerFindings(form, holder(), RECEIVED)).toEqual([]);
    // Width, spaces and old/new kanji forms do not count.
    expect(registerFindings({ ...form, name: '今田　健太郎' }, holder(), RECEIVED)).toEqual([]);
    expect(registerFindings({ ...form, name: '髙橋 一郎' }, holder({ name: '高橋一郎' }), RECEIVED)).toEqual([]);
    expect(comparableName('ｺﾝﾀﾞ ｹﾝﾀﾛｳ')).toBe(comparableName('こんだ けんたろう'));
  });

  it('an unknown number is for staff (the register may be incomplete), never the applicant', () => {
    const f = registerFindings(form, { certificationNumber: 'OMP-2023-9999', holder: null }, RECEIVED);
    expect(codes(f)).toEqual(['register.unknown-number/staff']);
    expect(f[0]!.message).toContain('OMP-2023-9999');
  });

  it('a number of the other qualification is for staff', () => {
    expect(codes(registerFindings(form, holder({ qualification: 'CAP' }), RECEIVED))).toEqual(['register.qualification-mismatch/staff']);
  });

  it('a changed surname (same given name) is a note for the reviewer, not a rejection', () => {
    const f = registerFindings({ ...form, name: '山本 健太郎' }, holder(), RECEIVED);
    expect(codes(f)).toEqual(['register.name-mismatch/reviewer']);
    expect(f[0]!.message).toContain('姓が変わった可能性');
  });

  it('a lapsed or revoked holder is for staff, with the dates', () => {
    const f = registerFindings(form, holder({ status: 'lapsed', validTo: '2025-03-31' }), RECEIVED);
    expect(codes(f)).toEqual(['register.not-active/staff']);
    expect(f[0]!.message).toContain('2025-03-31');
    expect(codes(registerFindings(form, holder({ status: 'revoked' }), RECEIVED))).toEqual(['register.not-active/staff']);
  });

  it('a renewal a year early, or after the validity ended, is for staff with the dates', () => {
    const early = registerFindings(form, holder({ validTo: '2027-03-31' }), RECEIVED);
    expect(codes(early)).toEqual(['register.validity-mismatch/staff']);
    expect(early[0]!.message).toMatch(/早すぎる申請.*2027-03-31.*2025-04-01〜2026-03-31/);
    const late = registerFindings(form, holder({ validTo: '2025-03-31' }), RECEIVED);
    expect(codes(late)).toEqual(['register.validity-mismatch/staff']);
    expect(late[0]!.message).toMatch(/2025-03-31 に満了した後（期限切れ）.*2023-04-01〜2025-03-31.*2025-04-01〜2026-03-31/);
  });

  it('an expired holder (validity ended before receipt, recorded active) is a late renewal for staff, never "not active"', () => {
    // Ended within the fiscal year of receipt (an imported end date): the year alone would not tell.
    const ended = registerFindings(form, holder({ validTo: '2026-01-10' }), RECEIVED);
    expect(codes(ended)).toEqual(['register.validity-mismatch/staff']);
    expect(ended[0]!.message).toContain('2026-01-10 に満了した後（期限切れ）');
    // The state is judged on the day of receipt: a validity ending the day of receipt is still running.
    expect(registerFindings(form, holder({ validTo: RECEIVED }), RECEIVED)).toEqual([]);
    // A state 'expired' handed in (an export read back) is judged by the dates like any recorded active one.
    expect(codes(registerFindings(form, holder({ status: 'expired', validTo: '2025-03-31' }), RECEIVED))).toEqual(['register.validity-mismatch/staff']);
  });

  it('the transition adds the checks to the evaluation and decides the status with them', () => {
    const RULES = { intake: { ocr: { minConfidence: 85 } }, kinds: {} };
    const facts = { kind: 'fixture', application: { kind: 'fixture', sources: {}, invalid: {}, ...form }, received: RECEIVED, proofCount: 0, documents: [], intakeFindings: [] };
    const open = (register: RegisterFacts) => decideTransition({ status: null, findings: [], noticesSuppressed: false, paid: true, paymentFindings: [] }, { type: 'application', facts: { ...facts, register } }, RULES);
    expect(open(holder()).status).toBe('ready-for-review');
    expect(open({ certificationNumber: 'X', holder: null })).toMatchObject({ status: 'exception', notices: ['acknowledgement'] });
    expect(open(holder({ name: '山本 健太郎' })).status).toBe('ready-for-review');
    // A staff finding marked handled stays handled.
    const handled = [{ code: 'register.unknown-number', field: 'certificationNumber', reason: '旧名簿で確認済み', by: 'staff:sato', at: '2026-01-21T00:00:00Z' }];
    const d = decideTransition({ status: null, findings: [], noticesSuppressed: false, paid: true, paymentFindings: [] }, { type: 'application', facts: { ...facts, handled, register: { certificationNumber: 'X', holder: null } } }, RULES);
    expect(d.status).toBe('ready-for-review');
  });
});
