// Benchmark: the real mailbox path end to end. A throwaway Dovecot and an SMTP sink (smtp-server) are
// started, the real daemon (`conken start`) connects and idles, then N mails with .docx forms are
// APPENDed as an MTA would deliver them. Measured: mails per minute from the first APPEND to the last
// reply received by the sink, and per mail the latency from its APPEND to its last reply (p50, p95).
// Target: ≥ 300 mails/min.
//   npm run bench:imap        (or: node bench/imap-throughput.bench.ts [mails])
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { buildMail } from '../scripts/lib/mail-builder.ts';
import { dataEnv, tempDir } from '../test/support/harness.ts';
import { appendMails, listMailbox, startDovecot, withImap } from '../test/support/dovecot.ts';
import { startSmtpSink } from '../test/support/smtp-sink.ts';
import { killAllDaemons, startDaemonProcess, waitFor } from '../test/support/daemon-process.ts';
import { machineDescription } from './lib/machine.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const count = Number(process.argv[2] ?? 500);
const forms = ['renewal-complete.docx', 'renewal-missing-fields.docx', 'renewal-variants.docx', 'renewal-caps-exceeded.docx', 'renewal-out-of-period.docx']
  .map((f) => readFileSync(path.join(ROOT, 'samples', 'forms', f)));
const proof = readFileSync(path.join(ROOT, 'samples', 'forms', 'proof-certificate.pdf'));

const dovecot = await startDovecot();
const sink = await startSmtpSink();
const dir = tempDir('conken-bench-imap-');
const folder = 'INBOX';
const env = {
  ...dataEnv(dir), ...dovecot.env(), ...sink.env(),
  CONKEN_IMAP_MAILBOX: folder, CONKEN_IMAP_PROCESSED_FOLDER: 'Processed', CONKEN_IMAP_POLL_SECONDS: '60',
  CONKEN_SENDER_INTERVAL_SECONDS: '1', CONKEN_LOG_LEVEL: 'warn',
};

const mails: { id: string; raw: Buffer }[] = [];
for (let i = 0; i < count; i++) {
  const id = `bench-imap-${i}@example.jp`;
  mails.push({
    id,
    raw: await buildMail({
      from: `applicant${i}@example.jp`, subject: '【更新申請】プロフェッショナル更新申請書添付_260120', date: new Date('2026-01-20T10:00:00+09:00'),
      messageId: id, text: '更新申請書を送ります。', attachments: [{ filename: '更新申請書.docx', content: forms[i % forms.length]! }, { filename: '受講証明書.pdf', content: proof }],
    }),
  });
}

const daemon = startDaemonProcess(env);
// Whatever happens, leave no daemon or Dovecot behind.
const cleanUp = async () => {
  await killAllDaemons();
  await sink.close();
  await dovecot.destroy();
  rmSync(dir, { recursive: true, force: true });
};
process.on('uncaughtException', (error) => { console.error(error); void cleanUp().finally(() => process.exit(1)); });
process.on('unhandledRejection', (error) => { console.error(error); void cleanUp().finally(() => process.exit(1)); });
const statusOf = () => {
  try {
    const db = new DatabaseSync(path.join(dir, 'conken.db'), { readOnly: true });
    try {
      return db.prepare("SELECT state FROM daemon_status WHERE component = 'source'").get() as { state: string } | undefined;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
};
await waitFor(() => statusOf()?.state === 'connected', 'the daemon to connect', 30_000);
await new Promise((r) => setTimeout(r, 1500)); // let it settle into IDLE

// Deliver as an MTA would: one APPEND per mail, as fast as the server takes them.
const appendedAt = new Map<string, number>();
const t0 = Date.now();
await withImap(dovecot, async (client) => {
  for (const m of mails) {
    await client.append(folder, m.raw, [], new Date('2026-01-20T10:00:00+09:00'));
    appendedAt.set(m.id, Date.now());
  }
});
const appendDone = Date.now();

const pendingOutbox = () => {
  const db = new DatabaseSync(path.join(dir, 'conken.db'), { readOnly: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'").get() as { n: number }).n;
  } finally {
    db.close();
  }
};
const casesMade = () => {
  const db = new DatabaseSync(path.join(dir, 'conken.db'), { readOnly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM cases').get() as { n: number }).n;
  } finally {
    db.close();
  }
};
await waitFor(() => casesMade() === count, 'every mail to become a case', 30 * 60_000, 500);
await waitFor(() => pendingOutbox() === 0, 'the outbox to drain', 10 * 60_000, 200);
await daemon.stop('SIGTERM');

// Per mail: its last reply (the replies are threaded: In-Reply-To is the applicant's Message-ID).
const lastReply = new Map<string, number>();
for (const r of sink.received) if (r.inReplyTo) lastReply.set(r.inReplyTo, Math.max(lastReply.get(r.inReplyTo) ?? 0, r.at));
const latencies = mails.map((m) => {
  const at = lastReply.get(m.id);
  if (!at) throw new Error(`no reply for ${m.id}`);
  return at - appendedAt.get(m.id)!;
}).sort((a, b) => a - b);
const end = Math.max(...lastReply.values());
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
const filed = (await listMailbox(dovecot, 'Processed')).length;
const left = (await listMailbox(dovecot, folder)).length;

await cleanUp();

console.log(JSON.stringify({
  benchmark: 'IMAP APPEND → daemon (IDLE, .docx form read, case committed, moved) → SMTP replies received',
  date: new Date().toISOString().slice(0, 10),
  machine: machineDescription(),
  node: process.version,
  mails: count,
  replies: sink.received.length,
  appendSeconds: +((appendDone - t0) / 1000).toFixed(1),
  totalSeconds: +((end - t0) / 1000).toFixed(1),
  mailsPerMinute: Math.round(count / ((end - t0) / 60_000)),
  p50LatencySeconds: +(q(0.5) / 1000).toFixed(1),
  p95LatencySeconds: +(q(0.95) / 1000).toFixed(1),
  maxLatencySeconds: +(latencies.at(-1)! / 1000).toFixed(1),
  filedInProcessed: filed,
  leftInInbox: left,
}, null, 2));
