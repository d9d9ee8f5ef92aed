// Workbench users: one row per login with its role and password hash (a PHC string made by
// src/web/passwords.ts). SQL for the users table lives here only.
import type { Db } from './db.ts';

export const ROLES = ['staff', 'finance', 'reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface UserRow {
  id: number;
  login: string;
  role: Role;
  password_hash: string;
  disabled: number;
  created_at: string;
  updated_at: string;
}

/** Logins are short ASCII names: they appear in the audit log and the logs, never a person's name in full. */
export const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._-]{1,31}$/;

export class UsersStore {
  readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  add(login: string, role: Role, passwordHash: string): number {
    const now = new Date().toISOString();
    return Number(this.db.prepare('INSERT INTO users (login, role, password_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)')
      .run(login, role, passwordHash, now, now).lastInsertRowid);
  }

  byLogin(login: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE login = ?').get(login) as UserRow | undefined;
  }

  byId(id: number): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  }

  list(): UserRow[] {
    return this.db.prepare('SELECT * FROM users ORDER BY login').all() as unknown as UserRow[];
  }

  setDisabled(id: number, disabled: boolean): void {
    this.db.prepare('UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?').run(disabled ? 1 : 0, new Date().toISOString(), id);
  }

  setPassword(id: number, passwordHash: string): void {
    this.db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?').run(passwordHash, new Date().toISOString(), id);
  }

  setRole(id: number, role: Role): void {
    this.db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE id = ?').run(role, new Date().toISOString(), id);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }
}
