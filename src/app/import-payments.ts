// Finance's statement import and the reconciliation around it: a statement in any supported format is
// parsed whole or rejected, its credits stored without duplicates (a re-upload or an overlapping statement,
// also in another format, adds nothing; two genuinely identical transfers on one day stay two), then
// matching runs, and every case a payment settles or puts in doubt is re-evaluated and moved on, with its
// notices, in the same transaction. Finance's manual links and unlinks go through here too.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from './context.ts';
import { StatementError, isCredit, type StatementRow } from '../payments/statements/types.ts';
import { parseStatement, type DetectOptions } from '../payments/statements/detect.ts';
import { transferKey, type TransferKey } from '../payments/transfer-name.ts';
import { CaseIndex, reconcile, type Candidate, type OpenCase, type OpenPayment, type Verdict } from '../payments/matcher.ts';
import { sha256 } from '../intake/content-store.ts';
import { transaction, withBulkSettings } from '../cases/db.ts';
import { isClosed } from '../cases/status.ts';
import { finding, type Finding } from '../validate/findings.ts';
import { reevaluateCase } from './reevaluate.ts';
import type { EventInsert, MatchingPaymentRow, PaymentInsert, PaymentLinkRow } from '../cases/case-store.ts';
import type { CaseStatus } from '../cases/status.ts';
import { moveCasesOnAfterPayments, type CaseChange } from './payment-transitions.ts';
import { composeUnrenderedNotices, renderQueuedNotices } from './deferred-notices.ts';

export interface ImportResult {
  file: string;
  format: string;
  encoding: string | null;
  /** Credit rows in the file (only credits count). */
  rows: number;
  /** Withdrawals and cancelled notices in the file, not counted. */
  debits: number;
  new: number;
  duplicate: number;
  /** Links the matching made in this run. */
  matched: { payment: number; case: string; status: string }[];
  /** This file's new payments that were not linked: candidates or nothing found, for finance to look at. */
  needsAttention: number;
  /** Every payment waiting for finance (all imports). */
  unmatched: number;
}

export { StatementError };

/** The fingerprint a transfer has in any format: date, amount and normalised name (digits + kana). */
export function fingerprintOf(row: Pick<StatementRow, 'paidOn' | 'amount' | 'transferName'>): string {
  return fingerprintFromKey(row, transferKey(row.transferName));
}

function fingerprintFromKey(row: Pick<StatementRow, 'paidOn' | 'amount'>, key: TransferKey): string {
  return `${row.paidOn}|${row.amount}|${key.digits ?? ''}${key.entity ? `${key.entity})` : ''}${key.kana}`;
}

export function importPaymentsFile(app: App, file: string, actor = 'cli', options: Omit<DetectOptions, 'rules'> = {}): ImportResult {
  const bytes = readFileSync(file);
  const statement = parseStatement(bytes, { ...options, rules: app.rules.statements });
  return importStatementRows(app, path.basename(file), sha256(bytes), statement.format, statement.rows, actor, { encoding: statement.encoding });
}

export interface ImportTimings {
  /** Deduplicating and preparing the new rows (the file is parsed before). */
  storeMs: number;
  loadMs: number;
  reconcileMs: number;
  /** Writing the new payments with their verdicts, links, events and payment findings. */
  writeMs: number;
  /** Moving the affected cases on (re-evaluation, findings, events, notices queued). */
  casesMs: number;
  /** The whole transaction, commit included. */
  committedMs: number;
  /** CPU time (this process, all threads) of the transaction and of its case transitions: on a shared machine the wall times above also hold other processes' work. */
  committedCpuMs: number;
  casesCpuMs: number;
  /** After the commit: composing the queued notices, then the checkpoint (see withBulkSettings). */
  afterCommitMs: number;
  noticesRendered: number;
}

