// The staff's commands: confirm a value, handle a finding, resend a notice, add a note, triage a mail.
import { confirmField, ConfirmError } from '../../app/confirm-field.ts';
import { addCaseNote, handleFinding, resendNotice } from '../../app/staff-actions.ts';
import { dismissMail, triageAsCase, triageAsReply, TriageError } from '../../app/mail-triage.ts';
import { AuditLog } from '../../cases/audit-log.ts';
import { caseNumberArg, deliverIfEmbedded, print, staffAction, staffUser, withApp } from '../common.ts';

export async function confirm(number: string, field: string, value: string | undefined, options: { json?: boolean }): Promise<void> {
  await withApp(options, async (app) => {
    try {
      const r = confirmField(app, number.normalize('NFKC').trim().toUpperCase(), field, value, `staff:${process.env.CONKEN_USER ?? process.env.USER ?? 'staff'}`);
      await deliverIfEmbedded(app);
      print(options.json, r, () => [`${r.case} ${r.field} = ${JSON.stringify(r.value)} を確定しました → ${r.status}`, ...(r.unconfirmedLeft.length ? [`  未確認の項目: ${r.unconfirmedLeft.join(', ')}`] : [])].join('\n'));
    } catch (error) {
      if (!(error instanceof ConfirmError)) throw error;
      if (options.json) process.stdout.write(`${JSON.stringify({ error: error.message }, null, 2)}\n`);
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    }
  });
}

export function handle(number: string, code: string, reason: string, options: { field?: string; json?: boolean }): Promise<void> {
  return staffAction(options, (app) => handleFinding(app, caseNumberArg(number), code, options.field ?? null, reason, staffUser()));
}

export function resend(number: string, notice: string, options: { json?: boolean }): Promise<void> {
  return staffAction(options, (app) => resendNotice(app, caseNumberArg(number), notice, staffUser()));
}

export function note(number: string, text: string, options: { json?: boolean }): Promise<void> {
  return staffAction(options, (app) => {
    addCaseNote(app, caseNumberArg(number), text, staffUser());
    return `${caseNumberArg(number)} にメモを残しました`;
  });
}

export async function triage(message: string, action: string, what: string, options: { json?: boolean }): Promise<void> {
  await withApp(options, async (app) => {
    const actor = staffUser();
    try {
      let text: string;
      let data: unknown;
      if (action === 'case' || action === 'attach') {
        const o = action === 'case' ? await triageAsCase(app, message, what, actor) : await triageAsReply(app, message, what, actor);
        data = o;
        text = o.cases.map((c) => `${c.number}: ${c.kind} → ${c.status}${c.notices.length ? `（通知: ${c.notices.join(', ')}）` : ''}`).join('\n');
        new AuditLog(app.db).record({ login: actor, action: action === 'case' ? 'mail.triage.case' : 'mail.triage.attach', caseNumber: o.cases[0]?.number ?? null, target: message, address: 'cli' });
      } else if (action === 'dismiss') {
        const r = dismissMail(app, message, what, actor);
        data = r;
        text = `メールを対応不要として閉じました${r.held ? `（保留していた ${r.held} も対応済み）` : ''}`;
        new AuditLog(app.db).record({ login: actor, action: 'mail.triage.dismiss', caseNumber: r.held, target: message, address: 'cli' });
      } else {
        throw new TriageError(`操作 ${action} はありません（case, attach, dismiss）`);
      }
      await deliverIfEmbedded(app);
      print(options.json, data, () => text);
    } catch (error) {
      if (!(error instanceof TriageError)) throw error;
      if (options.json) process.stdout.write(`${JSON.stringify({ error: error.message }, null, 2)}\n`);
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    }
  });
}
