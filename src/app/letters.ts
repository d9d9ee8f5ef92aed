// Letters: the notices of an applicant who gave no e-mail address (a paper application), queued by the case
// writer as outbox rows with status 'letter' and composed like any notice. Here staff's entry points for them:
// the letters waiting to be printed, one letter's PDF (drawn again on demand from the composed text, the same
// bytes each time), and "posted" (through the case writer, which records it on the case's history).
import type { App } from './context.ts';
import { mailOfOutboxRow } from './deferred-notices.ts';
import { transaction } from '../cases/db.ts';
import { isLetter, letterRecipient, type OutboxRow, type PostalRecipient } from '../cases/outbox-store.ts';
import { tokyoDate } from '../shared/calendar.ts';
import { loadLetterLayout, renderLetter, type LetterFacts } from '../outbound/letter-pdf.ts';

export class LetterNotFound extends Error {}

/** The letter of a case by its outbox id (a mail, another case's row or a purged letter is none). */
function letterOf(app: App, caseNumber: string, outboxId: number): { row: OutboxRow; caseId: number } {
  const c = app.cases.caseByNumber(caseNumber);
  const row = c && Number.isSafeInteger(outboxId) ? app.outbox.outboxRowOfCase(c.id, outboxId) : undefined;
  if (!c || !row || !isLetter(row) || !letterRecipient(row)) throw new LetterNotFound(`${caseNumber}: 郵送する通知 ${outboxId} はありません`);
  return { row, caseId: c.id };
}

/** What the letter prints: the composed notice (composed now if the process died before), its recipient and day. */
export function letterFacts(app: App, caseNumber: string, row: OutboxRow): LetterFacts {
  const mail = mailOfOutboxRow(app, row);
  return { caseNumber, date: tokyoDate(new Date(row.created_at)), recipient: letterRecipient(row)!, subject: mail.subject, text: mail.text };
}

/** A letter's PDF and a file name for it; the PDFs its mail would have attached (the certificate) are enclosed. */
export async function letterPdf(app: App, caseNumber: string, outboxId: number): Promise<{ pdf: Uint8Array; filename: string }> {
  const { row } = letterOf(app, caseNumber, outboxId);
  const mail = mailOfOutboxRow(app, row);
  const enclosures = (mail.attachments ?? []).filter((a) => a.contentType === 'application/pdf' || /\.pdf$/i.test(a.filename)).map((a) => new Uint8Array(app.files.get(a.storePath)));
  const pdf = await renderLetter(loadLetterLayout(app.config.templatesDir), letterFacts(app, caseNumber, row), enclosures);
  return { pdf, filename: `${caseNumber}_${row.kind}_${row.id}.pdf` };
}

/** Staff posted a printed letter; false when it was posted already. */
export function markLetterPosted(app: App, caseNumber: string, outboxId: number, actor: string, now = new Date()): boolean {
  return transaction(app.db, () => {
    const { caseId } = letterOf(app, caseNumber, outboxId);
    return app.writer.markLetterPosted(caseId, outboxId, actor, now);
  });
}

/** A letter waiting to be printed, as the list (the workbench's /letters, `conken letters list`) shows it. */
export interface LetterToPrint {
  id: number;
  caseNumber: string;
  kind: string;
  /** The composed notice's subject; null while it waits to be composed. */
  subject: string | null;
  createdAt: string;
  recipient: PostalRecipient | null;
}

/** The letters waiting to be printed, oldest first (a purged case's letter has no address and is not one). */
export function lettersToPrint(app: App, limit = 500): LetterToPrint[] {
  return app.outbox.lettersWaiting(limit).map((l) => ({
    id: l.id, caseNumber: l.case_number, kind: l.kind,
    subject: l.mail_json ? (JSON.parse(l.mail_json) as { subject?: string }).subject ?? null : null,
    createdAt: l.created_at,
    recipient: letterRecipient({ status: 'letter', to_address: l.to_address }),
  }));
}

/** The case a letter belongs to, from the letter's id alone (the command line names a letter by its id). */
export function letterCaseNumber(app: App, outboxId: number): string {
  const number = Number.isSafeInteger(outboxId) && outboxId > 0 ? app.outbox.caseNumberOfOutboxRow(outboxId) : undefined;
  if (!number) throw new LetterNotFound(`郵送する通知 ${outboxId} はありません`);
  return number;
}