export function importStatementRows(app: App, fileName: string, hash: string, format: string, rows: StatementRow[], actor: string, meta: { encoding?: string; onTimings?: (t: ImportTimings) => void } = {}): ImportResult {
  const credits = rows.filter(isCredit);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let committedCpu = { user: 0, system: 0 };
  let run: MatchRun | undefined;
  let storeMs = 0;
  let committedAt = 0;
  let noticesRendered = 0;
  const result = withBulkSettings(app.db, () => {
    const imported = transaction(app.db, () => {
    // Identical rows are counted, not merged: the nth identical row of a file is the nth identical payment
    // overall, so a file adds only what goes beyond the most any earlier file showed (the max, not the sum).
    // New payments take their ids in the order of each fingerprint's first row (twins side by side).
    const keys: TransferKey[] = new Array(credits.length);
    const fingerprints: string[] = new Array(credits.length);
    let first = '9999-99-99';
    let last = '0000-00-00';
    for (let i = 0; i < credits.length; i++) {
      const row = credits[i]!;
      keys[i] = transferKey(row.transferName);
      fingerprints[i] = fingerprintFromKey(row, keys[i]!);
      if (row.paidOn < first) first = row.paidOn;
      if (row.paidOn > last) last = row.paidOn;
    }
    const storedCounts = credits.length ? app.cases.paymentOccurrencesBetween(first, last) : new Map<string, number>();
    // Per fingerprint: rows seen so far in this file and the index of its first row.
    const seen = new Map<string, { count: number; firstRow: number }>();
    const freshRows: { index: number; occurrence: number; groupRow: number }[] = [];
    let twinsApart = false; // a twin after rows of later groups: file order is not group order
    let duplicate = 0;
    for (let i = 0; i < credits.length; i++) {
      const fingerprint = fingerprints[i]!;
      let group = seen.get(fingerprint);
      if (group) group.count++;
      else seen.set(fingerprint, (group = { count: 1, firstRow: i }));
      if (group.count <= (storedCounts.get(fingerprint) ?? 0)) duplicate++;
      else {
        if (freshRows.length && group.firstRow < freshRows[freshRows.length - 1]!.groupRow) twinsApart = true;
        freshRows.push({ index: i, occurrence: group.count, groupRow: group.firstRow });
      }
    }
    if (twinsApart) freshRows.sort((a, b) => a.groupRow - b.groupRow || a.occurrence - b.occurrence);
    const importId = app.cases.insertPaymentImport({ fileName, sha256: hash, format, actor, rowsTotal: credits.length, rowsNew: freshRows.length, rowsDuplicate: duplicate, encoding: meta.encoding ?? null, rowsDebit: rows.length - credits.length });
    // The new payments get consecutive ids now and are written once, with their verdicts, after matching
    // (every column set here, so the matcher fills in the verdict without changing the objects' shape).
    const firstId = app.cases.nextPaymentId();
    const payments: PaymentInsert[] = freshRows.map((f, i) => {
      const row = credits[f.index]!;
      const key = keys[f.index]!;
      return {
        id: firstId + i, import_id: importId, paid_on: row.paidOn, amount: row.amount, transfer_name: row.transferName, digits: key.digits, kana: key.kana, entity: key.entity,
        fingerprint: fingerprints[f.index]!, occurrence: f.occurrence, line: row.line, reference: row.reference ?? null, value_date: row.valueDate ?? null, raw_line: null,
        status: 'unmatched', finding_code: null, candidates_json: null, reason: null, case_id: null, matched_by: null, matched_at: null, hold: 0,
      };
    });
    app.cases.addEvent({ actor, type: 'payments.imported', data: { importId, fileName, sha256: hash, format, rows: credits.length, debits: rows.length - credits.length, new: payments.length, duplicate } });
    storeMs = performance.now() - t0;
    // Nothing new: nothing for the matcher to do (the hourly run and new applications cover the rest).
    run = payments.length ? runMatching(app, { importId, payments }, { composeNotices: 'after-commit' }) : { matched: [], reevaluated: [], freshLinked: 0, timings: { loadMs: 0, reconcileMs: 0, writeMs: 0, casesMs: 0, casesCpuMs: 0 } };
    app.cases.setImportMatched(importId, run.matched.length);
    // The source lines, one blob per import (index = payment id - first id), not a column per payment; written
    // last, as any later update of the import's row would rewrite the blob (megabytes) with it.
    if (payments.length) app.cases.setImportRawLines(importId, freshRows.map((f) => credits[f.index]!.raw ?? null));
    // The new payments are linked only by this run's matching.
    const needsAttention = payments.length - run.freshLinked;
    app.log.info({ importId, format, rows: credits.length, new: payments.length, duplicate, matched: run.matched.map((m) => m.case), needsAttention }, 'statement imported');
    return {
      file: fileName, format, encoding: meta.encoding ?? null, rows: credits.length, debits: rows.length - credits.length, new: payments.length, duplicate,
      matched: run.matched, needsAttention, unmatched: app.cases.countUnlinkedPayments(),
    };
    });
    committedAt = performance.now();
    committedCpu = process.cpuUsage(cpu0);
    noticesRendered = composeQueuedNotices(app);
    return imported;
  });
  meta.onTimings?.({ storeMs, ...run!.timings, committedMs: committedAt - t0, committedCpuMs: cpuMs(committedCpu), afterCommitMs: performance.now() - committedAt, noticesRendered });
  return result;
}

