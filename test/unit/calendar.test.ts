import { describe, expect, it } from 'vitest';
import { fiscalYearOf, renewalPeriodFor, tokyoDate, windowFor, eraToGregorian } from '../../src/shared/calendar.ts';

describe('calendar', () => {
  it('takes the Tokyo date of an instant, not the UTC one', () => {
    expect(tokyoDate(new Date('2026-01-19T16:30:00Z'))).toBe('2026-01-20');
    expect(tokyoDate(new Date('2026-01-19T14:30:00Z'))).toBe('2026-01-19');
    // The fixed-offset arithmetic agrees with the time-zone database, around midnight too.
    const tokyo = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' });
    for (let ms = Date.UTC(1952, 0, 1); ms < Date.UTC(2100, 0, 1); ms += 61 * 3600 * 1000 + 59 * 60 * 1000 + 13_000) {
      expect(tokyoDate(new Date(ms))).toBe(tokyo.format(new Date(ms)));
    }
    expect(tokyoDate(new Date('1950-06-01T15:30:00Z'))).toBe(tokyo.format(new Date('1950-06-01T15:30:00Z')));
  });

  it('runs fiscal years from 1 April to 31 March', () => {
    expect(fiscalYearOf('2025-04-01')).toBe(2025);
    expect(fiscalYearOf('2026-03-31')).toBe(2025);
    expect(fiscalYearOf('2026-01-20')).toBe(2025);
  });

  it('ends the certification period on the 31 March after receipt, three fiscal years long', () => {
    const p = renewalPeriodFor('2026-01-20');
    expect(p.start).toBe('2023-04-01');
    expect(p.end).toBe('2026-03-31');
    expect(p.years.map((y) => [y.year, y.start, y.end])).toEqual([
      [1, '2023-04-01', '2024-03-31'], [2, '2024-04-01', '2025-03-31'], [3, '2025-04-01', '2026-03-31'],
    ]);
  });

  it('judges the window in the expiry year, leap years included', () => {
    expect(windowFor('2026-01-01', '01-01', '02-end')).toMatchObject({ inside: true, end: '2026-02-28' });
    expect(windowFor('2028-02-29', '01-01', '02-end')).toMatchObject({ inside: true, end: '2028-02-29' });
    expect(windowFor('2026-03-01', '01-01', '02-end').inside).toBe(false);
    expect(windowFor('2026-03-01', '01-01', '03-end').inside).toBe(true);
    expect(windowFor('2025-12-31', '01-01', '02-end')).toMatchObject({ inside: false, start: '2026-01-01' });
  });

  it('converts eras', () => {
    expect(eraToGregorian('令和', 8)).toBe(2026);
    expect(eraToGregorian('H', 30)).toBe(2018);
    expect(eraToGregorian('X', 1)).toBeUndefined();
  });
});
