// The annual CPD audit (issue 18 point 3): the draw, its verification, the requests and their follow-up,
// and staff's outcome. The same entry points serve the job (src/app/jobs/cpd-audit.ts), `conken audit` and
// the workbench's audit pages.
//
// A draw, reproducibly: (1) the seed — entered by an admin, or 16 random bytes from node:crypto — and the
// frozen population (the sorted certification numbers of the renewals approved in the year, from the
// register's case history) with its SHA-256 are recorded, committed, before anything is drawn; (2) in a
// second transaction the holders with the smallest SHA-256(seed ‖ number) are chosen from the recorded
// population, recorded, and each gets an audit case and the request for their proofs. Should the process
// stop between the two, the next run finishes the draw from the recorded seed: a seed is never chosen twice
// for a year, so a draw cannot be repeated until it gives a wished-for list. Both records are append-only.
import { randomBytes } from 'node:crypto';
import type { App } from './context.ts';
import { transaction } from '../cases/db.ts';
import { commitCaseChanges } from './deferred-notices.ts';
import { AuditStore, auditBefore, type AuditRow, type DrawRow } from '../cases/audit-store.ts';
import { canonicalPopulation, describeRule, drawSample, populationHash, sampleSize } from '../cases/audit-draw.ts';
import { decideAudit, TransitionRefused, type AuditMail, type AuditOutcome, type AuditTrigger } from '../cases/audit-transition.ts';
import { RegisterStore } from '../cases/register-store.ts';
import { AuditLog } from '../cases/audit-log.ts';
import { stableMessageId } from '../cases/notice-snapshot.ts';
import { addDays, tokyoDate, type IsoDate } from '../shared/calendar.ts';
import type { OutgoingMail } from '../outbound/outgoing-mail.ts';
import { auditRules } from './audit-rules.ts';

export class AuditError extends Error {}

export function auditStore(app: App): AuditStore {
  return new AuditStore({ cases: app.cases, writer: app.writer });
}

const japaneseDate = (d: IsoDate) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

/** The instants a year's population is taken from: renewals approved in [1 January, next 1 January), Tokyo. */
export function populationWindow(year: number): { from: string; to: string } {
  return { from: new Date(`${year}-01-01T00:00:00+09:00`).toISOString(), to: new Date(`${year + 1}-01-01T00:00:00+09:00`).toISOString() };
}

/** The population of a year as the register's case history says now (sorted certification numbers). */
export function currentPopulation(app: App, year: number): string[] {
  const w = populationWindow(year);
  return canonicalPopulation(auditStore(app).renewalsApproved(w.from, w.to));
}

export interface DrawResult {
  year: number;
  seed: string;
  seedSource: 'admin' | 'generated';
  populationCount: number;
  populationHash: string;
  sampleSize: number;
  /** Finished a draw recorded earlier whose selection had not been made (the process stopped in between). */
  resumed: boolean;
  chosen: { audit: string; certificationNumber: string; mailed: boolean }[];
}

/** What a draw would be now, writing nothing (the job's dry run). */
export function previewDraw(app: App, year: number): { populationCount: number; populationHash: string; sampleSize: number; drawn: boolean } {
  const population = currentPopulation(app, year);
  return { populationCount: population.length, populationHash: populationHash(population), sampleSize: sampleSize(auditRules(app).sample, population.length), drawn: !!auditStore(app).drawOf(year) };
}

/**
 * Draws a year's audit sample: the seed and population recorded first, then the draw, the audit cases and
 * their requests. A year whose draw is recorded and finished is refused; one recorded but unfinished is
 * finished from its recorded seed (an entered seed must then be the recorded one).
 */
