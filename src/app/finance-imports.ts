// Statement uploads from the workbench: each file is imported by importStatement, the same import as
// `conken payments import` (formats and encodings detected, the writer thread), as a job the page polls, so a
// 100,000-row file shows its phase instead of a frozen page. One import runs at a time: the import's main
// thread must answer its writer thread while that holds the write lock, so a second import (or any write on
// this connection) meanwhile would only wait for it. A file imported is kept in the content store (the
// imports list offers it for download); a rejected file is not kept anywhere, and its reason (the parser's
// StatementError, in Japanese, naming the line or record) is shown. A Zengin file whose era cannot be decided
// stays in memory for the era choice, then is dropped.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { App } from './context.ts';
import { importStatement, type ImportPhase } from './import-statement-file.ts';
import { StatementError, type ImportResult } from './import-payments.ts';
import { parseStatement } from '../payments/statements/detect.ts';
import type { ImportListRow } from '../cases/payment-ledger.ts';

export type Era = 'auto' | 'wareki' | 'seireki';

export interface ImportJob {
  id: string;
  /** The user who uploaded (only they see the job). */
  userId: number;
  fileName: string;
  size: number;
  era: Era;
  phase: 'queued' | ImportPhase | 'failed';
  startedAt: number;
  finishedAt: number | null;
  importId: number | null;
  /** Why the file was refused (Japanese, for the page), or null. */
  error: string | null;
  /** The file's era could not be decided: the page offers 和暦 / 西暦. */
  eraChoice: boolean;
  /** Kept only while an era choice is pending. */
  bytes: Uint8Array | null;
}

const jobs = new Map<string, ImportJob>();
let chain: Promise<unknown> = Promise.resolve();
let running = 0;
const KEEP_MS = 60 * 60_000;

/** Is an import running or queued (a write now would wait for it)? */
export function importRunning(): boolean {
  return running > 0;
}

export function importJob(id: string, userId: number): ImportJob | undefined {
  const job = jobs.get(id);
  return job && job.userId === userId ? job : undefined;
}

function forget(now: number): void {
  for (const [id, job] of jobs) if (job.finishedAt !== null && now - job.finishedAt > KEEP_MS) jobs.delete(id);
}

/** Starts importing one uploaded file (after those already queued); the returned job is updated as it goes. */
export function startImportJob(app: App, upload: { bytes: Uint8Array; fileName: string; userId: number; login: string; era?: Era }, onDone?: (job: ImportJob, result: ImportResult | null) => void): ImportJob {
  forget(Date.now());
  const job: ImportJob = {
    id: randomBytes(16).toString('hex'), userId: upload.userId, fileName: upload.fileName, size: upload.bytes.length, era: upload.era ?? 'auto',
    phase: 'queued', startedAt: Date.now(), finishedAt: null, importId: null, error: null, eraChoice: false, bytes: null,
  };
  jobs.set(job.id, job);
  running++;
  const run = async () => {
    let result: ImportResult | null = null;
    try {
      result = await importStatement(app, upload.bytes, upload.fileName, `finance:${upload.login}`, { era: job.era, onPhase: (p) => { job.phase = p; }, onImportId: (id) => { job.importId = id; } });
      job.phase = 'done';
      // The original file, for the imports list (content-addressed: the same bytes are kept once). The import
      // is committed whatever happens here: a file that could not be kept is only not downloadable.
      try {
        const ext = path.extname(upload.fileName).toLowerCase();
        const stored = app.files.put(upload.bytes, /^\.[a-z0-9]{1,5}$/.test(ext) ? ext : '');
        if (job.importId !== null) app.payments.setImportStoredPath(job.importId, stored.path);
      } catch (error) {
        app.log.warn({ err: (error as Error).message, importId: job.importId }, 'the uploaded statement could not be kept');
      }
    } catch (error) {
      job.phase = 'failed';
      job.importId = null;
      if (error instanceof StatementError) {
        const message = error.message;
        job.eraChoice = job.era === 'auto' && /年を判別できません/.test(message);
        if (job.eraChoice) job.bytes = upload.bytes;
        job.error = message.replace(/（--era で指定してください）/, '');
      } else {
        app.log.warn({ err: (error as Error).message, job: job.id }, 'statement upload failed');
        job.error = 'システムでエラーが起きたため取り込めませんでした（1件も登録していません）。時間をおいてお試しください。';
      }
    } finally {
      job.finishedAt = Date.now();
      running--;
    }
    onDone?.(job, result);
  };
  chain = chain.then(run, run);
  return job;
}

