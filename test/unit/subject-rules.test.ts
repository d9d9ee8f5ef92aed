import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { classifySubject } from '../../src/intake/subject-rules.ts';
import { loadRules } from '../../src/app/load-rules.ts';

const rules = loadRules(path.resolve(import.meta.dirname, '../../rules'));
const kinds = Object.values(rules.kinds);
const classify = (s: string) => classifySubject(s, rules.intake, kinds);

describe('subject rules', () => {
  it.each([
    '【更新申請】プロフェッショナル更新申請書添付_260120',
    '【更新申請】プロフェッショナル更新申請書添付_20260120',
    '【更新申請】プロフェッショナル更新申請書添付',
    '[更新申請]プロフェッショナル更新申請書添付 260120',
    '［更新申請］プロフェッショナル更新申請書添付260120',
    '更新申請 プロフェッショナル更新申請書添付_260120',
    'Re: 【更新申請】プロフェッショナル更新申請書添付_260120',
    'RE: Fwd: FW:【更新申請】プロフェッショナル更新申請書添付_260120',
    '転送：【更新申請】プロフェッショナル更新申請書添付＿２６０１２０',
    '返信: 【更新申請】ﾌﾟﾛﾌｪｯｼｮﾅﾙ更新申請書添付_260120',
  ])('matches %s', (subject) => {
    expect(classify(subject)).toMatchObject({ verdict: 'match', kind: 'renewal' });
  });

  it('reads the date', () => {
    expect(classify('【更新申請】プロフェッショナル更新申請書添付_260120')).toMatchObject({ date: '2026-01-20' });
    expect(classify('【更新申請】プロフェッショナル更新申請書添付_20260121')).toMatchObject({ date: '2026-01-21' });
  });

  it.each([
    '【更新申請】プロフェッショナル更親申請書添fu',
    '【更新申請】プロフェショナル更新申請書添付_260120',
    'プロフェッショナル更新申請書添付_260120',
    '更新申請書を送ります',
  ])('calls %s a near miss', (subject) => {
    expect(classify(subject).verdict).toBe('near-miss');
  });

  it.each(['会議のご案内', 'コンタクトセンター通信 1月号', '', 'Re: お問い合わせ'])('ignores unrelated mail: %s', (subject) => {
    expect(classify(subject)).toEqual({ verdict: 'unrelated' });
  });
});
