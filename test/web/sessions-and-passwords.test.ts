// The session store's timeouts and the password hashes, on a real SQLite file (no browser needed).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/cases/db.ts';
import { cookieSecret, SqliteSessionStore } from '../../src/cases/session-store.ts';
import { UsersStore } from '../../src/cases/users-store.ts';
import { hashPassword, PasswordError, verifyPassword } from '../../src/web/passwords.ts';
import { tempDir } from '../support/harness.ts';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const get = (store: SqliteSessionStore, sid: string) => new Promise<unknown>((resolve, reject) => store.get(sid, (err, s) => (err ? reject(err) : resolve(s))));
const set = (store: SqliteSessionStore, sid: string, s: unknown) => new Promise<void>((resolve, reject) => store.set(sid, s, (err) => (err ? reject(err) : resolve())));

describe('web sessions in SQLite', () => {
  const db = openDatabase(path.join(dir, 'conken.db'));
  let now = Date.parse('2026-12-01T09:00:00Z');
  const store = new SqliteSessionStore(db, { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 }, () => now);
  const userId = new UsersStore(db).add('sato', 'staff', '$scrypt$ln=1,r=1,p=1$AA$AA');

  it('a session used within the idle timeout lives on, up to the absolute timeout', async () => {
    await set(store, 'a', { userId, cookie: {} });
    for (let i = 0; i < 24; i++) { // 11 h 36 min in steps of 29 minutes
      now += 29 * 60_000;
      expect(await get(store, 'a')).toMatchObject({ userId });
      await set(store, 'a', { userId, cookie: {} });
    }
    now += 29 * 60_000; // 12 h 5 min after login, though never idle for 30 minutes
    expect(await get(store, 'a')).toBeNull();
    expect(db.prepare("SELECT COUNT(*) AS n FROM web_sessions WHERE sid = 'a'").get()).toEqual({ n: 0 });
  });

  it('a session idle for longer than the idle timeout is gone', async () => {
    await set(store, 'b', { userId, cookie: {} });
    now += 31 * 60_000;
    expect(await get(store, 'b')).toBeNull();
  });

  it('every session of a user ends at once (disabled, new password)', async () => {
    await set(store, 'c', { userId, cookie: {} });
    await set(store, 'd', { userId, cookie: {} });
    await set(store, 'e', { cookie: {} });
    expect(store.destroyForUser(userId)).toBe(2);
    expect([await get(store, 'c'), await get(store, 'd'), await get(store, 'e')]).toEqual([null, null, { cookie: {} }]);
  });

  it('the cookie key is made once per database and kept', () => {
    const first = cookieSecret(db);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(cookieSecret(db)).toBe(first);
  });
});

describe('passwords', () => {
  it('scrypt PHC strings: the right password verifies, another does not; short ones are refused', async () => {
    const phc = await hashPassword('correct horse battery');
    expect(phc).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$/);
    expect(await hashPassword('correct horse battery')).not.toBe(phc); // salted
    expect(await verifyPassword('correct horse battery', phc)).toBe(true);
    expect(await verifyPassword('correct horse batterx', phc)).toBe(false);
    expect(await verifyPassword('anything at all', 'not-a-phc-string')).toBe(false);
    await expect(hashPassword('eleven-char')).rejects.toThrow(PasswordError);
  });
});
