// When a scheduled job's period is: the latest time its cron expression names at or before an instant, in
// Asia/Tokyo (no daylight saving, so UTC+9 throughout). That time is the period's key: a run is recorded
// under it, so a restart, a second daemon or a clock change never runs a period twice, and a daemon that was
// down at the time finds the period it missed at its next start.
import cron from 'node-cron';

const TOKYO_OFFSET_MS = 9 * 3_600_000;
const DAY_MS = 86_400_000;

/** The period key of an occurrence: its Tokyo wall time, to the minute (e.g. 2026-12-07T08:00). */
export function periodKey(occurrence: Date): string {
  return new Date(occurrence.getTime() + TOKYO_OFFSET_MS).toISOString().slice(0, 16);
}

/** The instant of a period key (the inverse of periodKey). */
export function periodInstant(key: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(key)) throw new Error(`period ${key}: expected YYYY-MM-DDTHH:MM (Tokyo time)`);
  return new Date(Date.parse(`${key}:00Z`) - TOKYO_OFFSET_MS);
}

/**
 * The latest occurrence of a cron expression at or before `now` (seconds ignored: our jobs run on the minute),
 * looking back at most a year and a day. Day of month and day of week combine as in cron: when both are
 * restricted, either matches.
 */
export function previousOccurrence(expression: string, now: Date): Date | null {
  return occurrence(expression, now, -1);
}

/** The first occurrence of a cron expression after `now`, looking ahead at most a year and a day. */
export function nextOccurrence(expression: string, now: Date): Date | null {
  return occurrence(expression, now, 1);
}

function occurrence(expression: string, now: Date, direction: 1 | -1): Date | null {
  const f = cron.parse(expression);
  const order = (a: number, b: number) => (direction === 1 ? a - b : b - a);
  const minutes = [...f.minute].sort(order);
  const hours = [...f.hour].sort(order);
  const dom = new Set(f.dayOfMonth.map(Number));
  const dow = new Set(f.dayOfWeek.map((d) => Number(d) % 7));
  const months = new Set(f.month.map(Number));
  const anyDom = dom.size >= 31;
  const anyDow = dow.size >= 7;
  const local = new Date(now.getTime() + TOKYO_OFFSET_MS);
  for (let step = 0; step <= 366; step++) {
    const day = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) + direction * step * DAY_MS);
    if (!months.has(day.getUTCMonth() + 1)) continue;
    const domOk = dom.has(day.getUTCDate());
    const dowOk = dow.has(day.getUTCDay());
    if (!(anyDom && anyDow) && !(anyDom ? dowOk : anyDow ? domOk : domOk || dowOk)) continue;
    for (const h of hours) {
      for (const m of minutes) {
        const at = new Date(day.getTime() + h * 3_600_000 + m * 60_000 - TOKYO_OFFSET_MS);
        if (direction === -1 ? at.getTime() <= now.getTime() : at.getTime() > now.getTime()) return at;
      }
    }
  }
  return null;
}

/** Whether a cron expression is valid (rule of config validation at start-up). */
export function validSchedule(expression: string): boolean {
  return cron.validate(expression);
}
