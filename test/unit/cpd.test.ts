import { describe, expect, it } from 'vitest';
import { countCpd } from '../../src/validate/cpd.ts';
import { renewalPeriodFor } from '../../src/shared/calendar.ts';
import type { CpdRow, StatedTotalKey } from '../../src/extract/forms/renewal.ts';

const period = renewalPeriodFor('2026-01-20');
const rules = { minimumPoints: 30, capPerGrid: { A: null, B: 5, C: 5, D: 5 }, pointsPerHourCeiling: 1 };
const noTotals = { A: null, B1: null, B2: null, B3: null, C1: null, C2: null, C3: null, D1: null, D2: null, D3: null } as Record<StatedTotalKey, number | null>;

function row(grid: CpdRow['grid'], completedOn: string | null, hours: number | null, points: number | null, rowInGrid = 1): CpdRow {
  const category = grid[0] as CpdRow['category'];
  const year = grid === 'A' ? null : (Number(grid[2]) as 1 | 2 | 3);
  return { category, year, grid, rowInGrid, title: 'x', completedOn, hours, points, invalid: {}, sources: {} };
}

describe('CPD counting', () => {
  it('counts A without a cap and caps each B/C/D grid at 5', () => {
    const r = countCpd([row('A', '2024-06-01', 20, 20), row('B-1', '2023-05-01', 8, 8), row('C-2', '2024-05-01', 4, 4), row('C-2', '2024-06-01', 4, 4, 2)], noTotals, period, '2026-01-20', rules);
    expect(r.grids.find((g) => g.grid === 'B-1')).toMatchObject({ claimed: 8, counted: 5 });
    expect(r.grids.find((g) => g.grid === 'C-2')).toMatchObject({ claimed: 8, counted: 5 });
    expect(r.total).toBe(30);
  });

  it('does not count a row dated in another year than its grid, outside the period, or after the application', () => {
    const r = countCpd([
      row('B-1', '2024-06-01', 3, 3), // year 2 date in the year-1 grid
      row('A', '2022-10-01', 5, 5), // before the period
      row('C-3', '2026-02-10', 2, 2), // after the application date
      row('D-3', '2025-12-01', 2, 2), // fine
    ], noTotals, period, '2026-01-20', rules);
    expect(r.rows.map((x) => x.exclusion?.kind ?? 'counted')).toEqual(['wrong-year', 'before-period', 'after-application', 'counted']);
    expect(r.total).toBe(2);
  });

  it('counts the fiscal year boundaries right: 31 March is year 1, 1 April year 2', () => {
    const r = countCpd([row('B-1', '2024-03-31', 1, 1), row('B-2', '2024-04-01', 1, 1), row('B-1', '2023-04-01', 1, 1, 2), row('B-3', '2026-01-20', 1, 1)], noTotals, period, '2026-01-20', rules);
    expect(r.rows.every((x) => x.counted)).toBe(true);
  });

  it('does not count an incomplete row and says what is missing', () => {
    const r = countCpd([row('A', null, 3, 3), row('A', '2024-01-01', null, 3), row('A', '2024-01-01', 3, null)], noTotals, period, '2026-01-20', rules);
    expect(r.rows.map((x) => x.exclusion)).toEqual([
      { kind: 'incomplete', missing: ['completedOn'] }, { kind: 'incomplete', missing: ['hours'] }, { kind: 'incomplete', missing: ['points'] },
    ]);
    expect(r.total).toBe(0);
  });

  it('flags points above hours × ceiling but counts them as claimed', () => {
    const r = countCpd([row('A', '2024-06-01', 2, 6)], noTotals, period, '2026-01-20', rules);
    expect(r.rows[0]).toMatchObject({ counted: true, points: 6, implausible: true });
  });

  it('keeps the stated totals beside the computed ones', () => {
    const r = countCpd([row('B-1', '2023-05-01', 8, 8)], { ...noTotals, B1: 8 }, period, '2026-01-20', rules);
    expect(r.grids.find((g) => g.grid === 'B-1')).toMatchObject({ stated: 8, counted: 5 });
  });
});
