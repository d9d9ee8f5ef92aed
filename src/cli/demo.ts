// The embedded demo: the sample register of holders imported, the sample mails dropped into the inbox, the
// daemon's work done once (every renewal checked against the register), the sample bank statement imported,
// finance linking the one payment it could not decide, a reviewer approving one renewal and one
// certification (their mails with the certificate PDFs in data/outbox/), the register as `conken registry
// export` gives it, and how to open the workbench.
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
import { importPaymentsFile, linkPayment, unmatchedPayments } from '../app/import-payments.ts';
import { importRegister, listHolders, registerCheckOf } from '../app/register.ts';
import { HOLDER_STATUSES } from '../cases/register-store.ts';
import { reviewCase } from '../app/review.ts';
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
    // The association's existing holders first, as an office would load them once: renewals are checked against them.
    const registry = path.join(SAMPLES, 'registry.csv');
    const loaded = importRegister(app, registry);
    say(`   The register of holders: ${path.relative(process.cwd(), registry)} imported (${loaded.added} holders; \`npx conken registry import <file.csv>\`)`);
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

    // The one payment the matcher could not decide (the same applicant's three mails): finance links it by hand.
    const ambiguous = unmatchedPayments(app).find((p) => p.code === 'payment.ambiguous' && p.candidates[0]?.case.startsWith('C-'));
    if (ambiguous) {
      const linked = linkPayment(app, ambiguous.id, ambiguous.candidates[0]!.case, 'finance:demo');
      say(`   finance links payment ${linked.payment} (${ambiguous.candidates.length} candidates) to ${linked.case} by hand → ${linked.status}`);
    }

    const sent = await deliverOutbox(app, new FolderTransport(config.outbox.dir));
    say(`== 4. ${sent.sent} notices written to ${path.relative(process.cwd(), config.outbox.dir) || config.outbox.dir}/`);

    // Every renewal against the sample register, as the reviewer's page shows it.
    say('== 5. Every renewal checked against the register (the reviewer sees it on the case page):');
    for (const c of app.cases.listCases().filter((x) => x.kind === 'renewal').sort((a, b) => a.number.localeCompare(b.number))) {
      const check = registerCheckOf(app, c);
      if (!check) continue;
      const what = check.outcome === 'matched' ? 'matches the register'
        : check.outcome === 'findings' ? `for staff/reviewer: ${check.findings.map((f) => f.code).join(', ') || 'not in the register'}`
          : check.outcome === 'no-number' ? 'no 認定番号 read (nothing to check)' : 'register empty (not checked)';
      say(`   ${c.number} ${check.certificationNumber ?? '-'.padEnd(13)}  ${what}`);
    }

    // A reviewer decides: one renewal and one certification approved, each with its certificate.
    const reviewerPassword = randomBytes(12).toString('base64url');
    new UsersStore(app.db).add('demo-reviewer', 'reviewer', await hashPassword(reviewerPassword));
    say('== 6. The reviewer (demo-reviewer) approves one renewal and one certification:');
    const ready = app.cases.listCases('ready-for-review');
    const approvedCases: string[] = [];
    const numbers: string[] = [];
    for (const kind of ['renewal', 'certification']) {
      const c = ready.find((x) => x.kind === kind);
      if (!c) {
        say(`   no ${kind} is ready for review`);
        continue;
      }
      let r = await reviewCase(app, c.number, { action: 'approve', reviewer: 'reviewer:demo-reviewer', address: 'demo' });
      // With four eyes (rules/review.yaml requireSecondApproval) a second reviewer confirms.
      if (r.awaitingSecondApproval) r = await reviewCase(app, c.number, { action: 'approve', reviewer: 'admin:demo', address: 'demo' });
      say(`   ${c.number} (${kind}) → ${r.status}: 認定番号 ${r.certificationNumber}, valid ${r.validFrom}〜${r.validTo}`);
      approvedCases.push(c.number);
      if (r.certificationNumber) numbers.push(r.certificationNumber);
    }
    const results = await deliverOutbox(app, new FolderTransport(config.outbox.dir));
    say(`   ${results.sent} mails written to the outbox; the approval mails with their certificates:`);
    for (const number of approvedCases) {
      const c = app.cases.caseByNumber(number)!;
      const mail = app.outbox.outboxForCase(c.id).find((o) => o.kind === 'review-approved');
      if (!mail) continue;
      const attached = (JSON.parse(mail.mail_json) as { attachments?: { filename: string }[] }).attachments?.map((a) => a.filename).join(', ') ?? '';
      say(`   ${number} → ${path.relative(process.cwd(), path.join(config.outbox.dir, `${mail.rfc_message_id.split('@')[0]}.eml`))} with ${attached}`);
    }

    // The register after the decisions (names left out here: `npx conken registry export` prints them).
    say('== 7. `npx conken registry export` shows the holders (CSV for Excel); the ones just decided:');
    const holders = listHolders(app, { limit: 1_000_000 });
    for (const h of holders.filter((x) => numbers.includes(x.certification_number))) {
      say(`   ${h.certification_number}  ${h.qualification}  ${h.valid_from}〜${h.valid_to}  ${h.status}`);
    }
    say(`   (${holders.length} holders in all: ${HOLDER_STATUSES.map((st) => `${holders.filter((x) => x.status === st).length} ${st}`).join(', ')})`);
    const counts = new Map<string, number>();
    for (const c of app.cases.listCases()) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
    say('== Summary');
    say(`   cases: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}`);
    // Every case that reached the reviewer (decided since, or still waiting).
    for (const c of app.cases.listCases()) {
      const mail = app.outbox.outboxForCase(c.id).find((o) => o.kind === 'review-request');
      if (mail) say(`   routed to the reviewer: ${c.number} → ${path.relative(process.cwd(), path.join(config.outbox.dir, `${mail.rfc_message_id.split('@')[0]}.eml`))}`);
    }
    say('   Look at the notices in data/outbox/, the cases with `npx conken cases` and `npx conken case <number>`,');
    say('   the register with `npx conken registry export` (or `npx conken registry list`).');
    // The workbench: a staff user for this demo's own data only, with a password made for this run.
    const password = randomBytes(12).toString('base64url');
    new UsersStore(app.db).add('demo', 'staff', await hashPassword(password));
    const host = config.web.host.includes(':') ? `[${config.web.host}]` : config.web.host;
    say('== The workbench (the exceptions with their evidence)');
    say(`   Run \`npm start\` (or \`npx conken web\` for the pages alone) and open ${config.web.publicUrl || `http://${host}:${config.web.port}/`}`);
    say(`   Log in as demo / ${password} (a staff user made for this demo's data only; the next demo run replaces it).`);
    say(`   The reviewer's pages (審査待ち, 認定者名簿): log in as demo-reviewer / ${reviewerPassword}`);
    say('   Your own users: `npx conken users add <login> --role admin` (the password is read from standard input).');
    return 0;
  } finally {
    closeApp(app);
  }
}
