// A holder's reply to a CPD audit request, as the intake meets it (the small hook in analyse-mail.ts and
// process-mail.ts): a mail in the request's thread (In-Reply-To / References name our request or reminder)
// or one whose subject carries the audit number joins that audit. Its files are kept as evidence without
// being read as forms (no OCR: staff look at the proofs themselves), and the audit's transition records
// the reply (requested or overdue → received).
import type { App } from './context.ts';
import type { IncomingMail } from '../intake/parse-mail.ts';
import { expandArchives } from '../intake/expand-archives.ts';
import { detectFileType } from '../shared/file-type.ts';
import { auditBefore, type AuditRow } from '../cases/audit-store.ts';
import { decideAudit } from '../cases/audit-transition.ts';
import { auditStore } from './audit.ts';
import { auditRules } from './audit-rules.ts';
import type { FileVerdict } from '../extract/extract-file.ts';

/** As analyse-mail.ts's AnalysedFile (not imported: that module imports this one). */
export interface AuditReplyFile {
  filename: string;
  fromArchive?: string;
  content: Buffer;
  verdict: FileVerdict;
}

/** The audit a mail answers, if any: by thread first, then by the audit number in the subject. */
export function auditReplyTarget(app: App, mail: IncomingMail): AuditRow | undefined {
  const store = auditStore(app);
  const byThread = store.auditByMessageIds(mail.references);
  if (byThread) return byThread;
  const prefix = auditRules(app).casePrefix;
  const m = mail.subject.normalize('NFKC').match(new RegExp(`\\b${prefix}-(\\d{4})-(\\d{6})\\b`));
  return m ? store.auditByNumber(m[0]) : undefined;
}

/** The reply's files, kept as they are: the proofs for staff to see (archives opened, oversized refused). */
export function auditReplyFiles(app: App, mail: IncomingMail): AuditReplyFile[] {
  return expandArchives(mail.attachments, app.rules.intake.attachments).map((a) => {
    const type = detectFileType(a.content);
    return {
      filename: a.filename, ...(a.fromArchive ? { fromArchive: a.fromArchive } : {}), content: a.content,
      verdict: a.refused ? { role: 'unreadable', type, reason: a.refused } : { role: 'document', type, facts: { kind: 'proof', read: false }, note: 'CPD監査の提出書類' },
    };
  });
}

/** Inside the mail's transaction: the stored reply joins its audit (the decision applied by the audit writer). */
export function joinAuditReply(app: App, auditId: number, messageId: number, files: number, receivedAt: Date, from: string | null = null): void {
  const store = auditStore(app);
  const audit = store.auditById(auditId);
  if (!audit) return;
  store.linkMessage(audit.id, messageId);
  const decision = decideAudit(auditBefore(audit), { type: 'reply', files, at: receivedAt.toISOString() });
  // Anyone can write the audit number in a subject: a reply from another address than the register's is
  // still kept (a holder may write from work), and staff see that it was (no address is recorded).
  const other = !!from && !!audit.address && from.trim().toLowerCase() !== audit.address.trim().toLowerCase();
  if (other) for (const e of decision.events) if (e.type === 'audit.reply') e.data = { ...e.data, otherSender: true };
  store.apply(audit, decision, null, receivedAt);
}
