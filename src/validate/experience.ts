// Years of experience (SPEC §4), computed from the calendar, never from the years people write:
// each row's months from 自 to 至 inclusive (至 現在 = the month of receipt); overlapping periods count
// once, in the total and within the required fields; substitutions add at most the configured cap.
// Pure: rows and the month of receipt in, figures out.
import type { ExperienceRow, SubstitutionRow } from '../extract/forms/certification.ts';

export interface ExperienceRules {
  minimumYears: number;
  minimumFields: number;
  requiredFieldMinimumYears: number;
  maxSubstitutionYears: number;
}

export interface RowMonths {
  /** 1-based row in the application's experience list. */
  row: number;
  field: number | null;
  from: string | null;
  /** Resolved end month (the month of receipt for an ongoing row). */
  to: string | null;
  months: number;
  /** Why the row does not count, if it does not. */
  excluded?: 'incomplete' | 'reversed' | 'future';
  /** Months of this row already covered by earlier-starting rows (shown to the reviewer). */
  overlapMonths: number;
}

export interface ExperienceResult {
  rows: RowMonths[];
  /** Union of all counted periods. */
  totalMonths: number;
  byField: { field: number; months: number }[];
  fieldsCount: number;
  requiredFields: number[];
  /** Union of the counted periods in the required fields. */
  requiredMonths: number;
  substitutionClaimedMonths: number;
  substitutionCountedMonths: number;
  /** totalMonths + counted substitutions. */
  totalWithSubstitutionMonths: number;
}

/** 'YYYY-MM' → a month index. */
export function monthIndex(ym: string): number {
  const [y, m] = ym.split('-').map(Number);
  return y! * 12 + (m! - 1);
}

export function monthOf(index: number): string {
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Months covered by a set of inclusive [start, end] month intervals, each month once. */
export function unionMonths(intervals: readonly [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let current: [number, number] | null = null;
  for (const [s, e] of sorted) {
    if (current && s <= current[1] + 1) {
      current[1] = Math.max(current[1], e);
    } else {
      if (current) total += current[1] - current[0] + 1;
      current = [s, e];
    }
  }
  if (current) total += current[1] - current[0] + 1;
  return total;
}

/** Years with one decimal, for people: 95 months → 7.9. */
export function yearsOf(months: number): number {
  return Math.round((months / 12) * 10) / 10;
}

export function computeExperience(
  experience: readonly ExperienceRow[],
  substitutions: readonly SubstitutionRow[],
  receivedMonth: string,
  requiredFields: readonly number[],
  rules: ExperienceRules,
): ExperienceResult {
  const now = monthIndex(receivedMonth);
  const counted: { row: number; field: number; span: [number, number] }[] = [];
  const rows: RowMonths[] = experience.map((r, i) => {
    const row = i + 1;
    const base = { row, field: r.field, from: r.from, overlapMonths: 0 };
    const endText = r.ongoing ? receivedMonth : r.to;
    if (r.field === null || r.from === null || endText === null) return { ...base, to: endText, months: 0, excluded: 'incomplete' as const };
    const start = monthIndex(r.from);
    let end = monthIndex(endText);
    if (start > now) return { ...base, to: endText, months: 0, excluded: 'future' as const };
    if (end < start) return { ...base, to: endText, months: 0, excluded: 'reversed' as const };
    // Experience cannot run past the application: a 至 in the future counts up to the month of receipt.
    if (end > now) end = now;
    counted.push({ row, field: r.field, span: [start, end] });
    return { ...base, to: monthOf(end), months: end - start + 1 };
  });

  // Overlap per row: months also covered by rows that started earlier (or same start, earlier row).
  for (const c of counted) {
    const earlier = counted.filter((o) => o !== c && (o.span[0] < c.span[0] || (o.span[0] === c.span[0] && o.row < c.row)));
    const own = c.span[1] - c.span[0] + 1;
    const withEarlier = unionMonths([...earlier.map((o) => o.span), c.span]);
    const earlierOnly = unionMonths(earlier.map((o) => o.span));
    rows[c.row - 1]!.overlapMonths = own - (withEarlier - earlierOnly);
  }

  const fields = [...new Set(counted.map((c) => c.field))].sort((a, b) => a - b);
  const byField = fields.map((field) => ({ field, months: unionMonths(counted.filter((c) => c.field === field).map((c) => c.span)) }));
  const totalMonths = unionMonths(counted.map((c) => c.span));
  const requiredMonths = unionMonths(counted.filter((c) => requiredFields.includes(c.field)).map((c) => c.span));
  const substitutionClaimedMonths = Math.round(substitutions.reduce((sum, s) => sum + (s.years ?? 0), 0) * 12);
  const substitutionCountedMonths = Math.min(substitutionClaimedMonths, Math.round(rules.maxSubstitutionYears * 12));
  return {
    rows, totalMonths, byField, fieldsCount: fields.length, requiredFields: [...requiredFields], requiredMonths,
    substitutionClaimedMonths, substitutionCountedMonths, totalWithSubstitutionMonths: totalMonths + substitutionCountedMonths,
  };
}