export function drawAudit(app: App, year: number, options: { seed?: string; actor: string; now?: Date; login?: string | null; address?: string | null }): DrawResult {
  const now = options.now ?? new Date();
  const store = auditStore(app);
  const entered = options.seed?.trim();
  if (options.seed !== undefined && !entered) throw new AuditError('シード（--seed）が空です。');
  let draw = store.drawOf(year);
  let resumed = false;
  if (draw) {
    if (store.selectionsOf(year).length > 0) throw new AuditError(`${year}年の抽選は記録済みです（${draw.recorded_at}、シード ${draw.seed}）。抽選はやり直せません。conken audit verify ${year} で確認できます。`);
    if (entered && entered !== draw.seed) throw new AuditError(`${year}年の抽選はシード ${draw.seed} で記録済みです。別のシードでは抽選できません。`);
    resumed = true;
  } else {
    const w = populationWindow(year);
    if (now.toISOString() < w.to) throw new AuditError(`${year}年はまだ終わっていません。母集団（${year}年に承認された更新）は年が明けてから確定します。`);
    const rules = auditRules(app);
    const population = currentPopulation(app, year);
    // Nothing to draw from (no renewal approved, or the register not kept yet): nothing is recorded, so the
    // year can still be drawn once its renewals are in the register.
    if (population.length === 0) throw new AuditError(`${year}年に承認された更新がないため、抽選できません（何も記録していません）。`);
    draw = {
      year, seed: entered ?? randomBytes(16).toString('hex'), seed_source: entered ? 'admin' : 'generated',
      population_json: JSON.stringify(population), population_count: population.length, population_sha256: populationHash(population),
      window_from: w.from, window_to: w.to, sample_size: sampleSize(rules.sample, population.length), sample_rule: describeRule(rules.sample),
      drawn_by: options.actor, recorded_at: now.toISOString(),
    } satisfies DrawRow;
    // Committed on its own, before the draw: the seed is fixed whatever the draw then gives.
    const recorded = draw;
    transaction(app.db, () => store.recordDraw(recorded));
    app.log.info({ year, populationCount: draw.population_count, populationSha256: draw.population_sha256, seedSource: draw.seed_source }, 'CPD audit: seed and population recorded');
  }
  const chosen = commitCaseChanges(app, () => {
    const made = selectAndRequest(app, draw, now);
    // The audit log, in the draw's transaction: who drew which year, from which seed and population (the
    // job, `conken audit draw` and the workbench alike).
    new AuditLog(app.db).record({
      login: options.login ?? options.actor, action: 'cpd-audit.draw', target: String(year), address: options.address ?? null, at: now.toISOString(),
      detail: { year, seedSource: draw.seed_source, populationCount: draw.population_count, populationSha256: draw.population_sha256, sampleSize: draw.sample_size, chosen: made.map((c) => c.audit), resumed },
    });
    return made;
  });
  app.log.info({ year, chosen: chosen.map((c) => c.audit) }, 'CPD audit: sample drawn and requests queued');
  return { year, seed: draw.seed, seedSource: draw.seed_source, populationCount: draw.population_count, populationHash: draw.population_sha256, sampleSize: draw.sample_size, resumed, chosen };
}

/** The draw from the recorded seed and population, recorded; an audit case and a request for each holder. */
function selectAndRequest(app: App, draw: DrawRow, now: Date): DrawResult['chosen'] {
  const store = auditStore(app);
  const rules = auditRules(app);
  const register = new RegisterStore(app.db);
  const population = JSON.parse(draw.population_json) as string[];
  const drawn = drawSample(draw.seed, population, draw.sample_size);
  const at = now.toISOString();
  store.recordSelections(drawn.map((d) => ({ year: draw.year, rank: d.rank, certification_number: d.certificationNumber, draw_key: d.key, selected_at: at })));
  const deadline = addDays(tokyoDate(now), rules.deadlineDays);
  return drawn.map((d) => {
    const holder = register.holderByNumber(d.certificationNumber);
    const address = holder?.email ?? null;
    const decision = decideAudit(null, { type: 'drawn', deadline, hasAddress: !!address });
    const audit = store.openAudit({ prefix: rules.casePrefix, year: draw.year, numberYear: Number(tokyoDate(now).slice(0, 4)), certificationNumber: d.certificationNumber, holderId: holder?.id ?? null, address, deadline, state: decision.state, at });
    store.apply(audit, decision, decision.mail ? composeAuditMail(app, audit, decision.mail) : null, now);
    return { audit: audit.number, certificationNumber: d.certificationNumber, mailed: decision.mail !== null };
  });
}

