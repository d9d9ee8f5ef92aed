// While a statement import's writer thread holds the write lock, the workbench's main thread must stay free to
// answer it: the session's sign of life (saved on every request, rolling sessions) must not wait for the lock.
// Two real connections to one SQLite file: one holds a write transaction as the writer thread does.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/cases/db.ts';
import { SqliteSessionStore } from '../../src/cases/session-store.ts';
import { UsersStore } from '../../src/cases/users-store.ts';

describe('the session store during an import’s write lock', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  function setup() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-lock-'));
    dirs.push(dir);
    const file = path.join(dir, 'x.db');
    const main = openDatabase(file);
    migrate(main);
    const users = new UsersStore(main);
    users.add('keiri', 'finance', 'not-a-real-hash');
    users.add('keiri2', 'finance', 'not-a-real-hash');
    const writer = openDatabase(file);
    const store = new SqliteSessionStore(main, { idleMs: 3_600_000, absoluteMs: 86_400_000 });
    const set = (sid: string, data: unknown) => new Promise<unknown>((resolve) => store.set(sid, data, (err) => resolve(err ?? null)));
    return { main, writer, store, set };
  }

  it('a sign of life returns at once (not after the busy timeout) and is recorded once the lock is gone', async () => {
    const { main, writer, set } = setup();
    const session = { userId: 1, cookie: { path: '/' } };
    expect(await set('s1', session)).toBeNull();
    const seen = () => (main.prepare('SELECT last_seen_at FROM web_sessions WHERE sid = ?').get('s1') as { last_seen_at: number }).last_seen_at;
    const before = seen();
    writer.exec('BEGIN IMMEDIATE');
    writer.prepare('UPDATE web_sessions SET data_json = data_json WHERE 0').run();
    const t = performance.now();
    expect(await set('s1', session)).toBeNull();
    expect(performance.now() - t).toBeLessThan(500);
    expect(seen()).toBe(before);
    writer.exec('COMMIT');
    await new Promise((r) => setTimeout(r, 5));
    expect(await set('s1', session)).toBeNull();
    expect(seen()).toBeGreaterThan(before);
  });

  it('a changed session still waits for the lock (a login is never lost)', async () => {
    const { main, writer, set } = setup();
    main.exec('PRAGMA busy_timeout = 200');
    expect(await set('s2', { userId: 1 })).toBeNull();
    writer.exec('BEGIN IMMEDIATE');
    writer.prepare('UPDATE web_sessions SET data_json = data_json WHERE 0').run();
    const t = performance.now();
    const err = await set('s2', { userId: 2 });
    expect(performance.now() - t).toBeGreaterThanOrEqual(150);
    expect(String(err)).toMatch(/locked/);
    writer.exec('ROLLBACK');
    expect(await set('s2', { userId: 2 })).toBeNull();
    expect(JSON.parse((main.prepare('SELECT data_json FROM web_sessions WHERE sid = ?').get('s2') as { data_json: string }).data_json)).toEqual({ userId: 2 });
  });
});
