// Owner-only folders and files for everything that holds applicants' personal data (the database, the
// content store, the outbox). The modes are set explicitly after creating, not left to the umask: a
// permissive umask (022) would otherwise make them readable by every user of the machine.
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

/**
 * Creates the folder and any missing parents as 0700. Folders that exist already are left as they are: an
 * operator may have chosen them (a shared data disk, the working directory).
 */
export function makePrivateDir(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  if (missing.length === 0) return;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  for (const d of missing) chmodSync(d, PRIVATE_DIR);
}

/** Writes (creating or replacing the content of) a file readable by its owner only. */
export function writePrivateFile(file: string, data: Uint8Array): void {
  const fd = openSync(file, 'w', PRIVATE_FILE);
  try {
    fchmodSync(fd, PRIVATE_FILE); // also when the file existed with wider modes
    let at = 0;
    while (at < data.length) at += writeSync(fd, data, at, data.length - at);
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes the file owner-only before something else opens it: a missing file is created empty as 0600 (SQLite
 * takes an empty file for a new database, and gives its -wal and -shm files the database file's mode); one
 * this user owns that others can read (made before this check existed) is narrowed to 0600. A file owned
 * by someone else is left alone: its owner chose its modes.
 */
export function ensurePrivateFile(file: string): void {
  if (!existsSync(file)) {
    closeSync(openSync(file, 'a', PRIVATE_FILE));
    chmodSync(file, PRIVATE_FILE);
    return;
  }
  const stat = statSync(file);
  if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) chmodSync(file, stat.mode & 0o700);
}