/**
 * A request, reminder or outcome notice, composed from its template (the office's mail: queued composed, like a
 * renewal reminder). The outcome notice answers the request (In-Reply-To, References): the holder's mail
 * program shows it in the audit's thread. Its Message-ID is the audit's and the template's, so the outbox
 * (rfc_message_id is unique) holds it once whatever happens.
 */
function composeAuditMail(app: App, audit: AuditRow, which: AuditMail) {
  const holder = audit.holder_id !== null ? new RegisterStore(app.db).holderByNumber(audit.certification_number) : undefined;
  const qualification = holder?.qualification ?? '';
  const { subject, text } = app.templates.render(which, {
    name: holder?.name ?? '認定者', qualificationLabel: app.rules.review.qualifications[qualification]?.name ?? qualification,
    certificationNumber: audit.certification_number, auditNumber: audit.number, year: audit.year, deadline: japaneseDate(audit.deadline),
  });
  const messageId = stableMessageId(audit.number, which, 1, app.config.mail.messageIdDomain);
  const thread = which === 'audit-request' ? [] : [audit.request_message_id, audit.reminder_message_id].filter((id): id is string => !!id);
  const mail: OutgoingMail = {
    from: app.config.mail.from, to: audit.address!, subject, text, messageId, headers: { 'Auto-Submitted': 'auto-generated' },
    ...(thread.length > 0 ? { inReplyTo: thread[0]!, references: thread } : {}),
  };
  return { to: audit.address!, messageId, mail };
}

export interface VerifyResult {
  year: number;
  ok: boolean;
  seed: string;
  seedSource: string;
  recordedAt: string;
  populationCount: number;
  recordedHash: string;
  /** The recorded population hashes to the recorded hash. */
  recordedPopulationIntact: boolean;
  /** The register's case history still gives the same population (its hash now). */
  populationNowHash: string;
  populationUnchanged: boolean;
  /** Drawing again from the recorded seed and population gives the recorded list. */
  drawReproduced: boolean;
  recorded: string[];
  redrawn: string[];
}

/** Recomputes a recorded draw: the population's hash, the population from the register now, the draw. */
export function verifyAudit(app: App, year: number): VerifyResult {
  const store = auditStore(app);
  const draw = store.drawOf(year);
  if (!draw) throw new AuditError(`${year}年の抽選の記録はありません。`);
  const population = JSON.parse(draw.population_json) as string[];
  const recordedPopulationIntact = populationHash(canonicalPopulation(population)) === draw.population_sha256 && population.length === draw.population_count;
  const now = canonicalPopulation(auditStore(app).renewalsApproved(draw.window_from, draw.window_to));
  const populationNowHash = populationHash(now);
  const recorded = store.selectionsOf(year).map((s) => s.certification_number);
  const redrawn = drawSample(draw.seed, population, draw.sample_size).map((d) => d.certificationNumber);
  const drawReproduced = recorded.length === redrawn.length && recorded.every((n, i) => n === redrawn[i]);
  const populationUnchanged = populationNowHash === draw.population_sha256;
  return {
    year, ok: recordedPopulationIntact && populationUnchanged && drawReproduced, seed: draw.seed, seedSource: draw.seed_source, recordedAt: draw.recorded_at,
    populationCount: draw.population_count, recordedHash: draw.population_sha256, recordedPopulationIntact, populationNowHash, populationUnchanged, drawReproduced, recorded, redrawn,
  };
}

export interface AuditListing {
  draw: DrawRow | null;
  audits: (AuditRow & { replies: number })[];
  counts: Record<string, number>;
}

export function listAudits(app: App, year: number, state?: Parameters<AuditStore['auditsOfYear']>[1]): AuditListing {
  const store = auditStore(app);
  return { draw: store.drawOf(year) ?? null, audits: store.auditsOfYear(year, state).map((a) => ({ ...a, replies: store.replyCount(a.id) })), counts: store.countsOfYear(year) };
}

