// Content-addressed file store for raw mails and attachments: written once, owner-only permissions,
// atomically (temp file + rename), so a crash never leaves half a file under a real name.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, existsSync } from 'node:fs';
import { makePrivateDir, writePrivateFile } from '../shared/private-files.ts';
import path from 'node:path';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class ContentStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  /** Stores bytes; returns their hash and the path relative to the store. Idempotent. */
  put(bytes: Uint8Array, extension = ''): { sha256: string; path: string } {
    const hash = sha256(bytes);
    const rel = path.join(hash.slice(0, 2), hash.slice(2) + extension);
    const full = path.join(this.dir, rel);
    if (!existsSync(full)) {
      // The modes set, not left to the umask (mkdir's and open's modes are only masked by it).
      makePrivateDir(path.dirname(full));
      const tmp = `${full}.${randomBytes(4).toString('hex')}.tmp`;
      writePrivateFile(tmp, bytes);
      renameSync(tmp, full);
    }
    return { sha256: hash, path: rel };
  }

  get(rel: string): Buffer {
    return readFileSync(path.join(this.dir, rel));
  }

  fullPath(rel: string): string {
    return path.join(this.dir, rel);
  }
}
