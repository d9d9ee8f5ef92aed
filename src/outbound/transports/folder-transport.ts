// Folder transport (embedded mode): each outbound mail becomes an .eml file in the outbox folder.
// The file name comes from the Message-ID, so a retry rewrites the same file instead of adding one.
import { renameSync } from 'node:fs';
import { makePrivateDir, writePrivateFile } from '../../shared/private-files.ts';
import path from 'node:path';
import type { OutgoingMail } from '../outgoing-mail.ts';
import type { Transport } from './transport.ts';

export class FolderTransport implements Transport {
  readonly name = 'folder';
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
    makePrivateDir(dir); // notices carry names and addresses: owner-only, as the files in it
  }

  fileNameFor(mail: OutgoingMail): string {
    return `${mail.messageId.split('@')[0]!.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`;
  }

  async send(mail: OutgoingMail, raw: Buffer): Promise<void> {
    const file = path.join(this.dir, this.fileNameFor(mail));
    const tmp = `${file}.tmp`;
    writePrivateFile(tmp, raw);
    renameSync(tmp, file);
  }
}
