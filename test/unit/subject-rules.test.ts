import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { applicationMention, classifySubject } from '../../src/intake/subject-rules.ts';
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

  it.each<[string, string]>([
    // A note after the date (a person sending both qualifications).
    ['【更新申請】プロフェッショナル更新申請書添付_260216（OMP・CAP）', 'renewal'],
    ['【更新申請】プロフェッショナル更新申請書添付_260216 OMP分', 'renewal'],
    ['【更新申請】プロフェッショナル更新申請書添付_20260216【山田】', 'renewal'],
    // A note after the rule's words when there is no date.
    ['【更新申請】プロフェッショナル更新申請書添付（CAP）', 'renewal'],
    ['【認定申請】プロフェッショナル認定申請書添付 よろしくお願いいたします', 'certification'],
    // Annotations before the brackets, alone or after a reply prefix.
    ['再送：【更新申請】プロフェッショナル更新申請書添付_260216', 'renewal'],
    ['【再送】【更新申請】プロフェッショナル更新申請書添付_260216', 'renewal'],
    ['(再送)【更新申請】プロフェッショナル更新申請書添付_260216', 'renewal'],
    ['（再送）【更新申請】プロフェッショナル更新申請書添付_260216', 'renewal'],
    ['[再送2]【更新申請】プロフェッショナル更新申請書添付_260216', 'renewal'],
    ['追加：【認定申請】プロフェッショナル認定申請書添付_260210', 'certification'],
    ['訂正 【更新申請】プロフェッショナル更新申請書添付_260216', 'renewal'],
    ['【訂正版】【更新申請】プロフェッショナル更新申請書添付_260216', 'renewal'],
    ['(再送2回目)【更新申請】プロフェッショナル更新申請書添付_260216', 'renewal'],
    ['【ご連絡】【更新申請】プロフェッショナル更新申請書添付_260216', 'near-miss'],
    ['Re: 再送：【更新申請】プロフェッショナル更新申請書添付_260216', 'renewal'],
    ['再送：Fwd: 【差し替え】【更新申請】プロフェッショナル更新申請書添付_260216（OMP・CAP）', 'renewal'],
  ])('takes %s (note after the rule, annotation before it)', (subject, kind) => {
    if (kind === 'near-miss') expect(classify(subject).verdict).toBe('near-miss');
    else expect(classify(subject)).toMatchObject({ verdict: 'match', kind });
  });

  it('reads the date before a note, and no date from digits that are not one', () => {
    expect(classify('【更新申請】プロフェッショナル更新申請書添付_260216（OMP・CAP）')).toMatchObject({ date: '2026-02-16' });
    expect(classify('再送：【更新申請】プロフェッショナル更新申請書添付_20260216 2通')).toMatchObject({ date: '2026-02-16' });
    expect(classify('【更新申請】プロフェッショナル更新申請書添付_261399')).toMatchObject({ verdict: 'match', date: null });
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
    // Garbled rule with a note after it: still close.
    '【更新申請】プロフェショナル更新申請書添附_260216（OMP・CAP）',
  ])('calls %s a near miss', (subject) => {
    expect(classify(subject).verdict).toBe('near-miss');
  });

  it.each(['会議のご案内', 'コンタクトセンター通信 1月号', '', 'Re: お問い合わせ', '更新の申請書です（プロフェッショナル）', '再送：会議資料'])('leaves to the content what matches no rule: %s', (subject) => {
    expect(classify(subject)).toEqual({ verdict: 'unrelated' });
  });
});

describe('mentions of an application (subject or body)', () => {
  const mention = (subject: string, body = '') => applicationMention(subject, body, rules.intake);
  it.each<[string, string, string]>([
    ['更新の申請書です（プロフェッショナル）', '', '件名の「申請書」'],
    ['資格の件', '認定の手続きについて', '本文の「認定」'],
    ['Re: お問い合わせ', '受付番号 R-2026-000123 の件で連絡します。', '受付番号 R-2026-000123'],
    ['C－２０２６－０００００７について', '', '受付番号 C-2026-000007'],
    ['書類です', 'お世話になっております。更新をお願いします。', '本文の「更新」'],
  ])('%s / %s → %s', (subject, body, expected) => {
    expect(mention(subject, body)).toBe(expected);
  });

  it('finds none in unrelated mail, nor in a long body\'s footer', () => {
    expect(mention('ランチのお誘い', '12時にロビーで。')).toBeNull();
    expect(mention('コンタクトセンター通信 1月号', `${'ご案内です。'.repeat(400)}\n配信設定の更新はこちら`)).toBeNull();
  });
});
