// Every business date of the association is a date in Asia/Tokyo. Fiscal years (1 April – 31 March),
// Japanese eras, certification periods and acceptance windows are computed here and only here.

/** A calendar date as 'YYYY-MM-DD'. Plain strings compare correctly with < and >. */
export type IsoDate = string;

// Made on first use: building it loads the time-zone data (tens of ms), and only dates before 1952 need it
// (every CLI start imports this module).
let tokyoFormatter: Intl.DateTimeFormat | undefined;

/** Since 1952 Tokyo keeps UTC+9 all year (no daylight saving time). */
const FIXED_OFFSET_SINCE = Date.UTC(1952, 0, 1);
const FIXED_OFFSET_UNTIL = Date.UTC(9999, 11, 31); // four-digit years after adding the offset
const NINE_HOURS = 9 * 3600 * 1000;

/** The Tokyo calendar date of an instant (e.g. the IMAP INTERNALDATE of a mail). */
export function tokyoDate(instant: Date): IsoDate {
  const ms = instant.getTime();
  // Plain arithmetic where the offset is fixed (the formatter costs microseconds: notices for 14,000
  // cases call this 28,000 times); the time-zone database for the years before and for invalid dates.
  if (ms >= FIXED_OFFSET_SINCE && ms < FIXED_OFFSET_UNTIL) return new Date(ms + NINE_HOURS).toISOString().slice(0, 10);
  tokyoFormatter ??= new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' });
  return tokyoFormatter.format(instant);
}

export function isoDate(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function splitIso(date: IsoDate): { year: number; month: number; day: number } {
  const [y, m, d] = date.split('-').map(Number);
  return { year: y!, month: m!, day: d! };
}

/** Fiscal year (年度) of a date: FY2025 runs 2025-04-01 .. 2026-03-31. */
export function fiscalYearOf(date: IsoDate): number {
  const { year, month } = splitIso(date);
  return month >= 4 ? year : year - 1;
}

export function fiscalYearRange(fy: number): { start: IsoDate; end: IsoDate } {
  return { start: isoDate(fy, 4, 1), end: isoDate(fy + 1, 3, 31) };
}

export interface CertificationPeriod {
  start: IsoDate;
  end: IsoDate;
  /** Years 1..3 of the period, each one fiscal year. */
  years: { year: 1 | 2 | 3; fiscalYear: number; start: IsoDate; end: IsoDate }[];
}

/**
 * The certification period a renewal reports on: three fiscal years ending on the 31 March that follows
 * the date of receipt (SPEC §3). Received 2026-01-20 → 2023-04-01 .. 2026-03-31.
 */
export function renewalPeriodFor(received: IsoDate, fiscalYears = 3): CertificationPeriod {
  const lastFy = fiscalYearOf(received);
  const firstFy = lastFy - fiscalYears + 1;
  const years = [1, 2, 3].slice(0, fiscalYears).map((n) => {
    const fy = firstFy + n - 1;
    return { year: n as 1 | 2 | 3, fiscalYear: fy, ...fiscalYearRange(fy) };
  });
  return { start: fiscalYearRange(firstFy).start, end: fiscalYearRange(lastFy).end, years };
}

/** A month-day bound of a yearly window: 'MM-DD' or 'MM-end' (the last day of that month). */
export type MonthDay = string;

function resolveMonthDay(year: number, md: MonthDay): IsoDate {
  const [m, d] = md.split('-');
  const month = Number(m);
  const day = d === 'end' ? daysInMonth(year, month) : Number(d);
  return isoDate(year, month, day);
}

/**
 * Whether a date falls in the yearly acceptance window of the expiry year. The expiry year is the
 * calendar year of the 31 March that follows the date (the period end), so a December receipt is
 * judged against the next January–February window and counts as early.
 */
export function windowFor(received: IsoDate, from: MonthDay, to: MonthDay): { start: IsoDate; end: IsoDate; inside: boolean } {
  const expiryYear = fiscalYearOf(received) + 1;
  const start = resolveMonthDay(expiryYear, from);
  const end = resolveMonthDay(expiryYear, to);
  return { start, end, inside: received >= start && received <= end };
}

const ERAS: { names: string[]; start: IsoDate; offset: number }[] = [
  { names: ['令和', 'R', 'r', '㋿'], start: '2019-05-01', offset: 2018 },
  { names: ['平成', 'H', 'h', '㍻'], start: '1989-01-08', offset: 1988 },
  { names: ['昭和', 'S', 's', '㍼'], start: '1926-12-25', offset: 1925 },
];

/** Gregorian year of an era year, e.g. ('令和', 7) → 2025. Undefined for an unknown era. */
export function eraToGregorian(era: string, eraYear: number): number | undefined {
  const e = ERAS.find((x) => x.names.includes(era));
  return e ? e.offset + eraYear : undefined;
}

export const ERA_PATTERN = '令和|平成|昭和|㋿|㍻|㍼|[RHSrhs]';

/** The current Reiwa year for a date, used to read a bare two-digit year such as '7年'. */
export function reiwaYearOf(date: IsoDate): number {
  return splitIso(date).year - 2018;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const { year, month, day } = splitIso(date);
  const t = new Date(Date.UTC(year, month - 1, day + days));
  return isoDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** Same day n years later; 29 February becomes 28 February in a common year. */
export function addYears(date: IsoDate, years: number): IsoDate {
  const { year, month, day } = splitIso(date);
  const y = year + years;
  return isoDate(y, month, Math.min(day, daysInMonth(y, month)));
}

/**
 * The validity a renewal grants: `fiscalYears` fiscal years from the end of the current one (the periods are
 * chained, whenever the renewal is decided). Current validity to 2026-03-31 → 2026-04-01 .. 2029-03-31.
 */
export function renewedValidity(currentEnd: IsoDate, fiscalYears = 3): { start: IsoDate; end: IsoDate } {
  const firstFy = fiscalYearOf(currentEnd) + 1;
  return { start: fiscalYearRange(firstFy).start, end: fiscalYearRange(firstFy + fiscalYears - 1).end };
}

/**
 * Whether a certification's validity has ended on a date: from the day after its last day (validTo) on.
 * The one rule behind the register's computed state 'expired' and the renewal check's "after the validity
 * ended": the renewal window (January–February) lies before the last day (31 March), so a validity that has
 * ended is one whose window passed without a renewal being granted.
 */
export function validityEnded(validTo: IsoDate, on: IsoDate): boolean {
  return on > validTo;
}

/**
 * The first validity of a new certification (manual 004, C): from the 1 April that follows the exam
 * report's issue date, for `fiscalYears` fiscal years; the renewal window lies in the last of them.
 */
export function firstValidityPeriod(examIssuedOn: IsoDate, fiscalYears: number, windowFrom: MonthDay, windowTo: MonthDay): { start: IsoDate; end: IsoDate; renewalWindow: { start: IsoDate; end: IsoDate } } {
  const firstFy = fiscalYearOf(examIssuedOn) + 1;
  const lastFy = firstFy + fiscalYears - 1;
  const { start, end } = windowFor(fiscalYearRange(lastFy).start, windowFrom, windowTo);
  return { start: fiscalYearRange(firstFy).start, end: fiscalYearRange(lastFy).end, renewalWindow: { start, end } };
}
