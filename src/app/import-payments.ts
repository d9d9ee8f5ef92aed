// Finance's statement import: rows parsed (the whole file or nothing), stored without duplicates
// (a re-upload adds nothing; two genuinely identical transfers stay two), then matched, and every
// case a payment completes is re-evaluated and moved on, with its notices, in the same transaction.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from './context.ts';
import { parseSimpleCsv, StatementError, type StatementRow } from '../payments/csv-statement.ts';
import { transferKey } from '../payments/transfer-name.ts';
import { matchExact } from '../payments/matcher.ts';
import { sha256 } from '../intake/content-store.ts';
import { transaction } from '../cases/db.ts';
import { openCaseFor } from './process-mail.ts';
import { reevaluateCase } from './reevaluate.ts';
import type { ApplicationBase } from '../extract/forms/form-kind.ts';

export interface ImportResult {
  file: string;
  rows: number;
  new: number;
  duplicate: number;
  matched: { payment: number; case: string; status: string }[];
  unmatched: number;
}

export { StatementError };

export function importPaymentsFile(app: App, file: string, actor = 'cli'): ImportResult {
  const bytes = readFileSync(file);
  const rows: StatementRow[] = parseSimpleCsv(bytes.toString('utf8'));
  return importStatementRows(app, path.basename(file), sha256(bytes), 'simple-csv', rows, actor);
}

export function importStatementRows(app: App, fileName: string, hash: string, format: string, rows: StatementRow[], actor: string): ImportResult {
  const credits = rows.filter((r) => r.amount > 0); // only credits count
  return transaction(app.db, () => {
    // A statement row is identified by its fingerprint counted as a multiset: the nth identical row
    // of a file is the nth identical payment overall, so a re-upload adds nothing while two genuine
    // identical transfers on one day stay two.
    const groups = new Map<string, StatementRow[]>();
    for (const row of credits) {
      const key = transferKey(row.transferName);
      const fingerprint = `${row.paidOn}|${row.amount}|${key.digits ?? ''}${key.kana}`;
      groups.set(fingerprint, [...(groups.get(fingerprint) ?? []), row]);
    }
    const fresh: { row: StatementRow; fingerprint: string; occurrence: number }[] = [];
    let duplicate = 0;
    for (const [fingerprint, group] of groups) {
      const stored = app.cases.paymentOccurrences(fingerprint);
      duplicate += Math.min(stored, group.length);
      for (let i = stored; i < group.length; i++) fresh.push({ row: group[i]!, fingerprint, occurrence: i + 1 });
    }
    const importId = app.cases.insertPaymentImport({ fileName, sha256: hash, format, actor, rowsTotal: credits.length, rowsNew: fresh.length, rowsDuplicate: duplicate });
    for (const f of fresh) {
      const key = transferKey(f.row.transferName);
      app.cases.insertPayment({ import_id: importId, paid_on: f.row.paidOn, amount: f.row.amount, transfer_name: f.row.transferName, digits: key.digits, kana: key.kana, fingerprint: f.fingerprint, occurrence: f.occurrence });
    }
    app.cases.addEvent({ actor, type: 'payments.imported', data: { importId, fileName, sha256: hash, rows: credits.length, new: fresh.length, duplicate } });
    const matched = runMatching(app);
    return { file: fileName, rows: credits.length, new: fresh.length, duplicate, matched, unmatched: app.cases.unlinkedPayments().length };
  });
}

/** Links every exact, unique match and re-evaluates the cases it completes. Call inside a transaction. */
export function runMatching(app: App): ImportResult['matched'] {
  const open = app.cases.casesAwaitingMatch()
    .map((c) => openCaseFor(app, c.id, c.kind, c.application_json ? (JSON.parse(c.application_json) as ApplicationBase) : null))
    .filter((c) => c !== null);
  const payments = app.cases.unlinkedPayments().map((p) => ({ id: p.id, transferName: p.transfer_name, amount: p.amount }));
  const out: ImportResult['matched'] = [];
  for (const m of matchExact(open, payments)) {
    app.cases.linkPayment(m.paymentId, m.caseId, 'matcher:exact');
    app.cases.addEvent({ caseId: m.caseId, actor: 'matcher', type: 'payment.linked', data: { payment: m.paymentId, rule: m.rule } });
    const c = reevaluateCase(app, m.caseId, 'payment');
    out.push({ payment: m.paymentId, case: c.number, status: c.status });
  }
  return out;
}