/**
 * After the commit: compose the notices the run queued. A failure here loses nothing (the decisions and
 * the outbox rows are committed); the sender composes what is left. For the same reason these writes need
 * not be on disk when their transactions return: a composed mail lost in a crash is composed again, from
 * the same durable snapshot, before it is sent. So they commit without waiting for a sync of the WAL
 * (synchronous = NORMAL, as the daemon runs; WAL mode stays consistent either way), instead of one sync per
 * batch of 500 (56 syncs for a 100,000-row statement). withBulkSettings puts the setting back.
 */
function composeQueuedNotices(app: App): number {
  app.db.exec('PRAGMA synchronous = NORMAL');
  try {
    return renderQueuedNotices(app);
  } catch (error) {
    app.log.warn({ err: (error as Error).message }, 'composing queued notices failed; the sender will compose them');
    return 0;
  }
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

const ATTACH_TO_CASE: ReadonlySet<string> = new Set(['payment.ambiguous', 'payment.amount-mismatch']);
const CANDIDATE_THRESHOLD = 0.5;

function yen(n: number): string {
  return `${n.toLocaleString('ja-JP')}円`;
}

/** The staff findings a payment verdict leaves on a candidate case (names stay in the database, not in logs). */
function caseFinding(v: Extract<Verdict, { status: 'attention' }>, c: Candidate, p: { id: number; paid_on: string; amount: number; transfer_name: string }, caseNumber: string, fee: number): Finding {
  const what = `入金ID ${p.id}（${p.paid_on} ${yen(p.amount)} 振込名義「${p.transfer_name}」）`;
  const command = `conken payments link ${p.id} ${caseNumber}`;
  if (v.code === 'payment.amount-mismatch') {
    return finding('payment.amount-mismatch', 'staff', `${what}は振込名義が一致しますが、金額が手数料${yen(fee)}と異なります（差額 ${yen(p.amount - fee)}）。不足分の入金を待つか、この金額で受け付ける場合は \`${command} --accept\` で紐付けてください。`, { field: 'payment' });
  }
  return finding('payment.ambiguous', 'staff', `${what}がこの申請の手数料の可能性がありますが、自動では確定できません（${c.reason}）。確認のうえ \`${command}\` で紐付けてください。`, { field: 'payment' });
}

export interface MatchRun {
  matched: ImportResult['matched'];
  /** Cases re-evaluated because their fee or their payment findings changed. */
  reevaluated: string[];
  /** How many of the new payments this run linked. */
  freshLinked: number;
  /** Milliseconds: loading and indexing, reconciling, writing links and verdicts, re-evaluating cases. */
  timings: { loadMs: number; reconcileMs: number; writeMs: number; casesMs: number; casesCpuMs: number };
}

/**
 * Re-runs matching over every stored payment and case (call inside a transaction): automatic links made
 * or moved, each payment's verdict and ranked candidates stored for finance, payment findings put on the
 * candidate cases, and every case whose fee or findings changed re-evaluated (and its notices queued).
 * `fresh` are an import's new payments, not stored yet (consecutive ids, every column set, the verdict
 * columns as a new payment has them): they are written once, with their verdicts.
 * Notices are composed before returning, unless the caller composes them after its commit
 * (renderQueuedNotices), as the bulk paths do.
 */
export function runMatching(app: App, fresh?: { importId: number; payments: PaymentInsert[] }, options: { composeNotices?: 'now' | 'after-commit' } = {}): MatchRun {
  const t0 = performance.now();
  const caseRows = app.cases.casesForMatching();
  const byId = new Map(caseRows.map((c) => [c.id, c]));
  const open: OpenCase[] = caseRows.map((c) => ({
    id: c.id, digits: c.payment_digits, kana: c.payment_kana, declaredTransferName: c.payment_declared, expectedAmount: c.expected_amount!,
    companyKana: c.payment_company, settledAmount: c.manual_accepted ? Number.MAX_SAFE_INTEGER : c.manual_amount, open: !isClosed(c.status),
  }));
  // The payments just imported are in hand (consecutive ids: found by position, no map of 100,000 entries);
  // only the earlier ones are read back.
  const freshPayments = fresh?.payments ?? [];
  const firstFreshId = freshPayments[0]?.id ?? Number.MAX_SAFE_INTEGER;
  if (freshPayments.some((p, i) => p.id !== firstFreshId + i)) throw new Error('runMatching: the new payments must have consecutive ids');
  const stored = fresh ? app.cases.paymentsForMatching(fresh.importId) : app.cases.paymentsForMatching();
  const storedById = new Map(stored.map((p) => [p.id, p]));
  const payments: OpenPayment[] = new Array(stored.length + freshPayments.length);
  for (let i = 0; i < stored.length; i++) {
    const p = stored[i]!;
    payments[i] = { id: p.id, transferName: p.transfer_name, amount: p.amount, paidOn: p.paid_on, linkedTo: p.auto_case, hold: p.hold === 1, key: { digits: p.digits, kana: p.kana ?? '', entity: p.entity } };
  }
  for (let i = 0; i < freshPayments.length; i++) {
    const p = freshPayments[i]!;
    payments[stored.length + i] = { id: p.id, transferName: p.transfer_name, amount: p.amount, paidOn: p.paid_on, linkedTo: null, hold: false, key: { digits: p.digits, kana: p.kana ?? '', entity: p.entity ?? null } };
  }
  const index = new CaseIndex(open);
  const t1 = performance.now();
  const { verdicts } = reconcile(index, payments);
  const t2 = performance.now();

  const affected = new Set<number>();
  const newlyLinked: { payment: number; caseId: number }[] = [];
  const findingsByCase = new Map<number, Finding[]>();
  // Events in the order a one-by-one run would write them; written after the new payments exist.
  const events: EventInsert[] = [];
  const freshLinks: Omit<PaymentLinkRow, 'accepted'>[] = [];
  const now = new Date().toISOString();
  for (const v of verdicts) {
    // A new payment (its verdict goes into the row still to be written) or an earlier one (updated in place).
    const row = v.paymentId >= firstFreshId ? freshPayments[v.paymentId - firstFreshId] : undefined;
    const earlier = row ? undefined : storedById.get(v.paymentId)!;
    const p = (row ?? earlier)!;
    const autoCase = earlier ? earlier.auto_case : null;
    if (v.status === 'matched') {
      if (autoCase !== v.caseId) {
        if (autoCase !== null) {
          app.cases.unlinkPayment(p.id, autoCase);
          affected.add(autoCase);
        }
        if (row) {
          // As linkPayment would leave it.
          row.status = 'matched';
          row.case_id = v.caseId;
          row.matched_by = 'matcher:exact';
          row.matched_at = now;
          freshLinks.push({ payment_id: p.id, case_id: v.caseId, amount: p.amount, linked_by: 'matcher:exact', linked_at: now });
        } else {
          app.cases.linkPayment(p.id, v.caseId, 'matcher:exact', { amount: p.amount });
        }
        events.push({ caseId: v.caseId, actor: 'matcher', type: 'payment.linked', data: { payment: p.id, rule: v.rule } });
        affected.add(v.caseId);
        newlyLinked.push({ payment: p.id, caseId: v.caseId });
      }
      continue;
    }
    if (autoCase !== null) {
      // An earlier identical payment is the fee for this case: this one becomes the duplicate.
      app.cases.unlinkPayment(p.id, autoCase);
      events.push({ caseId: autoCase, actor: 'matcher', type: 'payment.unlinked', data: { payment: p.id, reason: 'an earlier identical payment was linked instead' } });
      affected.add(autoCase);
    }
    const code = v.status === 'attention' ? v.code : null;
    const candidatesJson = v.candidates.length ? JSON.stringify(v.candidates) : null;
    if (p.status !== v.status || (p.finding_code ?? null) !== code || (p.candidates_json ?? null) !== candidatesJson || autoCase !== null) {
      if (row) {
        row.status = v.status;
        row.finding_code = code;
        row.candidates_json = candidatesJson;
        row.reason = v.reason;
      } else app.cases.setPaymentVerdict(p.id, { status: v.status, findingCode: code, candidatesJson, reason: v.reason });
    }
    // A payment finance unlinked by hand stays in their queue but no longer questions the case.
    if (v.status === 'attention' && ATTACH_TO_CASE.has(v.code) && p.hold !== 1) {
      for (const c of v.candidates) {
        const row = byId.get(c.caseId);
        if (c.score < CANDIDATE_THRESHOLD || !row || isClosed(row.status)) continue;
        const list = findingsByCase.get(c.caseId) ?? [];
        list.push(caseFinding(v, c, p, row.number, row.expected_amount!));
        findingsByCase.set(c.caseId, list);
      }
    }
  }
  if (fresh) {
    app.cases.insertPayments(fresh.payments);
    app.cases.insertPaymentLinks(freshLinks);
  }
  app.cases.addEvents(events);
  // A short amount finance linked by hand (without --accept) still leaves the case waiting.
  for (const c of caseRows) {
    if (c.manual_amount > 0 && !c.manual_accepted && c.auto_links === 0 && c.manual_amount < c.expected_amount! && !isClosed(c.status)) {
      const list = findingsByCase.get(c.id) ?? [];
      list.push(finding('payment.amount-mismatch', 'staff', `紐付けた入金の合計（${yen(c.manual_amount)}）が手数料${yen(c.expected_amount!)}に足りません（不足 ${yen(c.expected_amount! - c.manual_amount)}）。不足分の入金を紐付けるか、この金額で受け付ける場合は --accept を付けて紐付け直してください。`, { field: 'payment' }));
      findingsByCase.set(c.id, list);
    }
  }
  const changes = new Map<number, CaseChange>();
  for (const c of caseRows) {
    const json = JSON.stringify(findingsByCase.get(c.id) ?? []);
    if (json !== c.payment_findings_json) changes.set(c.id, { paymentFindings: findingsByCase.get(c.id) ?? [], paymentFindingsJson: json });
  }
  for (const id of affected) if (!changes.has(id)) changes.set(id, { paymentFindings: findingsByCase.get(id) ?? [] });
  const t3 = performance.now();
  const cpu3 = process.cpuUsage();
  // A case the matcher did not read (its payment key is gone) still moves on, one by one as before.
  const statusOf = new Map<number, CaseStatus>();
  const numberOf = new Map<number, string>();
  for (const id of [...changes.keys()].filter((id) => !byId.has(id)).sort((a, b) => a - b)) {
    const row = reevaluateCase(app, id, 'payment', changes.get(id)!.paymentFindings);
    statusOf.set(id, row.status);
    numberOf.set(id, row.number);
    changes.delete(id);
  }
  for (const [id, status] of moveCasesOnAfterPayments(app, byId, changes)) statusOf.set(id, status);
  if ((options.composeNotices ?? 'now') === 'now') composeUnrenderedNotices(app);
  const reevaluated = [...statusOf.keys()].sort((a, b) => a - b).map((id) => byId.get(id)?.number ?? numberOf.get(id)!);
  const matched = newlyLinked.map((l) => ({ payment: l.payment, case: byId.get(l.caseId)!.number, status: statusOf.get(l.caseId) ?? byId.get(l.caseId)!.status }));
  if (matched.length || reevaluated.length) app.log.info({ matched: matched.map((m) => `${m.payment}→${m.case}`), reevaluated }, 'payments matched');
  const timings = { loadMs: t1 - t0, reconcileMs: t2 - t1, writeMs: t3 - t2, casesMs: performance.now() - t3, casesCpuMs: cpuMs(process.cpuUsage(cpu3)) };
  return { matched, reevaluated, freshLinked: freshLinks.length, timings };
}

export class PaymentActionError extends Error {}

/** Finance links a payment to a case by hand (a bulk transfer: once per case, with --amount). */
export function linkPayment(app: App, paymentId: number, caseNumber: string, who: string, options: { amount?: number; accept?: boolean } = {}): { payment: number; case: string; status: string; amount: number } {
  return transaction(app.db, () => {
    const p = app.cases.paymentById(paymentId);
    if (!p) throw new PaymentActionError(`入金ID ${paymentId} はありません`);
    const c = app.cases.caseByNumber(caseNumber);
    if (!c) throw new PaymentActionError(`受付番号 ${caseNumber} の案件はありません`);
    if (isClosed(c.status)) throw new PaymentActionError(`${c.number} は審査済み（${c.status}）のため紐付けできません`);
    const others = app.cases.linksForPayment(paymentId).filter((l) => l.case_id !== c.id);
    // An automatic link to another case gives way to finance's decision.
    for (const l of others.filter((l) => l.linked_by.startsWith('matcher'))) {
      app.cases.unlinkPayment(paymentId, l.case_id);
      app.cases.addEvent({ caseId: l.case_id, actor: `finance:${who}`, type: 'payment.unlinked', data: { payment: paymentId, reason: 'linked by finance to another case' } });
      reevaluateCase(app, l.case_id, 'payment');
    }
    const allocated = others.filter((l) => !l.linked_by.startsWith('matcher')).reduce((a, l) => a + l.amount, 0);
    const amount = options.amount ?? Math.min(p.amount - allocated, c.expected_amount ?? p.amount);
    if (amount <= 0 || allocated + amount > p.amount) throw new PaymentActionError(`入金ID ${paymentId}（${p.amount}円）は既に${allocated}円が他の案件に割り当てられています（--amount で割り当て額を指定してください）`);
    app.cases.linkPayment(paymentId, c.id, `finance:${who}`, { amount, accepted: !!options.accept });
    app.cases.addEvent({ caseId: c.id, actor: `finance:${who}`, type: 'payment.linked', data: { payment: paymentId, amount, accepted: !!options.accept } });
    runMatching(app);
    const row = reevaluateCase(app, c.id, 'payment');
    return { payment: paymentId, case: row.number, status: row.status, amount };
  });
}

/** Finance undoes a link; the payment is never linked automatically again (hold). */
export function unlinkPayment(app: App, paymentId: number, caseNumber: string | null, who: string): { payment: number; cases: { case: string; status: string }[] } {
  return transaction(app.db, () => {
    const p = app.cases.paymentById(paymentId);
    if (!p) throw new PaymentActionError(`入金ID ${paymentId} はありません`);
    const c = caseNumber ? app.cases.caseByNumber(caseNumber) : null;
    if (caseNumber && !c) throw new PaymentActionError(`受付番号 ${caseNumber} の案件はありません`);
    const links = app.cases.linksForPayment(paymentId).filter((l) => !c || l.case_id === c.id);
    if (links.length === 0) throw new PaymentActionError(`入金ID ${paymentId} は${c ? ` ${c.number} に` : ''}紐付けられていません`);
    for (const l of links) {
      app.cases.unlinkPayment(paymentId, l.case_id);
      app.cases.addEvent({ caseId: l.case_id, actor: `finance:${who}`, type: 'payment.unlinked', data: { payment: paymentId } });
    }
    app.cases.setPaymentHold(paymentId, true);
    runMatching(app);
    const cases = links.map((l) => {
      const row = reevaluateCase(app, l.case_id, 'payment');
      return { case: row.number, status: row.status };
    });
    return { payment: paymentId, cases };
  });
}

export interface UnmatchedPayment {
  id: number;
  paidOn: string;
  amount: number;
  transferName: string;
  status: string;
  code: string | null;
  reason: string | null;
  reference: string | null;
  candidates: { case: string; status: string; score: number; reason: string }[];
}

/** Finance's queue: every payment without a link, with its finding and ranked candidates. */
export function unmatchedPayments(app: App): UnmatchedPayment[] {
  return app.cases.unlinkedPayments().map((p) => ({
    id: p.id, paidOn: p.paid_on, amount: p.amount, transferName: p.transfer_name, status: p.status ?? 'unmatched', code: p.finding_code ?? null, reason: p.reason ?? null, reference: p.reference ?? null,
    candidates: (p.candidates_json ? (JSON.parse(p.candidates_json) as Candidate[]) : []).map((c) => {
      const row = app.cases.caseById(c.caseId);
      return { case: row?.number ?? String(c.caseId), status: row?.status ?? '', score: c.score, reason: c.reason };
    }),
  }));
}
