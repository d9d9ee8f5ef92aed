// Benchmark: import and match a 100,000-row bank statement against 20,000 open cases (SPEC §5 target:
// under 2 s). The statement is a Zengin 入出金取引明細 file without line breaks (JIS8, 200-byte records);
// the cases are real renewal applications (the complete sample form, read once, with a different person
// per case) inserted straight into the database. Prints rows/s, the phases and the peak memory as JSON.
// The data are made first; the import is measured in a fresh child process, so its peak memory is the
// import's own, not the generator's. The import runs as `conken payments import` runs it, on two threads
// (importStatement); --one-thread measures the single-thread import (parse, then importStatementRows).
//   npm run bench:payments      (or: node bench/reconcile.bench.ts [rows] [cases] [--one-thread])
//   node bench/reconcile.bench.ts --setup DIR [rows] [cases]; cp -r DIR COPY; node --cpu-prof bench/reconcile.bench.ts --measure COPY rows cases
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { createApp, closeApp } from '../src/app/context.ts';
import { silentLogger } from '../src/shared/log.ts';
import { extractFile } from '../src/extract/extract-file.ts';
import { transaction } from '../src/cases/db.ts';
import type { ImportTimings } from '../src/app/import-payments.ts';
import { importStatement } from '../src/app/import-statement-file.ts';
import { importStatementRows } from '../src/app/import-payments.ts';
import { parseStatement } from '../src/payments/statements/detect.ts';
import { sha256 } from '../src/intake/content-store.ts';
import { C, N, record, yymmdd } from '../scripts/lib/statement-writer.ts';
import { machineDescription } from './lib/machine.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const FEE = 11_000;
const appIn = (dir: string) => createApp(loadConfig({ cwd: ROOT, env: { CONKEN_DB_PATH: path.join(dir, 'bench.db'), CONKEN_STORE_DIR: path.join(dir, 'store'), CONKEN_OUTBOX_DIR: path.join(dir, 'outbox'), CONKEN_INBOX_DIR: path.join(dir, 'inbox') } }), silentLogger());

