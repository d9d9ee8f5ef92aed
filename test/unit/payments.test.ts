import { describe, expect, it } from 'vitest';
import { normaliseKana, transferKey } from '../../src/payments/transfer-name.ts';
import { matchExact } from '../../src/payments/matcher.ts';
import { parseSimpleCsv, StatementError } from '../../src/payments/csv-statement.ts';

describe('transfer names', () => {
  it('folds width, script and small kana as banks print them', () => {
    expect(transferKey('0123ｺﾝﾀﾞｹﾝﾀﾛｳ')).toMatchObject({ digits: '0123', kana: 'コンダケンタロウ' });
    expect(transferKey('０１２３　こんだ　けんたろう')).toMatchObject({ digits: '0123', kana: 'コンダケンタロウ' });
    expect(normaliseKana('キッタ ショウ')).toBe(normaliseKana('ｷﾂﾀ ｼﾖｳ'));
    expect(transferKey('ｺﾝｹﾝﾀﾛｳ')).toMatchObject({ digits: null, kana: 'コンケンタロウ' });
  });
});

describe('exact matcher', () => {
  const c1 = { id: 1, digits: '0123', kana: 'こんだけんたろう', declaredTransferName: '0123コンダケンタロウ', expectedAmount: 11000 };
  it('links only an exact, unique key with the right amount', () => {
    expect(matchExact([c1], [{ id: 10, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', amount: 11000 }])).toEqual([{ paymentId: 10, caseId: 1, rule: expect.any(String) }]);
    expect(matchExact([c1], [{ id: 10, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', amount: 10000 }])).toEqual([]);
    expect(matchExact([c1], [{ id: 10, transferName: 'ｺﾝﾀﾞｹﾝﾀﾛｳ', amount: 11000 }])).toEqual([]);
    expect(matchExact([c1], [{ id: 10, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛ', amount: 11000 }])).toEqual([]);
  });
  it('never guesses between two applicants with the same key, or two payments for one case', () => {
    const c2 = { ...c1, id: 2, declaredTransferName: null };
    expect(matchExact([c1, c2], [{ id: 10, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', amount: 11000 }])).toEqual([]);
    expect(matchExact([c1], [{ id: 10, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', amount: 11000 }, { id: 11, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', amount: 11000 }])).toEqual([]);
  });
});

describe('simple CSV statements', () => {
  it('reads date, amount and name, with a BOM and Japanese headers', () => {
    expect(parseSimpleCsv('\ufeff日付,金額,振込名義\n2026/1/15,"11,000",0123ｺﾝﾀﾞｹﾝﾀﾛｳ\n')).toMatchObject([{ line: 2, paidOn: '2026-01-15', amount: 11000, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ' }]);
  });
  it('rejects the whole file with the line and reason', () => {
    expect(() => parseSimpleCsv('date,amount,transfer_name\n2026-01-15,11000,A\n2026-01-16,abc,B\n')).toThrow(/3行目.*金額/);
    expect(() => parseSimpleCsv('when,amount\n')).toThrow(StatementError);
  });
});
