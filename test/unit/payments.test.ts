import { describe, expect, it } from 'vitest';
import { normaliseKana, transferKey } from '../../src/payments/transfer-name.ts';
import { comparePayments, matchExact, oneEditApart, paymentSortKey, reconcile, type OpenCase, type OpenPayment } from '../../src/payments/matcher.ts';
import { distance } from 'fastest-levenshtein';
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
    // Two exact payments for one case: the earlier is the fee, the later a duplicate (never both).
    expect(matchExact([c1], [{ id: 11, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', amount: 11000, paidOn: '2026-01-20' }, { id: 10, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', amount: 11000, paidOn: '2026-01-15' }]))
      .toEqual([{ paymentId: 10, caseId: 1, rule: expect.any(String) }]);
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

describe('reconcile: ranked candidates and findings (SPEC §5)', () => {
  const person = (id: number, digits: string, kana: string, extra: Partial<OpenCase> = {}): OpenCase =>
    ({ id, digits, kana, declaredTransferName: null, expectedAmount: 11000, ...extra });
  const cases = [
    person(1, '0123', 'こんだ けんたろう', { companyKana: 'かぶしきがいしゃてすと' }),
    person(2, '0777', 'やまだ はなこ'), person(3, '0777', 'やまだ はるか'),
    person(4, '0901', 'たなか まこと', { companyKana: 'かぶしきがいしゃてすと' }),
    person(5, '0555', 'ささき みさき'), person(6, '0556', 'ささき みさき'),
  ];
  const verdict = (transferName: string, amount = 11000, extra: Partial<OpenPayment> = {}) => reconcile(cases, [{ id: 100, transferName, amount, ...extra }]).verdicts[0]!;
  it('links an exact key even when the digits are shared, because the name settles it', () => {
    expect(verdict('0777ﾔﾏﾀﾞﾊﾅｺ')).toMatchObject({ status: 'matched', caseId: 2 });
  });
  it('ranks both applicants sharing digits when the name is cut short, and links neither', () => {
    expect(verdict('0777ﾔﾏﾀﾞ')).toMatchObject({ status: 'attention', code: 'payment.ambiguous', candidates: [{ caseId: 2 }, { caseId: 3 }] });
  });
  it('a name off by one character, or no digits: a candidate, never a match', () => {
    expect(verdict('0123ｺﾝﾀﾞｹﾝﾀﾛ')).toMatchObject({ status: 'attention', code: 'payment.ambiguous', candidates: [{ caseId: 1 }] });
    expect(verdict('0123ｺﾝﾀﾞｹﾝﾀﾛｵ')).toMatchObject({ status: 'attention', code: 'payment.ambiguous', candidates: [{ caseId: 1 }] });
    expect(verdict('ｺﾝﾀﾞｹﾝﾀﾛｳ')).toMatchObject({ status: 'attention', code: 'payment.ambiguous', candidates: [{ caseId: 1 }] });
    // No digits and one character off (at the start, in the middle, at the end): still found, never linked.
    for (const name of ['ｺﾝﾀﾞｹﾝﾀﾛｵ', 'ｶﾝﾀﾞｹﾝﾀﾛｳ', 'ｺﾝﾀﾞｹﾝﾀﾛ', 'ｺﾝﾀﾞｹﾝﾀﾛｳｳ']) {
      expect(verdict(name)).toMatchObject({ status: 'attention', code: 'payment.ambiguous', candidates: [{ caseId: 1, reason: '氏名が1文字違い' }] });
    }
    expect(verdict('ｺﾝﾄﾞｳｹﾝﾀﾛｵ').status).toBe('unmatched');
  });
  it('the right key with the wrong amount is an amount mismatch', () => {
    expect(verdict('0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 10000)).toMatchObject({ status: 'attention', code: 'payment.amount-mismatch', candidates: [{ caseId: 1 }] });
    expect(verdict('0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 10560)).toMatchObject({ code: 'payment.amount-mismatch' });
  });
  it('a company paying for several people is a bulk payment with its employees as candidates', () => {
    const v = verdict('ｶ)ﾃｽﾄ', 22000);
    expect(v).toMatchObject({ status: 'attention', code: 'payment.bulk' });
    expect(v.candidates.map((c) => c.caseId).sort()).toEqual([1, 4]);
  });
  it('a second payment is a duplicate; the same person\'s unpaid case comes first', () => {
    const { verdicts } = reconcile(cases, [{ id: 1, transferName: '0555ｻｻｷﾐｻｷ', amount: 11000, paidOn: '2026-01-21' }, { id: 2, transferName: '0555ｻｻｷﾐｻｷ', amount: 11000, paidOn: '2026-01-21' }]);
    expect(verdicts[0]).toMatchObject({ status: 'matched', caseId: 5 });
    expect(verdicts[1]).toMatchObject({ status: 'attention', code: 'payment.duplicate', candidates: [{ caseId: 6 }, { caseId: 5 }] });
  });
  it('unrelated deposits have no candidates; a held payment is never linked again', () => {
    expect(verdict('ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ', 50000)).toMatchObject({ status: 'unmatched', candidates: [] });
    expect(verdict('0123ｺﾝﾀﾞｹﾝﾀﾛｳ', 11000, { hold: true }).status).toBe('attention');
  });
  it('moves an automatic link to an earlier identical payment, whatever order they arrived in', () => {
    const later = { id: 1, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', amount: 11000, paidOn: '2026-01-27', linkedTo: 1 };
    const earlier = { id: 2, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', amount: 11000, paidOn: '2026-01-15' };
    expect(reconcile(cases, [later, earlier]).matches).toEqual([{ paymentId: 2, caseId: 1, rule: expect.any(String) }]);
  });
});

describe('reconcile: one person, two fees in one transfer', () => {
  it('is a bulk payment with both of their cases as candidates', () => {
    const cases: OpenCase[] = [
      { id: 5, digits: '0555', kana: 'ささき みさき', declaredTransferName: null, expectedAmount: 11000 },
      { id: 6, digits: '0556', kana: 'ささき みさき', declaredTransferName: null, expectedAmount: 11000 },
    ];
    expect(reconcile(cases, [{ id: 1, transferName: '0555ｻｻｷﾐｻｷ', amount: 22000 }]).verdicts[0]).toMatchObject({ status: 'attention', code: 'payment.bulk', candidates: [{ caseId: 5 }, { caseId: 6 }] });
  });
});

describe('matcher: the order payments are reconciled in', () => {
  it('is the order of their sort keys, also for names that are prefixes of one another, odd amounts and missing dates', () => {
    const names = ['ﾔﾏﾀﾞ', 'ﾔﾏﾀﾞﾀﾛｳ', 'ﾔﾏﾀﾞ ﾀﾛｳ', 'ﾔﾏﾀﾞ|ﾀﾛｳ', 'ﾔﾏﾀﾞ|', 'ｱ', '', '0123ﾔﾏﾀﾞ', 'ﾔﾏﾀﾞﾀﾛｳ'];
    const dates = ['2026-01-05', '2026-01-06', undefined, '2026-1-7'];
    const amounts = [11_000, 1_100, 110_000, 11_000.5, 1e12, 0];
    let seed = 3;
    const pick = <T>(xs: readonly T[]): T => xs[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % xs.length]!;
    const payments: OpenPayment[] = Array.from({ length: 600 }, (_, i) => ({ id: i % 50 === 0 ? 1e12 + i : i + 1, transferName: pick(names), amount: pick(amounts), ...(pick([true, true, false]) ? { paidOn: pick(dates) } : {}) })) as OpenPayment[];
    const byKey = [...payments].sort((a, b) => (paymentSortKey(a) < paymentSortKey(b) ? -1 : paymentSortKey(a) > paymentSortKey(b) ? 1 : 0));
    expect([...payments].sort(comparePayments).map((p) => p.id)).toEqual(byKey.map((p) => p.id));
  });
});

describe('matcher: names one edit apart', () => {
  it('is exactly a Levenshtein distance of 1, on every pair of short names over a small alphabet and on random names', () => {
    const alphabet = ['ア', 'イ', 'ウ'];
    const names: string[] = [''];
    for (let length = 1; length <= 4; length++) for (const n of names.filter((x) => x.length === length - 1)) for (const c of alphabet) names.push(n + c);
    let ones = 0;
    for (const a of names) {
      for (const b of names) {
        expect(oneEditApart(a, b), `${a} / ${b}`).toBe(distance(a, b) === 1);
        if (distance(a, b) === 1) ones++;
      }
    }
    expect(ones).toBeGreaterThan(1000);
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 48271) % 2147483647; return seed % n; };
    const kana = 'アイウエオカキクケコサシスセソタチツテト';
    for (let i = 0; i < 5000; i++) {
      const a = Array.from({ length: 3 + rnd(6) }, () => kana[rnd(kana.length)]).join('');
      const chars = [...a];
      const edit = rnd(4);
      const at = rnd(chars.length);
      if (edit === 0) chars[at] = kana[rnd(kana.length)]!;
      else if (edit === 1) chars.splice(at, 1);
      else if (edit === 2) chars.splice(at, 0, kana[rnd(kana.length)]!);
      else chars.splice(at, 2, kana[rnd(kana.length)]!);
      const b = chars.join('');
      expect(oneEditApart(a, b), `${a} / ${b}`).toBe(distance(a, b) === 1);
    }
  });
});