if (process.argv[2] === '--measure') {
  await measure(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));
} else if (process.argv[2] === '--setup') {
  // Only make the data (for profiling: copy the folder, then run --measure on the copy as often as needed).
  await setup(process.argv[3]!, Number(process.argv[4] ?? 100_000), Number(process.argv[5] ?? 20_000));
} else {
  const numbers = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
  const ROWS = Number(numbers[0] ?? 100_000);
  const CASES = Number(numbers[1] ?? 20_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-bench-pay-'));
  try {
    await setup(dir, ROWS, CASES);
    process.stdout.write(execFileSync(process.execPath, ['--expose-gc', import.meta.filename, '--measure', dir, String(ROWS), String(CASES), ...flags], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function setup(dir: string, ROWS: number, CASES: number): Promise<void> {
const app = appIn(dir);

// ── 20,000 people: unique kana names, last-4 digits shared by two people each (names tell them apart) ──
const SYL = ['ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ', 'チ', 'ツ', 'テ', 'ト', 'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ', 'ム', 'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ'];
let seed = 42;
const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
const nameOf = (i: number) => {
  let s = '';
  for (let k = i + 1000; k > 0; k = Math.floor(k / SYL.length)) s += SYL[k % SYL.length];
  return `${s}${SYL[rnd(SYL.length)]}${SYL[rnd(SYL.length)]}`;
};
const halfWidth = (fullKana: string) => fullKana.replace(/[ァ-ヶ]/g, (ch) => HALF[ch] ?? ch);
const HALF: Record<string, string> = Object.fromEntries('アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ'.split('').map((ch, i) => [ch, 'ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜ'[i]!]));

const verdict = await extractFile(readFileSync(path.join(ROOT, 'samples', 'forms', 'renewal-complete.docx')), 'renewal-complete.docx');
if (verdict.role !== 'form') throw new Error('sample form not readable');
const base = verdict.application as unknown as Record<string, unknown>;
const people = Array.from({ length: CASES }, (_, i) => ({ kana: nameOf(i), digits: N(i % (CASES / 2), 4).slice(-4) }));
transaction(app.db, () => {
  const now = new Date().toISOString();
  const insert = app.db.prepare(`INSERT INTO cases (number, kind, status, applicant_address, received_at, payment_digits, payment_kana, payment_declared, payment_company, expected_amount, revision, created_at, updated_at)
    VALUES (?, 'renewal', 'awaiting-payment', ?, '2026-01-20T01:00:00.000Z', ?, ?, ?, ?, ?, 1, ?, ?)`);
  const insertDocuments = app.db.prepare(`INSERT INTO case_documents (case_id, application_json, computed_json) VALUES (?, ?, '{}')`);
  people.forEach((p, i) => {
    const application = { ...base, nameKana: p.kana, certificationNumber: `OMP-2023-${p.digits}`, feeTransferName: `${p.digits}${p.kana}`, email: `a${i}@example.jp` };
    const id = insert.run(`R-2026-${N(i + 1, 6)}`, `a${i}@example.jp`, p.digits, p.kana, `${p.digits}${p.kana}`, `カブシキガイシヤカイシヤ${i % 500}`, FEE, now, now).lastInsertRowid;
    insertDocuments.run(id, JSON.stringify(application));
  });
});

// ── 100,000 rows: 70 % of the cases pay exactly, a few with a typo / no digits / 10,000; the rest is
//    unrelated deposits and withdrawals, as on a busy account ─────────────────────────────────────────
const rows: { name: string; amount: number; credit: boolean; date: string }[] = [];
const day = (i: number) => `2026-01-${N(1 + (i % 28), 2)}`;
for (let i = 0; i < CASES; i++) {
  const p = people[i]!;
  const r = i % 100;
  if (r < 70) rows.push({ name: `${p.digits}${halfWidth(p.kana)}`, amount: FEE, credit: true, date: day(i) });
  else if (r < 74) rows.push({ name: `${p.digits}${halfWidth(p.kana).slice(0, -1)}ｱ`, amount: FEE, credit: true, date: day(i) });
  else if (r < 77) rows.push({ name: halfWidth(p.kana), amount: FEE, credit: true, date: day(i) });
  else if (r < 80) rows.push({ name: `${p.digits}${halfWidth(p.kana)}`, amount: 10_000, credit: true, date: day(i) });
}
while (rows.length < ROWS) {
  const i = rows.length;
  rows.push(i % 5 === 0
    ? { name: 'ﾃｽｳﾘﾖｳ', amount: 440, credit: false, date: day(i) }
    : { name: `ｶ)ﾄﾘﾋｷｻｷ${halfWidth(nameOf(i + 50_000))}`, amount: 1000 + rnd(500_000), credit: true, date: day(i) });
}
const d = (iso: string) => yymmdd(iso, 'gregorian');
const credits = rows.filter((r) => r.credit);
const debits = rows.filter((r) => !r.credit);
const sum = (xs: typeof rows) => xs.reduce((a, r) => a + r.amount, 0);
const records = [
  record(['1', '03', '0', d('2026-01-31'), d('2026-01-01'), d('2026-01-31'), '0005', C('ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ', 15), '001', C('ﾎﾝﾃﾝ', 15), '000', '1', N(1234567, 10), C('ｺﾝｹﾝ', 40), '1', '1', N(0, 14), C('', 71)]),
  ...rows.map((r, i) => record(['2', N(i + 1, 8), d(r.date), d(r.date), r.credit ? '1' : '2', r.credit ? '11' : '18', N(r.amount, 12), N(0, 12), N(0, 6), N(0, 6), '0', N(0, 7), N(0, 3), N(0, 10), C(r.name, 48), C('', 15), C('', 15), C('', 20), C('', 20), ' '])),
  record(['8', N(credits.length, 6), N(sum(credits), 13), N(debits.length, 6), N(sum(debits), 13), '1', N(0, 14), C('', 146)]),
  record(['9', C('', 199)]),
];
writeFileSync(path.join(dir, 'statement.dat'), Buffer.from(records.flat()));
closeApp(app);
}

async function measure(dir: string, ROWS: number, CASES: number): Promise<void> {
const app = appIn(dir);
const bytes = readFileSync(path.join(dir, 'statement.dat'));
if (global.gc) global.gc();
const cpu0 = process.cpuUsage();
const load = os.loadavg()[0]!;
const t0 = performance.now();
let phases: Partial<ImportTimings> = {};
// --one-thread: the single-thread import (parse, then importStatementRows), for comparison.
const oneThread = process.argv.includes('--one-thread');
const importOnce = async (onTimings?: (t: ImportTimings) => void) => {
  if (!oneThread) return importStatement(app, bytes, 'bench.dat', 'bench', { today: '2026-02-01', ...(onTimings ? { onTimings } : {}) });
  const tp = performance.now();
  const statement = parseStatement(bytes, { rules: app.rules.statements, today: '2026-02-01' });
  const parseMs = performance.now() - tp;
  return importStatementRows(app, 'bench.dat', sha256(bytes), statement.format, statement.rows, 'bench', { encoding: statement.encoding, ...(statement.source ? { source: statement.source } : {}), onTimings: (t) => onTimings?.({ ...t, parseMs, committedMs: t.committedMs + parseMs }) });
};
const result = await importOnce((t) => { phases = t; });
const t2 = performance.now();
const cpu = process.cpuUsage(cpu0);
const again = await importOnce();
const t3 = performance.now();
const peak = process.resourceUsage().maxRSS;
const statuses = app.db.prepare('SELECT status, COUNT(*) AS n FROM cases GROUP BY status ORDER BY status').all() as { status: string; n: number }[];
const outbox = app.db.prepare(`SELECT kind, COUNT(*) AS n, SUM(mail_json = '') AS unrendered FROM outbox GROUP BY kind ORDER BY kind`).all() as { kind: string; n: number; unrendered: number }[];
closeApp(app);

// Import + match: from the file's bytes until the import's payments, verdicts and links are committed (the
// writer thread parses and stores while this thread reads, indexes and matches). The cases they settle are
// moved on in the next transaction (caseTransitions), then the notices are composed; "end to end" is the call.
const importAndMatchMs = (phases.committedMs ?? 0) - (oneThread ? phases.casesMs ?? 0 : 0);
const endToEndMs = t2 - t0;
const r1 = (n: number) => Math.round(n);
process.stdout.write(`${JSON.stringify({
  benchmark: `statement import + matching (Zengin 入出金取引明細, SQLite WAL file), ${oneThread ? "one thread" : "two threads"}`,
  date: new Date().toISOString().slice(0, 10),
  machine: machineDescription(),
  node: process.version,
  rows: ROWS, openCases: CASES, credits: result.rows, newPayments: result.new, matched: result.matched.length, needsAttention: result.needsAttention,
  ms: {
    parseAndKeysOnWriterThread: r1(phases.parseMs ?? 0), lockAndDedupeOnWriterThread: r1(phases.storeMs ?? 0), loadAndIndexBeside: r1(phases.loadMs ?? 0), reconcile: r1(phases.reconcileMs ?? 0),
    writeVerdicts: r1(phases.writeMs ?? 0), commit: r1(phases.commitMs ?? 0),
    importAndMatch: r1(importAndMatchMs), caseTransitions: r1(phases.casesMs ?? 0), composeNoticesAndCheckpoint: r1(phases.afterCommitMs ?? 0), endToEnd: r1(endToEndMs), reimportAllDuplicates: r1(t3 - t2),
  },
  ...(phases.timeline ? { twoThreadTimelineMs: Object.fromEntries(Object.entries(phases.timeline).map(([k, v]) => [k, r1(v)])) } : {}),
  noticesComposedAfterCommit: phases.noticesRendered ?? 0,
  cpuMs: { importAndMatch: r1(phases.committedCpuMs ?? 0), caseTransitions: r1(phases.casesCpuMs ?? 0), importEndToEnd: r1((cpu.user + cpu.system) / 1000) },
  loadAverageAtStart: +load.toFixed(2),
  rowsPerSecond: { importAndMatch: r1(ROWS / (importAndMatchMs / 1000)), endToEnd: r1(ROWS / (endToEndMs / 1000)), reimport: r1(ROWS / ((t3 - t2) / 1000)) },
  reimport: { new: again.new, duplicate: again.duplicate, matched: again.matched.length },
  caseStatuses: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
  outbox: Object.fromEntries(outbox.map((o) => [o.kind, { queued: o.n, unrendered: o.unrendered }])),
  peakRssMiB: Math.round(peak / 1024),
}, null, 2)}\n`);
}
