// Renewal reminders (SPEC §6, the renewal form): when the acceptance window opens, every active holder in the
// register whose validity ends this fiscal year and who has not applied gets a reminder with the subject line,
// the blank form and the deadline; a second one a configurable number of days before the window closes to those
// who still have not. Never to a lapsed or revoked holder; at most one of each per holder and year (the
// mail's Message-ID is its key: holder, year and which reminder).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from '../context.ts';
import type { JobContext, JobResult } from './job-runner.ts';
import { RegisterStore, type HolderRow } from '../../cases/register-store.ts';
import { addDays, tokyoDate, windowFor, type IsoDate } from '../../shared/calendar.ts';
import { stableMessageId } from '../../cases/notice-snapshot.ts';
import type { OutgoingMail } from '../../outbound/outgoing-mail.ts';
import type { RenewalRules } from '../../validate/renewal.ts';
import { nfkc } from '../../shared/japanese.ts';

const BLANK_FORM = path.resolve(import.meta.dirname, '../../../samples/blank-forms/renewal-application.docx');
const QUALIFICATIONS: Record<string, string> = { OMP: 'オペレーションマネジメントプロフェッショナル（OMP）', CAP: 'コンタクトセンターアーキテクチャプロフェッショナル（CAP）' };

const key = (number: string) => nfkc(number).replace(/[\s-]/g, '').toUpperCase();
const japaneseDate = (d: IsoDate) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

export interface ReminderPlan {
  which: 'opening' | 'closing';
  year: number;
  holders: HolderRow[];
}

/** Who is due a reminder on `today` (Tokyo), and which one; null outside the reminder days. */
export function remindersDue(app: App, today: IsoDate): ReminderPlan | null {
  const rules = app.rules.kinds.renewal as RenewalRules | undefined;
  if (!rules) return null;
  const window = windowFor(today, rules.window.from, rules.window.to);
  if (today < window.start || today > window.end) return null;
  const which = today >= addDays(window.end, -rules.reminders.secondDaysBeforeClose) ? 'closing' : 'opening';
  const year = Number(window.start.slice(0, 4));
  // The validity ends in the fiscal year the window lies in (on its 31 March).
  const fiscalEnd = `${year}-03-31`;
  const applied = new Set(app.cases.renewalNumbersSince(new Date(`${window.start}T00:00:00+09:00`).toISOString()).map(key));
  const holders = new RegisterStore(app.db).holders({ status: 'active', on: today, limit: 1_000_000 })
    .filter((h) => h.valid_to >= window.start && h.valid_to <= fiscalEnd && h.email && !applied.has(key(h.certification_number)));
  return { which, year, holders };
}

function reminderMail(app: App, h: HolderRow, plan: ReminderPlan, deadline: IsoDate, windowStart: IsoDate, formPath: string): OutgoingMail {
  const fee = app.rules.kinds.renewal?.fee ?? 0;
  const { subject, text } = app.templates.render('renewal-reminder', {
    name: h.name, qualificationLabel: QUALIFICATIONS[h.qualification] ?? h.qualification, certificationNumber: h.certification_number,
    validTo: japaneseDate(h.valid_to), windowStart: japaneseDate(windowStart), deadline: japaneseDate(deadline), second: plan.which === 'closing',
    exampleDate: `${String(plan.year).slice(2)}0115`, fee: fee.toLocaleString('ja-JP'),
    transferExample: `${h.certification_number.replace(/\D/g, '').slice(-4)}${h.name_kana ? nfkc(h.name_kana).replace(/\s/g, '') : 'コンケンタロウ'}`,
  });
  return {
    from: app.config.mail.from, to: h.email!, subject, text,
    messageId: stableMessageId(key(h.certification_number), `renewal-reminder-${plan.which}`, plan.year, app.config.mail.messageIdDomain),
    attachments: [{ filename: 'プロフェッショナル更新申請書.docx', storePath: formPath }],
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

export function runRenewalReminders(app: App, ctx: JobContext): JobResult {
  const today = tokyoDate(ctx.now);
  const plan = remindersDue(app, today);
  if (!plan) return { summary: 'not in the renewal window: no reminders' };
  const rules = app.rules.kinds.renewal as RenewalRules;
  const window = windowFor(today, rules.window.from, rules.window.to);
  const formPath = ctx.dryRun ? '' : app.files.put(readFileSync(BLANK_FORM), '.docx').path;
  let queued = 0;
  const numbers: string[] = [];
  for (const h of plan.holders) {
    const mail = reminderMail(app, h, plan, window.end, window.start, formPath);
    if (app.writer.wasQueued(mail.messageId)) continue;
    numbers.push(h.certification_number);
    if (ctx.dryRun) continue;
    if (app.writer.queueOfficeMail({ kind: 'renewal-reminder', rfcMessageId: mail.messageId, to: mail.to, mail, audience: 'applicant' }, ctx.now)) queued++;
  }
  const what = plan.which === 'opening' ? 'first' : 'second';
  return ctx.dryRun
    ? { summary: `[dry run] ${numbers.length} ${what} renewal reminders due`, detail: { holders: numbers } }
    : { summary: `${queued} ${what} renewal reminders queued`, detail: { holders: numbers } };
}