/**
 * The daily follow-up: a reminder `reminderDaysBefore` days before the deadline (once, to those who have
 * not replied), and the audits whose deadline has passed without a reply become overdue.
 */
export function auditFollowUp(app: App, now: Date, dryRun = false): { reminded: string[]; overdue: string[] } {
  const rules = auditRules(app);
  const today = tokyoDate(now);
  const store = auditStore(app);
  const out = { reminded: [] as string[], overdue: [] as string[] };
  const apply = () => {
    for (const a of store.waitingForReply()) {
      let trigger: AuditTrigger | null = null;
      if (today > a.deadline) trigger = { type: 'deadline-passed', today };
      else if (!a.reminded_at && today >= addDays(a.deadline, -rules.reminderDaysBefore)) trigger = { type: 'reminder', today, at: now.toISOString() };
      if (!trigger) continue;
      (trigger.type === 'reminder' ? out.reminded : out.overdue).push(a.number);
      if (dryRun) continue;
      const decision = decideAudit(auditBefore(a), trigger);
      store.apply(a, decision, decision.mail ? composeAuditMail(app, a, decision.mail) : null, now);
    }
  };
  if (dryRun) apply();
  else commitCaseChanges(app, apply);
  return out;
}

/** A staff change of an audit (proofs complete, the outcome), audited with who, from where and why. */
function staffChange(app: App, number: string, trigger: AuditTrigger, who: { login: string | null; address?: string | null }, now: Date): AuditRow {
  const store = auditStore(app);
  return commitCaseChanges(app, () => {
    const audit = store.auditByNumber(number.normalize('NFKC').trim().toUpperCase());
    if (!audit) throw new AuditError(`監査番号 ${number} はありません。`);
    let decision;
    try {
      decision = decideAudit(auditBefore(audit), trigger);
    } catch (error) {
      if (error instanceof TransitionRefused) throw new AuditError(refusal(error.message));
      throw error;
    }
    const after = store.apply(audit, decision, decision.mail ? composeAuditMail(app, audit, decision.mail) : null, now);
    // The audit log: the outcome and the state, not the reason (free text; it stays with the audit case).
    new AuditLog(app.db).record({
      login: who.login, action: trigger.type === 'outcome' ? 'cpd-audit.outcome' : 'cpd-audit.complete', caseNumber: audit.number, address: who.address ?? null,
      detail: trigger.type === 'outcome' ? { outcome: trigger.outcome, state: audit.state, year: audit.year } : { year: audit.year }, at: now.toISOString(),
    });
    return after;
  });
}

const REFUSALS: [RegExp, string][] = [
  [/a reason is needed/, '理由を入力してください。'],
  [/outcome is recorded/, '結果は記録済みです。'],
  [/no proofs received/, '書類が届いていないため「合格」にはできません（「免除」または「不合格」を選んでください）。'],
  [/no proofs to check/, '書類を受け取った監査だけを「書類確認済み」にできます。'],
];

function refusal(message: string): string {
  return REFUSALS.find(([re]) => re.test(message))?.[1] ?? `この操作はできません（${message}）。`;
}

export function markProofsComplete(app: App, number: string, who: { actor: string; login: string | null; address?: string | null }, now = new Date()): AuditRow {
  return staffChange(app, number, { type: 'proofs-complete', actor: who.actor }, who, now);
}

export function recordAuditOutcome(app: App, number: string, o: { outcome: AuditOutcome; reason: string; actor: string; login: string | null; address?: string | null }, now = new Date()): AuditRow {
  return staffChange(app, number, { type: 'outcome', outcome: o.outcome, reason: o.reason, actor: o.actor, at: now.toISOString() }, o, now);
}

/** What staff read for an audit's state and outcome (the workbench and `conken audit list`). */
export const AUDIT_STATE_LABELS: Record<string, string> = { requested: '提出待ち', received: '受領（確認待ち）', complete: '書類確認済み', overdue: '期限切れ' };
export const AUDIT_OUTCOME_LABELS: Record<string, string> = { passed: '合格', failed: '不合格', waived: '免除' };
