// The base of the stores: one database handle, statements prepared once per SQL text, and the row readers
// every store uses. Each aggregate has its own store over the same handle (case-store.ts: cases with their
// mails, attachments, findings and events; payment-ledger.ts; outbox-store.ts); the one writer of a case's
// state is case-writer.ts. Callers group writes with transaction() from db.ts.
import type { Db } from './db.ts';

export type Params = Record<string, string | number | null>;

export class SqlStore {
  readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  private readonly statements = new Map<string, ReturnType<Db['prepare']>>();
  /** Prepared once per SQL text: bulk imports run the same statements 100,000 times. */
  protected stmt(sql: string): ReturnType<Db['prepare']> {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }
  protected get<T>(sql: string, ...params: (string | number | null)[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }
  protected all<T>(sql: string, ...params: (string | number | null)[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }
  /**
   * all(), for the bulk readers (the matcher reads every case and every open payment): node:sqlite makes
   * each row a dictionary-mode object, large and slow to read; here the rows come as arrays and become plain
   * objects of one shape (made by a function generated from the statement's column names, so every field
   * is an in-object property). 20,000 case rows took ≈ 18 MB the other way, all of it kept until the commit.
   */
  protected allCompact<T>(sql: string, ...params: (string | number | null)[]): T[] {
    let entry = this.compact.get(sql);
    if (!entry) {
      const stmt = this.db.prepare(sql);
      stmt.setReturnArrays(true);
      const fields = stmt.columns().map((c, i) => `${JSON.stringify(c.name)}: r[${i}]`).join(', ');
      this.compact.set(sql, (entry = { stmt, make: new Function('r', `return { ${fields} };`) as (r: unknown[]) => unknown }));
    }
    const rows = entry.stmt.all(...params) as unknown as unknown[][];
    const out: T[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = entry.make(rows[i]!) as T;
    return out;
  }
  private readonly compact = new Map<string, { stmt: ReturnType<Db['prepare']>; make: (r: unknown[]) => unknown }>();

  protected insert(sql: string, params: Params): number {
    return Number(this.stmt(sql).run(params).lastInsertRowid);
  }
}
