// The embedded demo: the sample mails dropped into the inbox, the daemon's work done once, the sample
// bank statement imported, the outbox delivered to data/outbox/, and a summary of what happened.
import { copyFileSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.ts';
import { createApp, closeApp } from '../app/context.ts';
import { createLogger } from '../shared/log.ts';
import { FolderSource } from '../intake/sources/folder-source.ts';
import { makePrivateDir } from '../shared/private-files.ts';
import { FolderTransport } from '../outbound/transports/folder-transport.ts';
import { drainSource, deliverOutbox } from '../app/daemon.ts';
import { importPaymentsFile } from '../app/import-payments.ts';
import { randomBytes } from 'node:crypto';
import { UsersStore } from '../cases/users-store.ts';
import { hashPassword } from '../web/passwords.ts';
import { describeOcrModels, ocrModels } from '../extract/ocr/tessdata.ts';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const MARKER = '.conken-demo';

export async function runDemo(config: Config, options: { force: boolean; out: NodeJS.WritableStream }): Promise<number> {
  const say = (line = '') => options.out.write(`${line}\n`);
  const dataDir = path.dirname(config.database.path);
  const marker = path.join(dataDir, MARKER);
  if (existsSync(config.database.path) && !existsSync(marker) && !options.force) {
    say(`${config.database.path} already holds data that the demo did not make; not touching it.`);
    say('Run `npm run demo -- --force` to reset it, or point CONKEN_DB_PATH and the folders elsewhere.');
    return 1;
  }
  for (const p of [config.database.path, `${config.database.path}-wal`, `${config.database.path}-shm`]) rmSync(p, { force: true });
  for (const dir of [config.inbox.dir, config.store.dir, config.outbox.dir]) rmSync(dir, { recursive: true, force: true });
  makePrivateDir(dataDir);
  writeFileSync(marker, 'This data folder was made by `conken demo`; the demo may reset it.\n');

  const mails = readdirSync(path.join(SAMPLES, 'mails')).filter((f) => f.endsWith('.eml')).sort();
  makePrivateDir(config.inbox.dir);
  for (const f of mails) copyFileSync(path.join(SAMPLES, 'mails', f), path.join(config.inbox.dir, f));
  say(`== 1. ${mails.length} sample mails dropped into ${path.relative(process.cwd(), config.inbox.dir) || config.inbox.dir}/`);
  // Scans are read with whatever models this machine has (Debian's where installed, else npm's only).
  say(`   OCR models: ${ocrModels().available ? describeOcrModels() : `missing (${describeOcrModels()}): scans stay with staff`}`);

  const app = createApp(config, createLogger('warn'));
  try {
    const outcomes = await drainSource(app, new FolderSource(config.inbox.dir, config.inbox.processedDir));
    say('== 2. The daemon read them:');
    for (const o of outcomes) {
      const cases = o.cases.map((c) => `${c.number} ${c.status}${c.findings.length ? ` [${[...new Set(c.findings.map((f) => f.code))].join(', ')}]` : ''}`).join('; ');
      say(`   ${(o.ref ?? '').padEnd(38)} ${o.classification.padEnd(11)} ${cases || (o.note ?? '')}`);
    }

    const statement = path.join(SAMPLES, 'statements', 'payments.csv');
    const imported = importPaymentsFile(app, statement, 'demo');
    say(`== 3. Finance uploads ${path.relative(process.cwd(), statement)}: ${imported.rows} credits, ${imported.new} new`);
    for (const m of imported.matched) say(`   payment ${m.payment} matched ${m.case} → ${m.status}`);
    say(`   ${imported.unmatched} payment(s) left for finance to look at`);

    const sent = await deliverOutbox(app, new FolderTransport(config.outbox.dir));
    say(`== 4. ${sent.sent} notices written to ${path.relative(process.cwd(), config.outbox.dir) || config.outbox.dir}/`);
    const counts = new Map<string, number>();
    for (const c of app.cases.listCases()) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
    say('== Summary');
    say(`   cases: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}`);
    const review = app.cases.listCases('ready-for-review');
    for (const c of review) {
      const mail = app.outbox.outboxForCase(c.id).find((o) => o.kind === 'review-request');
      if (mail) say(`   routed to the reviewer: ${c.number} → ${path.relative(process.cwd(), path.join(config.outbox.dir, `${mail.rfc_message_id.split('@')[0]}.eml`))}`);
    }
    say('   Look at the notices in data/outbox/, the cases with `npx conken cases` and `npx conken case <number>`.');
    // The workbench: a staff user for this demo's own data only, with a password made for this run.
    const password = randomBytes(12).toString('base64url');
    new UsersStore(app.db).add('demo', 'staff', await hashPassword(password));
    const host = config.web.host.includes(':') ? `[${config.web.host}]` : config.web.host;
    say('== The workbench (the exceptions with their evidence)');
    say(`   Run \`npm start\` (or \`npx conken web\` for the pages alone) and open ${config.web.publicUrl || `http://${host}:${config.web.port}/`}`);
    say(`   Log in as demo / ${password} (a staff user made for this demo's data only; the next demo run replaces it).`);
    say('   Your own users: `npx conken users add <login> --role admin` (the password is read from standard input).');
    return 0;
  } finally {
    closeApp(app);
  }
}
