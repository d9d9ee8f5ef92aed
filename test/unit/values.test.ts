import { describe, expect, it } from 'vitest';
import { parseDate, parseHours, parseNumber, parsePostalCode, parseYearMonth, leadingMark } from '../../src/extract/values.ts';

const ok = <T>(value: T) => ({ ok: true, value });

describe('parseDate', () => {
  it.each([
    ['2025年4月1日', '2025-04-01'],
    ['2025/4/1', '2025-04-01'],
    ['2025-04-01', '2025-04-01'],
    ['2025.4.1', '2025-04-01'],
    ['令和7年4月1日', '2025-04-01'],
    ['R7.4.1', '2025-04-01'],
    ['r7/4/1', '2025-04-01'],
    ['令和元年5月1日', '2019-05-01'],
    ['平成31年4月30日', '2019-04-30'],
    ['２０２５年６月１日', '2025-06-01'],
    ['令和８年１月２０日', '2026-01-20'],
    ['２０２５／６／１', '2025-06-01'],
    // digits typed into the printed placeholder, and typed before an untouched placeholder
    ['　2025年　 6月　 1日', '2025-06-01'],
    ['2025/6/1　　　年　　 　月　 　　日', '2025-06-01'],
    ['20250601', '2025-06-01'],
    ['7年4月1日', '2025-04-01'],
  ])('%s → %s', (text, iso) => {
    expect(parseDate(text)).toEqual(ok(iso));
  });

  it('treats the untouched placeholder as empty', () => {
    expect(parseDate('　　　年　　 　月　 　　日')).toEqual({ ok: false, empty: true });
    expect(parseDate('')).toEqual({ ok: false, empty: true });
  });

  // An empty CPD row's 年　月　日 read from a scan with 年 misread: a blank, not a date to ask about (found
  // on a varied set of our own, where it added a CPD row and shifted the rows after it).
  it('treats the placeholder with one character misread (no digit read) as empty', () => {
    for (const misread of ['午月日', '二月日', '年月目', '年　月　口']) expect(parseDate(misread)).toEqual({ ok: false, empty: true });
    for (const misread of ['午月', '自 二　月', '至年　目']) expect(parseYearMonth(misread)).toEqual({ ok: false, empty: true });
    expect(parseHours('時問')).toEqual({ ok: false, empty: true });
    // A digit, or two characters off, is something written: read, or asked about.
    expect(parseDate('午月1日')).toMatchObject({ ok: false, empty: false });
    expect(parseDate('来週末')).toMatchObject({ ok: false, empty: false });
    expect(parseYearMonth('4月')).toMatchObject({ ok: false, empty: false });
    expect(parseHours('半日')).toMatchObject({ ok: false, empty: false });
  });

  it('rejects dates that do not exist or cannot be read', () => {
    const feb30 = parseDate('2025年2月30日');
    expect(feb30.ok).toBe(false);
    expect(feb30).toMatchObject({ empty: false });
    expect(parseDate('来週').ok).toBe(false);
    expect(parseDate('2025年13月1日').ok).toBe(false);
  });
});

describe('parseHours', () => {
  it.each([
    ['6', 6], ['6時間', 6], ['６ｈ', 6], ['1.5', 1.5], ['１．５時間', 1.5], ['1時間30分', 1.5], ['90分', 1.5], ['6h', 6], ['2 時間', 2],
  ])('%s → %d', (text, hours) => {
    expect(parseHours(text)).toEqual(ok(hours));
  });
  it('treats the printed 時間 alone as empty and rejects words', () => {
    expect(parseHours('時間')).toEqual({ ok: false, empty: true });
    expect(parseHours('半日').ok).toBe(false);
  });
});

describe('parseNumber', () => {
  it.each([['5', 5], ['５', 5], ['5ポイント', 5], ['2.5', 2.5], ['10pt', 10], ['３P', 3]])('%s → %d', (text, n) => {
    expect(parseNumber(text)).toEqual(ok(n));
  });
  it('rejects non-numbers', () => {
    expect(parseNumber('五').ok).toBe(false);
  });
});

describe('parsePostalCode', () => {
  it.each([['100-0005', '100-0005'], ['１００－０００５', '100-0005'], ['〒1000005', '100-0005'], ['100ー0005', '100-0005']])('%s', (text, code) => {
    expect(parsePostalCode(text)).toEqual(ok(code));
  });
  it('rejects wrong lengths', () => {
    expect(parsePostalCode('100-005').ok).toBe(false);
  });
});

describe('leadingMark', () => {
  it('finds a mark before the bullet text and ignores plain text', () => {
    expect(leadingMark('○オペレーション')).toBe('○');
    expect(leadingMark('· ■コンタクト')).toBe('■');
    expect(leadingMark('☑ OMP')).toBe('☑');
    expect(leadingMark('オペレーション')).toBeNull();
    expect(leadingMark('☐ OMP')).toBeNull();
  });
});
