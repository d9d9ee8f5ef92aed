// A holder's state on a day (src/cases/register-store.ts holderStatusOn, by the calendar's validityEnded):
// 'expired' is computed from the dates — the validity ended, its renewal window passed — never recorded;
// lapsed and revoked are what people recorded. Checked day by day over era changes and leap years.
import { describe, expect, it } from 'vitest';
import { addDays, firstValidityPeriod, fiscalYearOf, isoDate, renewedValidity, validityEnded, windowFor } from '../../src/shared/calendar.ts';
import { holderStatusOn } from '../../src/cases/register-store.ts';

describe('a holder\'s state on a day', () => {
  it('active through the last day of the validity, expired from the next day; lapsed and revoked as recorded', () => {
    expect(holderStatusOn('active', '2026-03-31', '2026-03-31')).toBe('active');
    expect(holderStatusOn('active', '2026-03-31', '2026-04-01')).toBe('expired');
    expect(holderStatusOn('lapsed', '2029-03-31', '2026-04-01')).toBe('lapsed');
    expect(holderStatusOn('revoked', '2029-03-31', '2026-04-01')).toBe('revoked');
    expect(holderStatusOn('lapsed', '2020-03-31', '2026-04-01')).toBe('lapsed');
  });

  it('for every first validity from 1985 to 2100 (Shōwa → Heisei → Reiwa, 29 February): active in the renewal window, expired the day after the period', () => {
    let checked = 0;
    for (let year = 1985; year <= 2100; year++) {
      for (const [m, d] of [[1, 1], [2, 28], [2, 29], [3, 31], [4, 1], [4, 30], [5, 1], [12, 31]] as const) {
        if (m === 2 && d === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) continue;
        const issued = isoDate(year, m, d);
        const v = firstValidityPeriod(issued, 3, '01-01', '02-end');
        // The renewal window lies before the end: a holder is never expired while they may still renew.
        for (const day of [v.start, v.renewalWindow.start, v.renewalWindow.end, addDays(v.renewalWindow.end, 1), v.end]) {
          expect(holderStatusOn('active', v.end, day), `${issued}: ${day}`).toBe('active');
        }
        expect(v.renewalWindow.end < v.end).toBe(true);
        expect(holderStatusOn('active', v.end, addDays(v.end, 1)), issued).toBe('expired');
        expect(holderStatusOn('active', v.end, addDays(v.end, 400)), issued).toBe('expired');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(800);
  });

  it('renewals chain: each period starts the day after the last one ended, three fiscal years long, its window in its last year', () => {
    for (let year = 1986; year <= 2090; year += 1) {
      const first = firstValidityPeriod(isoDate(year, year % 4 === 0 ? 2 : 7, year % 4 === 0 ? 29 : 15), 3, '01-01', '02-end');
      let current = { start: first.start, end: first.end };
      for (let n = 0; n < 4; n++) {
        const next = renewedValidity(current.end);
        expect(next.start, `${year} #${n}`).toBe(addDays(current.end, 1));
        expect(fiscalYearOf(next.end) - fiscalYearOf(next.start)).toBe(2);
        expect(next.end.slice(5)).toBe('03-31');
        // The renewal window of the new period lies in its last fiscal year, before it ends.
        const window = windowFor(addDays(next.end, -60), '01-01', '02-end');
        expect(window.inside).toBe(true);
        expect(holderStatusOn('active', next.end, window.end)).toBe('active');
        current = next;
      }
    }
    // Decided late (the holder expired meanwhile), the period still follows the one that ended.
    expect(renewedValidity('2025-03-31')).toEqual({ start: '2025-04-01', end: '2028-03-31' });
  });

  it('validityEnded is "the day after the last day" on every day around year ends and leap days', () => {
    for (let day = '1988-12-25'; day < '2001-01-10'; day = addDays(day, 1)) {
      expect(validityEnded(day, day)).toBe(false);
      expect(validityEnded(day, addDays(day, 1))).toBe(true);
      expect(validityEnded(day, addDays(day, -1))).toBe(false);
    }
  });
});
