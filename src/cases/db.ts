// The SQLite database (node:sqlite, WAL): opened once, migrated at start-up.
import { DatabaseSync } from 'node:sqlite';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS } from './migrations.ts';
import { ensurePrivateFile, makePrivateDir } from '../shared/private-files.ts';

export type Db = DatabaseSync;

/**
 * Opens (and migrates) the database. readOnly is for --dry-run: an existing file is opened read-only and
 * a missing one is not created (an empty in-memory database stands in), so nothing is written.
 */
export function openDatabase(file: string, options: { readOnly?: boolean } = {}): Db {
  if (options.readOnly) {
    if (file === ':memory:' || !existsSync(file)) return openDatabase(':memory:');
    const db = new DatabaseSync(file, { readOnly: true });
    db.exec('PRAGMA busy_timeout = 5000');
    return db;
  }
  if (file !== ':memory:') {
    // Every applicant's personal data: the folder, the file and its -wal/-shm owner-only whatever the umask.
    makePrivateDir(path.dirname(file));
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (f === file || existsSync(f)) ensurePrivateFile(f);
  }
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    transaction(db, () => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    });
  }
}

/**
 * Runs a bulk job (a 100,000-row statement import: hundreds of MiB of pages) with settings for it, put back
 * afterwards so the daemon's long-lived connection stays as it was:
 * - a page cache big enough for the job (the default 2 MiB spills dirty pages to the WAL mid-transaction and
 *   reads every page through a system call);
 * - synchronous = FULL: each commit of the job is on disk when it returns (the WAL is synced), where the
 *   daemon's NORMAL leaves the last commits to the next checkpoint;
 * - no automatic checkpoint inside the job: a commit returns as soon as its WAL frames are synced, and the
 *   job's pages are copied into the database once, by the checkpoint at the end.
 */
export function withBulkSettings<T>(db: Db, fn: () => T): T {
  const pragma = (name: string) => Number(Object.values(db.prepare(`PRAGMA ${name}`).get() as Record<string, number>)[0]);
  const saved = { cache_size: pragma('cache_size'), synchronous: pragma('synchronous'), wal_autocheckpoint: pragma('wal_autocheckpoint') };
  applyBulkSettings(db);
  try {
    return fn();
  } finally {
    for (const [name, value] of Object.entries(saved)) db.exec(`PRAGMA ${name} = ${value}`);
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  }
}

/** The settings withBulkSettings runs a bulk job with (a connection that only does the job keeps them). */
export function applyBulkSettings(db: Db): void {
  db.exec('PRAGMA cache_size = -262144'); // 256 MiB (negative: KiB)
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA wal_autocheckpoint = 0');
}

/** Runs fn in one IMMEDIATE transaction: everything it writes commits together or not at all. */
export function transaction<T>(db: Db, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** transaction() for work that awaits inside (a worker thread waiting for the main thread's decisions). */
export async function transactionAsync<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = await fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** Runs fn in one read transaction (DEFERRED: no write lock), so that what it reads is one consistent state. */
export function readTransaction<T>(db: Db, fn: () => T): T {
  db.exec('BEGIN');
  try {
    return fn();
  } finally {
    db.exec('COMMIT');
  }
}

/**
 * A stamp that changes whenever the database may have: another connection's commit changes data_version,
 * this connection's own writes change total_changes().
 */
export function changeStamp(db: Db): string {
  const version = (db.prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
  const own = (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
  return `${version}/${own}`;
}

/** Commits that need not be on disk when they return (synchronous = NORMAL, as the daemon runs; WAL stays consistent). */
export function relaxDurability(db: Db): void {
  db.exec('PRAGMA synchronous = NORMAL');
}

/**
 * A plain connection for a last write by a thread that cannot wait (the daemon's watchdog, about to end the
 * process): no migration, no pragmas but a short busy timeout.
 */
export function openForLastWrite(file: string, busyTimeoutMs = 1000): Db {
  const db = new DatabaseSync(file);
  db.exec(`PRAGMA busy_timeout = ${Math.round(busyTimeoutMs)}`);
  return db;
}

const statements = new WeakMap<Db, Map<string, ReturnType<Db['prepare']>>>();

/** A prepared statement cached per connection and SQL text (the read models run the same queries on every page). */
export function prepared(db: Db, sql: string): ReturnType<Db['prepare']> {
  let map = statements.get(db);
  if (!map) statements.set(db, (map = new Map()));
  let s = map.get(sql);
  if (!s) map.set(sql, (s = db.prepare(sql)));
  return s;
}
