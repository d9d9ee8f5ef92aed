// The workbench's audit log: who saw or changed what, when (UTC) and from where. Append-only: the
// database refuses UPDATE and DELETE on it (migration 20). No personal data in it beyond the user's
// login and address: case numbers, attachment ids and field names, never the values.
import type { Db } from './db.ts';

export interface AuditInsert {
  login: string | null;
  action: string;
  caseNumber?: string | null;
  target?: string | null;
  address?: string | null;
  detail?: unknown;
  at?: string;
}

export interface AuditRow {
  id: number;
  at: string;
  login: string | null;
  action: string;
  case_number: string | null;
  target: string | null;
  address: string | null;
  detail_json: string | null;
}

export interface AuditFilter {
  login?: string;
  caseNumber?: string;
  /** ISO instants, inclusive from, exclusive to. */
  from?: string;
  to?: string;
  action?: string;
  limit?: number;
  offset?: number;
}

export class AuditLog {
  readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  record(e: AuditInsert): void {
    this.db.prepare('INSERT INTO audit_log (at, login, action, case_number, target, address, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(e.at ?? new Date().toISOString(), e.login, e.action, e.caseNumber ?? null, e.target ?? null, e.address ?? null, e.detail === undefined ? null : JSON.stringify(e.detail));
  }

  /** Newest first, with the total matching the filter (for paging). */
  list(f: AuditFilter = {}): { rows: AuditRow[]; total: number } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (f.login) { where.push('login = ?'); params.push(f.login); }
    if (f.caseNumber) { where.push('case_number = ?'); params.push(f.caseNumber); }
    if (f.from) { where.push('at >= ?'); params.push(f.from); }
    if (f.to) { where.push('at < ?'); params.push(f.to); }
    if (f.action) { where.push('action = ?'); params.push(f.action); }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM audit_log ${clause}`).get(...params) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM audit_log ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, f.limit ?? 100, f.offset ?? 0) as unknown as AuditRow[];
    return { rows, total };
  }

  /** Failed logins for a login, or from an address, since an instant (the login throttle reads these). */
  failuresSince(by: { login?: string; address?: string }, sinceIso: string): number {
    if (by.login !== undefined) {
      return (this.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE login = ? AND action = 'login.failure' AND at >= ?").get(by.login, sinceIso) as { n: number }).n;
    }
    return (this.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE address = ? AND action = 'login.failure' AND at >= ?").get(by.address ?? '', sinceIso) as { n: number }).n;
  }

  /** The last successful login of a user before now (shown to them, so an unknown login stands out). */
  lastSuccess(login: string): string | null {
    const row = this.db.prepare("SELECT at FROM audit_log WHERE login = ? AND action = 'login.success' ORDER BY id DESC LIMIT 1 OFFSET 1").get(login) as { at: string } | undefined;
    return row?.at ?? null;
  }
}
