// A holder's state on a day (the register of holders, src/cases/register-store.ts; the renewal check,
// src/cases/register-check.ts): one rule for both, on its own so the check needs no store.
//
// 'lapsed' (失効: the association recorded that the certification is lost) and 'revoked'
// (取消: withdrawn by the association) are recorded by people (an import, later a staff decision) and stay
// until someone records otherwise; 'expired' (期限切れ: the validity ended and no renewal extended it) is
// never stored but computed from the dates on the day asked (holderStatusOn, by the calendar's
// validityEnded), so it cannot go stale and a renewal approved later makes the holder active again by
// itself. A holder recorded 'active' is active until their validity ends, expired after.
import { validityEnded, type IsoDate } from '../shared/calendar.ts';

/** What people record (the column's values). */
export const RECORDED_HOLDER_STATUSES = ['active', 'lapsed', 'revoked'] as const;
export type RecordedHolderStatus = (typeof RECORDED_HOLDER_STATUSES)[number];
/** What a holder is on a given day: the recorded state, or 'expired' computed from the dates. */
export const HOLDER_STATUSES = ['active', 'expired', 'lapsed', 'revoked'] as const;
export type HolderStatus = (typeof HOLDER_STATUSES)[number];

/** The states as the office names them (pages, CLI, exports). */
export const HOLDER_STATUS_LABELS: Record<HolderStatus, string> = { active: '有効', expired: '期限切れ', lapsed: '失効', revoked: '取消' };

/** The holder's state on a day: lapsed and revoked as recorded; a recorded active one expired once the validity ended. */
export function holderStatusOn(recorded: RecordedHolderStatus, validTo: IsoDate, on: IsoDate): HolderStatus {
  if (recorded !== 'active') return recorded;
  return validityEnded(validTo, on) ? 'expired' : 'active';
}

