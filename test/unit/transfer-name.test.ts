import { describe, expect, it } from 'vitest';
import { foldByTable, foldKanaGeneral, isTruncationOf, normaliseKana, transferKey, transferKeyByPattern } from '../../src/payments/transfer-name.ts';

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
  it('folds by table exactly as the general fold does (every pair of characters of the alphabet, and random names)', () => {
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));
    const alphabet = [...range(0x20, 0x7e), ...range(0x3000, 0x3029), ...range(0x3030, 0x30ff), ...range(0xff01, 0xff9f)];
    for (const a of alphabet) for (const b of alphabet) if (foldByTable(a + b) !== foldKanaGeneral(a + b)) expect(foldByTable(a + b)).toBe(foldKanaGeneral(a + b));
    let seed = 7;
    const pick = () => alphabet[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % alphabet.length]!;
    for (let n = 0; n < 20_000; n++) {
      const text = Array.from({ length: 1 + (n % 24) }, pick).join('');
      expect(foldByTable(text)).toBe(foldKanaGeneral(text));
    }
    for (const name of ['ｳﾞｧｲｵﾘﾝ ﾊﾟﾊﾟﾞ', 'ヴァイオリン　ぱぱ゛', 'か\u3099き\u309aく゛', '０１２３ヤマダ～タロウ']) expect(foldByTable(name)).toBe(foldKanaGeneral(name));
    // Anything else (kanji, control characters, other scripts) takes the general fold.
    for (const other of ['山田', 'ﾔﾏﾀﾞ\tﾀﾛｳ', 'Ä', 'カ\u302a\u3099']) expect(foldByTable(other)).toBeNull();
  });
});

describe('transfer-name: keys read by hand as the patterns read them', () => {
  it('gives the key the patterns give, on bank-like names, entity marks, digits and blanks of every kind', () => {
    const parts = ['0123', '20230123', '１２', ' ', '\u3000', '\t', '-', 'ｰ', 'ー', 'ｶ)', '(ｶ)', '(ｶ', 'ｼﾔ)', 'ｼ)', 'ﾄｸﾋ)', '(ｻﾞｲ', 'ｻﾝﾌﾟﾙ', 'ﾔﾏﾀﾞ', 'ﾀﾛｳ', 'かぶしきがいしゃ', 'ホウジン', '(', ')', '（', '）', '.', '・', 'ｲﾘﾖｳﾎｳｼﾞﾝ', 'ABC', '9', '\u00a0', '\u2003'];
    let seed = 11;
    const pick = () => parts[(seed = (seed * 48271) % 2147483647) % parts.length]!;
    let entities = 0;
    for (let n = 0; n < 20_000; n++) {
      const text = Array.from({ length: 1 + (n % 7) }, pick).join('');
      const key = transferKey(text);
      expect(key, JSON.stringify(text)).toEqual(transferKeyByPattern(text));
      if (key.entity) entities++;
    }
    expect(entities).toBeGreaterThan(1000);
  });
});