/** The era chosen for a file waiting for it: a new job with the same bytes. */
export function retryWithEra(app: App, job: ImportJob, era: Era, login: string, onDone?: (job: ImportJob, result: ImportResult | null) => void): ImportJob | null {
  if (!job.eraChoice || !job.bytes) return null;
  const bytes = job.bytes;
  job.bytes = null;
  job.eraChoice = false;
  return startImportJob(app, { bytes, fileName: job.fileName, userId: job.userId, login, era }, onDone);
}

export interface ImportReport {
  import: ImportListRow;
  /** The same bytes were imported before (import id), so nothing could be new. */
  sameFileAs: number | null;
  /** Earlier imports holding payments on this file's dates: where its duplicates were stored before. */
  overlaps: { importId: number; fileName: string; n: number }[];
  matched: { payment: number; paidOn: string; amount: number; transferName: string; cases: { case: string; status: string; amount: number; by: string }[] }[];
  attention: { payment: number; paidOn: string; amount: number; transferName: string; code: string | null; status: string; linked: boolean }[];
  /** The import's payments still waiting for finance (not linked, not set aside). */
  waiting: number;
  /** Payments of the import beyond the first 2,000 listed. */
  notListed: number;
}

/** What an import did, read back from the ledger (the result page; the same for the CLI's imports). */
export function importReport(app: App, importId: number): ImportReport | null {
  const imp = app.payments.importById(importId);
  if (!imp) return null;
  const sameFileAs = imp.rows_duplicate > 0 ? app.payments.earlierImportOfSameFile(imp.sha256, imp.id) : null;
  let overlaps: ImportReport['overlaps'] = [];
  if (imp.rows_duplicate > 0 && sameFileAs === null) {
    let range = app.payments.importDateRange(imp.id);
    // Nothing new was stored: the file's own dates, read from the kept file.
    if (!range && imp.stored_path) {
      try {
        const rows = parseStatement(app.files.get(imp.stored_path), { rules: app.rules.statements }).rows;
        const dates = rows.map((r) => r.paidOn).sort();
        if (dates.length) range = { first: dates[0]!, last: dates[dates.length - 1]! };
      } catch { /* an era forced at upload: the overlap stays unnamed */ }
    }
    if (range) overlaps = app.payments.importsCovering(range.first, range.last, imp.id).map((o) => ({ importId: o.import_id, fileName: o.file_name, n: o.n }));
  }
  const matched: ImportReport['matched'] = [];
  const attention: ImportReport['attention'] = [];
  for (const p of app.payments.paymentsOfImport(imp.id)) {
    const links = p.links_json ? (JSON.parse(p.links_json) as { case: string; status: string; amount: number; by: string }[]) : [];
    if (links.some((l) => l.by.startsWith('matcher'))) matched.push({ payment: p.id, paidOn: p.paid_on, amount: p.amount, transferName: p.transfer_name, cases: links });
    else attention.push({ payment: p.id, paidOn: p.paid_on, amount: p.amount, transferName: p.transfer_name, code: p.finding_code ?? null, status: p.status ?? 'unmatched', linked: links.length > 0 });
  }
  const listed = matched.length + attention.length;
  return { import: imp, sameFileAs, overlaps, matched, attention, waiting: app.payments.countUnlinkedPayments(imp.id), notListed: Math.max(0, imp.rows_new - listed) };
}
