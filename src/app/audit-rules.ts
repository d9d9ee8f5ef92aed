// rules/audit.yaml: the annual CPD audit's calendar and sample (validated with zod like every rule file; the
// defaults below when the file is absent). Read once per rules folder: a bad file stops the job runner's
// start-up with a message naming the file and line.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { loadRuleFile, ruleFilePath } from '../config/rules.ts';
import type { App } from './context.ts';

const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected MM-DD');
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

export const auditRulesSchema = z.object({
  draw: z.object({ date: monthDay, time }).strict(),
  sample: z.union([
    z.object({ share: z.number().gt(0).lte(1), minimum: z.number().int().min(0).optional() }).strict(),
    z.object({ count: z.number().int().positive() }).strict(),
  ]),
  deadlineDays: z.number().int().positive(),
  reminderDaysBefore: z.number().int().min(0),
  followUpTime: time,
  casePrefix: z.string().regex(/^[A-Z]$/, 'one capital letter (the case numbers are X-YYYY-NNNNNN)'),
}).strict();
export type AuditRules = z.infer<typeof auditRulesSchema>;

export const DEFAULT_AUDIT_RULES: AuditRules = {
  draw: { date: '01-15', time: '10:00' },
  sample: { share: 0.1, minimum: 1 },
  deadlineDays: 30,
  reminderDaysBefore: 7,
  followUpTime: '09:30',
  casePrefix: 'A',
};

const cache = new Map<string, AuditRules>();

export function auditRules(app: App): AuditRules {
  const dir = app.config.rulesDir;
  let rules = cache.get(dir);
  if (!rules) {
    const file = ruleFilePath(dir, 'audit');
    rules = existsSync(file) ? loadRuleFile(file, auditRulesSchema) : DEFAULT_AUDIT_RULES;
    // The case numbers' prefix must not be a form kind's (their numbers would collide in replies' subjects).
    const taken = Object.values(app.rules.kinds).map((k) => (k as { casePrefix?: string }).casePrefix);
    if (taken.includes(rules.casePrefix)) throw new Error(`rule file ${file}: casePrefix ${rules.casePrefix} is a form kind's prefix already`);
    cache.set(dir, rules);
  }
  return rules;
}

/** node-cron expressions (Asia/Tokyo) of the yearly draw and the daily follow-up. */
export function drawCron(rules: AuditRules): string {
  const [month, day] = rules.draw.date.split('-').map(Number);
  const [hour, minute] = rules.draw.time.split(':').map(Number);
  return `${minute} ${hour} ${day} ${month} *`;
}

export function followUpCron(rules: AuditRules): string {
  const [hour, minute] = rules.followUpTime.split(':').map(Number);
  return `${minute} ${hour} * * *`;
}
