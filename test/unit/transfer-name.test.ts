import { describe, expect, it } from 'vitest';
import { isTruncationOf, normaliseKana, transferKey } from '../../src/payments/transfer-name.ts';

describe('transfer-name: the kana rules', () => {
  it('folds width, hiragana/katakana and small kana (banks print ッ as ツ, ャ as ヤ)', () => {
    expect(normaliseKana('ｷﾂﾀ ｼﾖｳ')).toBe('キツタシヨウ');
    expect(normaliseKana('きった　しょう')).toBe('キツタシヨウ');
    expect(normaliseKana('キッタ・ショウ')).toBe('キツタシヨウ');
    expect(normaliseKana('ｺﾝﾀﾞｹﾝﾀﾛｳ')).toBe(normaliseKana('こんだ けんたろう'));
  });
  it('treats hyphens, dashes and the half-width long-vowel mark as ー', () => {
    for (const s of ['ｻﾄｰ', 'ｻﾄ-', 'サト－', 'サト―', 'さとー', 'サト‐']) expect(normaliseKana(s)).toBe('サトー');
  });
  it('removes spaces of every width and punctuation', () => {
    expect(normaliseKana(' ﾔﾏﾀﾞ  ﾋﾛｼ ')).toBe('ヤマダヒロシ');
    expect(normaliseKana('ヤマダ　ヒロシ.')).toBe('ヤマダヒロシ');
  });
  it('splits leading digits from the name, with or without a space or hyphen', () => {
    expect(transferKey('0123ｺﾝﾀﾞｹﾝﾀﾛｳ')).toEqual({ digits: '0123', kana: 'コンダケンタロウ', entity: null });
    expect(transferKey('０１２３　こんだ　けんたろう')).toEqual({ digits: '0123', kana: 'コンダケンタロウ', entity: null });
    expect(transferKey('0123-ｺﾝﾀﾞ ｹﾝﾀﾛｳ')).toEqual({ digits: '0123', kana: 'コンダケンタロウ', entity: null });
    expect(transferKey('ｺﾝﾀﾞｹﾝﾀﾛｳ')).toEqual({ digits: null, kana: 'コンダケンタロウ', entity: null });
    expect(transferKey('20230123ｺﾝﾀﾞｹﾝﾀﾛｳ').digits).toBe('0123');
  });
  it('recognises legal-entity abbreviations before, after and inside a name, and written out', () => {
    expect(transferKey('ｶ)ｻﾝﾌﾟﾙｺﾐﾕﾆｹｰｼﾖﾝｽﾞ')).toEqual({ digits: null, kana: 'サンプルコミユニケーシヨンズ', entity: 'カ' });
    expect(transferKey('ｻﾝﾌﾟﾙｺﾐﾕﾆｹｰｼﾖﾝｽﾞ(ｶ')).toMatchObject({ kana: 'サンプルコミユニケーシヨンズ', entity: 'カ' });
    expect(transferKey('ﾕ)ﾃｽﾄｼﾖｳｼﾞ')).toMatchObject({ kana: 'テストシヨウジ', entity: 'ユ' });
    expect(transferKey('ｲﾘﾖｳﾎｳｼﾞﾝ ﾃｽﾄｶｲ')).toMatchObject({ kana: 'テストカイ', entity: 'イ' });
    expect(transferKey('かぶしきがいしゃさんぷるこみゅにけーしょんず')).toMatchObject({ kana: 'サンプルコミユニケーシヨンズ', entity: 'カ' });
    expect(transferKey('ヤマダヒロシ').entity).toBeNull();
  });
  it('knows a truncated name from a different one', () => {
    expect(isTruncationOf('ヤマダ', 'ヤマダハナコ')).toBe(true);
    expect(isTruncationOf('ヤマ', 'ヤマダハナコ')).toBe(false);
    expect(isTruncationOf('ヤマダハナコ', 'ヤマダハナコ')).toBe(false);
    expect(isTruncationOf('ヤマダヒ', 'ヤマダハナコ')).toBe(false);
  });
});
