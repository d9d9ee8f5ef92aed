// How a case's application came — by mail, or by post (a paper form staff scanned, src/app/postal-intake.ts) —
// read from the message that opened it. Every evaluation of the case (the application, a reply, a confirmed
// value) passes it on, so the kind's rule file decides the same way each time which fields the channel makes
// optional (fields.optionalByChannel: a paper form's e-mail address).
import type { App } from './context.ts';
import type { CaseRow } from '../cases/case-store.ts';
import type { Channel } from '../validate/index.ts';

/** The intake source of a postal upload's in-memory mail. */
export const POSTAL_SOURCE = 'postal';

export function caseChannel(app: App, c: Pick<CaseRow, 'origin_message_id'>): Channel {
  const origin = c.origin_message_id === null ? undefined : app.cases.messageById(c.origin_message_id);
  return origin?.source === POSTAL_SOURCE ? 'post' : 'mail';
}
