// `conken cases` and `conken case <number>`: what staff read in a terminal (--json for machines).
import path from 'node:path';
import { fieldSources, type ApplicationBase } from '../../extract/forms/form-kind.ts';
import { caseLine, findingJson, findingLines } from '../format.ts';
import { print, withApp } from '../common.ts';

export async function listCases(options: { status?: string; json?: boolean }): Promise<void> {
  await withApp(options, async (app) => {
    const rows = app.cases.listCases(options.status);
    print(options.json, rows.map((c) => ({ number: c.number, kind: c.kind, status: c.status, receivedAt: c.received_at, updatedAt: c.updated_at, findings: app.cases.currentFindings(c.id).map(findingJson) })),
      () => rows.length ? rows.map(caseLine).join('\n') : '(no cases)');
  });
}

export async function showCase(number: string, options: { json?: boolean }): Promise<void> {
  await withApp(options, async (app) => {
    const c = app.cases.caseByNumber(number.normalize('NFKC').trim().toUpperCase());
    if (!c) {
      process.stderr.write(`no case ${number}\n`);
      process.exitCode = 1;
      return;
    }
    const findings = app.cases.currentFindings(c.id);
    const detail = {
      number: c.number, kind: c.kind, status: c.status, receivedAt: c.received_at,
      application: c.application_json ? JSON.parse(c.application_json) : null,
      computed: c.computed_json ? JSON.parse(c.computed_json) : null,
      findings: findings.map(findingJson),
      // Where to look for each value OCR could not confirm: the cell's crop in the content store.
      unconfirmed: findings.filter((f) => f.code === 'field.unconfirmed' && f.field).map((f) => {
        const source = c.application_json ? fieldSources(JSON.parse(c.application_json) as ApplicationBase).get(f.field!) : undefined;
        return { field: f.field!, location: source?.location ?? '', crop: source?.crop ? path.join(app.config.store.dir, source.crop) : null };
      }),
      attachments: app.cases.caseAttachments(c.id).map((a) => ({ filename: a.filename, type: a.detected_type, role: a.role, size: a.size, note: a.note })),
      payments: app.payments.paymentsForCase(c.id).map((p) => ({ id: p.id, paidOn: p.paid_on, amount: p.amount, linkedAmount: p.link_amount, transferName: p.transfer_name, matchedBy: p.linked_by })),
      notices: app.outbox.outboxForCase(c.id).map((o) => ({ kind: o.kind, to: o.audience, status: o.status, messageId: o.rfc_message_id, sentAt: o.sent_at })),
      events: app.cases.events(c.id).map((e) => ({ at: e.at, actor: e.actor, type: e.type, data: e.data_json ? JSON.parse(e.data_json) : null })),
    };
    print(options.json, detail, () => [
      caseLine(c),
      'findings:', ...(findings.length ? findingLines(findings) : ['    (none)']),
      ...(detail.unconfirmed.length ? ['unconfirmed (OCR; conken confirm <number> <field> [value]):', ...detail.unconfirmed.map((u) => `    ${u.field}: ${u.location}${u.crop ? `  切り抜き ${u.crop}` : ''}`)] : []),
      'attachments:', ...detail.attachments.map((a) => `    ${a.filename} (${a.type}, ${a.role})${a.note ? ` ${a.note}` : ''}`),
      'payments:', ...(detail.payments.length ? detail.payments.map((p) => `    ${p.paidOn} ${p.amount} ${p.transferName} (${p.matchedBy})`) : ['    (none)']),
      'notices:', ...detail.notices.map((n) => `    ${n.kind} → ${n.to} [${n.status}] <${n.messageId}>`),
      'history:', ...detail.events.map((e) => `    ${e.at} ${e.actor} ${e.type}`),
    ].join('\n'));
  });
}
