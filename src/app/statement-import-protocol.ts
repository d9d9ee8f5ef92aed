// The messages between a statement import's main thread (src/app/import-statement-file.ts) and its writer
// thread (src/app/statement-import-worker.ts).
import type { MatchDecision } from '../payments/match-decision.ts';
import type { StatementRules } from '../payments/statements/generic-csv.ts';

export interface WorkerInput {
  dbPath: string;
  bytes: Uint8Array;
  detect: { rules: StatementRules; era?: 'auto' | 'wareki' | 'seireki'; today?: string };
  fileName: string;
  sha256: string;
  actor: string;
}

export type FromWorker =
  /** The write lock is held: what the main thread reads now is what the import writes on. */
  | { type: 'locked' }
  /** The new payments (consecutive ids from firstId, in id order), as the matcher needs them; not stored yet. */
  | {
    type: 'fresh'; importId: number; firstId: number; format: string; encoding: string; rows: number; debits: number; duplicate: number;
    amount: Float64Array; paidOn: string[]; transferName: string[]; digits: (string | null)[]; kana: string[]; entity: (string | null)[];
    /** Parsing the file and keying its credits; taking the lock and picking the new payments. */
    parseMs: number; storeMs: number;
  }
  | { type: 'committed'; storeRowsMs: number; waitedMs: number; writeMs: number; commitMs: number }
  /** Nothing was written (rolled back); `statement` when the file itself was rejected. */
  | { type: 'error'; message: string; statement: boolean };

export type ToWorker = { type: 'decision'; decision: MatchDecision } | { type: 'abort'; reason: string };
