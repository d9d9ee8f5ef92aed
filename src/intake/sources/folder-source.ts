// Folder source (embedded mode): .eml files dropped into a folder, processed in name order, then moved
// to a processed folder. If the daemon dies between commit and move, the mail is seen again and the
// message store recognises it as already processed: nothing happens twice. A mail the daemon gave up on
// (src/app/poison-mail.ts) is moved to the quarantine folder, by default inbox/quarantine/.
import { readdirSync, readFileSync, renameSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { makePrivateDir } from '../../shared/private-files.ts';
import type { Disposition, MailSource, SourceMail } from './mail-source.ts';

export class FolderSource implements MailSource {
  readonly name = 'folder';
  readonly dir: string;
  readonly processedDir: string;
  readonly quarantineDir: string;

  constructor(dir: string, processedDir: string, quarantineDir = path.join(dir, 'quarantine')) {
    this.dir = dir;
    this.processedDir = processedDir;
    this.quarantineDir = quarantineDir;
    // Mail holds applicants' personal data: the folders we make are the owner's only (SPEC §7).
    makePrivateDir(dir);
    makePrivateDir(processedDir);
  }

  async pending(): Promise<SourceMail[]> {
    const names = readdirSync(this.dir).filter((n) => /\.eml$/i.test(n)).sort();
    const mails: SourceMail[] = [];
    for (const name of names) {
      const full = path.join(this.dir, name);
      const stat = statSync(full, { throwIfNoEntry: false });
      if (!stat?.isFile()) continue;
      // The Date header is the time of receipt for a file (SPEC §2); mtime only when it has none.
      mails.push({ ref: name, raw: readFileSync(full), receivedAt: null, fallbackTime: stat.mtime });
    }
    return mails;
  }

  async done(mail: SourceMail, disposition: Disposition): Promise<void> {
    const from = path.join(this.dir, mail.ref);
    if (!existsSync(from)) return;
    const dir = disposition === 'quarantined' ? this.quarantineDir : this.processedDir;
    makePrivateDir(dir);
    let to = path.join(dir, mail.ref);
    for (let i = 1; existsSync(to); i++) to = path.join(dir, mail.ref.replace(/(\.eml)?$/i, `.${i}$1`));
    renameSync(from, to);
  }
}

