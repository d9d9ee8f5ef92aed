// CPD counting (SPEC §3), a pure function of the rows, the period and the rules. Per row: counted or
// not and why; per grid: claimed, counted after its cap, and what the form states; overall: the total.
import type { CertificationPeriod, IsoDate } from '../shared/calendar.ts';
import type { CpdGrid, CpdRow, StatedTotalKey } from '../extract/forms/renewal.ts';
import { CPD_GRIDS } from '../extract/forms/renewal.ts';

export interface CpdRules {
  minimumPoints: number;
  capPerGrid: Record<'A' | 'B' | 'C' | 'D', number | null>;
  pointsPerHourCeiling: number;
}

export type RowExclusion =
  | { kind: 'incomplete'; missing: ('completedOn' | 'hours' | 'points')[] }
  | { kind: 'before-period' | 'after-period' | 'after-application' | 'wrong-year'; detail: string };

export interface RowResult {
  row: number;
  counted: boolean;
  points: number;
  exclusion?: RowExclusion;
  /** Claimed points above hours × ceiling: counted as claimed, flagged for the reviewer. */
  implausible: boolean;
}

export interface GridResult {
  grid: CpdGrid;
  claimed: number;
  countedBeforeCap: number;
  counted: number;
  cap: number | null;
  stated: number | null;
}

export interface CpdResult {
  rows: RowResult[];
  grids: GridResult[];
  total: number;
  minimum: number;
  period: CertificationPeriod;
}

export function countCpd(rows: CpdRow[], stated: Record<StatedTotalKey, number | null>, period: CertificationPeriod,
  lastAllowedDate: IsoDate, rules: CpdRules): CpdResult {
  const results: RowResult[] = rows.map((r, i) => {
    const base = { row: i + 1, counted: false, points: 0, implausible: false };
    const missing = (['completedOn', 'hours', 'points'] as const).filter((k) => r[k] === null);
    if (missing.length > 0) return { ...base, exclusion: { kind: 'incomplete', missing } };
    const date = r.completedOn!;
    const implausible = r.points! > r.hours! * rules.pointsPerHourCeiling;
    if (date < period.start) return { ...base, implausible, exclusion: { kind: 'before-period', detail: `認定期間の開始（${period.start}）より前` } };
    if (date > period.end) return { ...base, implausible, exclusion: { kind: 'after-period', detail: `認定期間の終了（${period.end}）より後` } };
    if (date > lastAllowedDate) return { ...base, implausible, exclusion: { kind: 'after-application', detail: `申請日（${lastAllowedDate}）より後` } };
    if (r.year !== null) {
      const y = period.years.find((p) => p.year === r.year)!;
      if (date < y.start || date > y.end) {
        const actual = period.years.find((p) => date >= p.start && date <= p.end);
        return { ...base, implausible, exclusion: { kind: 'wrong-year', detail: `${r.year}年目（${y.start}〜${y.end}）の欄ですが、日付は${actual ? `${actual.year}年目` : '期間外'}です` } };
      }
    }
    return { ...base, counted: true, points: r.points!, implausible };
  });

  const grids: GridResult[] = CPD_GRIDS.map((grid) => {
    const inGrid = rows.map((r, i) => ({ r, res: results[i]! })).filter((x) => x.r.grid === grid);
    const claimed = inGrid.reduce((s, x) => s + (x.r.points ?? 0), 0);
    const countedBeforeCap = inGrid.reduce((s, x) => s + x.res.points, 0);
    const cap = rules.capPerGrid[grid[0] as 'A' | 'B' | 'C' | 'D'];
    const counted = cap === null ? countedBeforeCap : Math.min(cap, countedBeforeCap);
    return { grid, claimed, countedBeforeCap, counted, cap, stated: stated[grid.replace('-', '') as StatedTotalKey] };
  });
  const total = Math.round(grids.reduce((s, g) => s + g.counted, 0) * 100) / 100;
  return { rows: results, grids, total, minimum: rules.minimumPoints, period };
}
