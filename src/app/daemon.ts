// The daemon: drains the mail source in order, delivers the outbox, and runs scheduled jobs, until
// asked to stop; then it finishes the mail in hand and stops cleanly. One bad mail never stops it:
// every mail's attempt is recorded before it is processed, each attempt is bounded in time, and a mail
// that failed, hung or took the process down daemon.maxAttempts times is quarantined (src/app/poison-mail.ts).
import cron from 'node-cron';
import type { App } from './context.ts';
import type { Disposition, MailSource } from '../intake/sources/mail-source.ts';
import type { Transport } from '../outbound/transports/transport.ts';
import { processMail, type MailOutcome } from './process-mail.ts';
import { deliverDue } from '../outbound/sender.ts';
import { mailOfOutboxRow } from './deferred-notices.ts';
import { transaction } from '../cases/db.ts';
import { moveCasesOn } from './payment-matching.ts';
import { catchUp, startJobs } from './jobs/job-runner.ts';
import { JOBS } from './jobs/index.ts';
import { writeStatus } from './daemon-status.ts';
import { sha256 } from '../intake/content-store.ts';
import { DIED_WHILE_PROCESSING, IntakeAttempts, type AttemptRecord } from '../cases/intake-attempts.ts';
import { injectedFault, quarantineMail } from './poison-mail.ts';
import { startWatchdog, type Watchdog } from './daemon-watchdog.ts';
import { ocrModels } from '../extract/ocr/tessdata.ts';
import { checkCertificateLayout } from '../outbound/certificate-layout.ts';

export interface Daemon {
  stop(): Promise<void>;
  /** Resolves when the daemon has stopped. */
  done: Promise<void>;
}

/**
 * Unrelated and automatic mail is left untouched in the mailbox (SPEC §2); everything else is filed.
 * A copy read again (a crash before filing, a second delivery) is filed as its first copy was.
 */
export function dispositionOf(outcome: MailOutcome): Disposition {
  const classification = outcome.classification === 'duplicate' ? outcome.firstSeenAs : outcome.classification;
  return classification === 'ignored' || classification === 'automatic' ? 'ignored' : 'processed';
}

class MailTimeout extends Error {}

/** The mail's processing, or a MailTimeout after ms. The processing itself cannot be cancelled: see drainSource. */
function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new MailTimeout(`timeout: no result after ${Math.round(ms / 1000)} s`)), ms); });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** A mail that failed before (or that the last process died on) waits behind the mails never tried. */
function triedBefore(record: AttemptRecord | undefined): number {
  return record && (record.state === 'failed' || record.state === 'processing') ? record.attempts : 0;
}

export interface DrainOptions {
  /** Told when a mail is taken in hand and when it is done (the daemon's watchdog). */
  watchdog?: Pick<Watchdog, 'enter' | 'leave'>;
}

/**
 * Processes every waiting mail once. Each attempt is committed before the mail is processed (a process that
 * dies on it still counts it) and bounded by daemon.mailTimeoutSeconds. A mail that fails stays in the source
 * and is retried in a later round, after the mails never tried; once it has failed daemon.maxAttempts times it
 * is quarantined (a staff exception, filed aside) and no longer holds anything up.
 */
export async function drainSource(app: App, source: MailSource, shouldStop: () => boolean = () => false, options: DrainOptions = {}): Promise<MailOutcome[]> {
  const outcomes: MailOutcome[] = [];
  const attempts = new IntakeAttempts(app.db);
  const { maxAttempts, mailTimeoutSeconds } = app.config.daemon;
  const mails = (await source.pending()).map((mail, index) => {
    const hash = sha256(mail.raw);
    return { mail, index, hash, record: attempts.get(source.name, hash) };
  });
  mails.sort((a, b) => triedBefore(a.record) - triedBefore(b.record) || a.index - b.index);
  for (const { mail, hash, record } of mails) {
    if (shouldStop()) break;
    if (record && (record.state === 'quarantined' || (record.state !== 'done' && record.attempts >= maxAttempts))) {
      try {
        outcomes.push(await quarantineMail(app, source, mail, record.state === 'processing' ? attempts.failed(source.name, hash, DIED_WHILE_PROCESSING)! : record));
      } catch (error) {
        app.log.error({ ref: mail.ref, err: (error as Error).message }, 'mail could not be quarantined; it stays in the inbox and is tried again');
      }
      continue;
    }
    const attempt = attempts.begin(source.name, mail.ref, hash);
    let outcome: MailOutcome;
    const deadline = Date.now() + mailTimeoutSeconds * 1000;
    options.watchdog?.enter(deadline);
    const work = injectedFault(mail.raw).then(() => processMail(app, source.name, mail));
    try {
      outcome = await bounded(work, mailTimeoutSeconds * 1000);
    } catch (error) {
      // Over the time bound the processing is abandoned, not stopped (JavaScript cannot stop it); the file
      // readers have their own limits, and should it still commit, its record is the mail's (same key), so
      // a later attempt or the quarantine finds it already done.
      work.catch(() => undefined);
      options.watchdog?.leave();
      const reason = error instanceof MailTimeout ? error.message : `error: ${(error as Error).message}`;
      const failed = attempts.failed(source.name, hash, reason);
      app.log.error({ ref: mail.ref, attempt, maxAttempts, err: reason }, attempt < maxAttempts ? 'mail not committed; it stays in the inbox and is retried after the others' : 'mail not committed and out of attempts; quarantining it');
      if (failed && attempt >= maxAttempts) {
        try {
          outcomes.push(await quarantineMail(app, source, mail, failed));
        } catch (quarantineError) {
          app.log.error({ ref: mail.ref, err: (quarantineError as Error).message }, 'mail could not be quarantined; it stays in the inbox and is tried again');
        }
      }
      continue;
    }
    options.watchdog?.leave();
    attempts.succeeded(source.name, hash);
    outcomes.push(outcome);
    try {
      await source.done(mail, dispositionOf(outcome));
    } catch (error) {
      app.log.warn({ ref: mail.ref, err: (error as Error).message }, 'mail committed but not filed; it is recognised and filed when read again');
    }
  }
  return outcomes;
}

export function deliverOutbox(app: App, transport: Transport, shouldStop?: () => boolean): Promise<{ sent: number; failed: number }> {
  return deliverDue(app.outbox, transport, (p) => app.files.get(p), app.config.sender, app.log, new Date(), shouldStop, (row) => mailOfOutboxRow(app, row));
}

/** The poll as a node-cron schedule (seconds field): every n seconds below a minute, else every n/60 minutes. */
export function pollSchedule(seconds: number): string {
  if (seconds < 60) return `*/${seconds} * * * * *`;
  return `0 */${Math.min(59, Math.max(1, Math.round(seconds / 60)))} * * * *`;
}

export interface DaemonOptions {
  /** How often the source is read when nothing wakes the daemon (default: the inbox folder's interval). */
  pollSeconds?: number;
  /** The memory and hang watchdog thread (default on; it ends the whole process, so not for in-process tests). */
  watchdog?: boolean;
}

export function startDaemon(app: App, source: MailSource, transport: Transport, options: DaemonOptions = {}): Daemon {
  let stopping = false;
  // The first round reads the source at once: catch-up of everything that arrived while we were down.
  let woken = true;
  let wake: (() => void) | null = null;
  const sleep = (seconds: number) => new Promise<void>((resolve) => {
    if (woken || stopping) return resolve();
    const timer = setTimeout(resolve, seconds * 1000);
    wake = () => { clearTimeout(timer); resolve(); };
  });
  const poke = () => {
    woken = true;
    wake?.();
  };
  source.watch?.(poke);
  const pollSeconds = options.pollSeconds ?? app.config.inbox.pollSeconds;
  // Polling, the fallback when the source cannot tell us (a folder; IMAP without IDLE, or IDLE gone quiet).
  const poll = cron.schedule(pollSchedule(pollSeconds), poke);
  const startedAt = new Date().toISOString();
  const reportStatus = (state: string, lastError: string | null = null) => {
    try {
      writeStatus(app.db, 'daemon', { state, lastError, lastErrorAt: lastError ? new Date().toISOString() : null, detail: { pid: process.pid, startedAt, source: source.name, transport: transport.name } });
      if (source.health) writeStatus(app.db, 'source', source.health());
      if (transport.health) writeStatus(app.db, 'transport', transport.health());
    } catch (error) {
      app.log.warn({ err: (error as Error).message }, 'could not record the daemon status');
    }
  };

  // Mails the previous process was processing when it died (a crash, out of memory, the watchdog): each
  // counts as a failed attempt, with the reason the watchdog left, and waits behind the mails never tried.
  try {
    for (const r of new IntakeAttempts(app.db).recoverInterrupted()) {
      app.log.warn({ ref: r.ref, attempts: r.attempts, reason: r.reasons[r.reasons.length - 1] }, 'the previous run ended while processing this mail; counted as a failed attempt');
    }
  } catch (error) {
    app.log.error({ err: (error as Error).message }, 'could not read the interrupted attempts');
  }
  // Memory (the 1.5 GiB bound) and hangs that block the event loop: see src/app/daemon-watchdog.ts.
  const watchdog = options.watchdog === false || app.config.database.path === ':memory:'
    ? undefined
    : startWatchdog({ dbPath: app.config.database.path, memoryLimitMb: app.config.daemon.memoryLimitMb });

  // Cases a statement import left queued to move on (it died between its two transactions): moved now.
  try {
    const moved = transaction(app.db, () => moveCasesOn(app));
    if (moved.statusOf.size) app.log.info({ cases: [...moved.numberOf.values()] }, 'moved on the cases an interrupted statement import left queued');
  } catch (error) {
    app.log.error({ err: (error as Error).message }, 'moving on queued cases failed; the scheduled re-matching retries');
  }

  // The office's calendar (SPEC §6, src/app/jobs/): re-matching, payment reminders, the staff's digest, each
  // period run once (recorded before it starts); the periods the daemon was down for run now.
  const jobs = startJobs(app, JOBS);
  void catchUp(app, JOBS).catch((error: unknown) => app.log.error({ err: (error as Error).message }, 'catching up on scheduled jobs failed'));

  // The certificate's layout (mail-templates/certificate.yaml), checked at start rather than at the first
  // approval. A broken one does not stop the daemon: intake, acknowledgements, missing-item notices and
  // payments do not depend on it, and stopping would leave every applicant unanswered over one staff edit;
  // the review part refuses instead (the workbench's review pages, and each approval) until it is fixed.
  const certificate = checkCertificateLayout(app.config.templatesDir);
  if (!certificate.ok) app.log.error({ file: certificate.file, problem: certificate.problem }, certificate.message);

  const loop = async () => {
    app.log.info({ source: source.name, transport: transport.name }, 'daemon started');
    app.log.info({ ocr: ocrModels() }, 'OCR models'); // once at start: which models scans are read with here
    let busy = false;
    while (!stopping) {
      let lastError: string | null = null;
      try {
        // Read the source when woken (IDLE, a reconnect timer, the poll) or while a backlog drains.
        const readSource: boolean = woken || busy;
        woken = false;
        const outcomes: MailOutcome[] = readSource ? await drainSource(app, source, () => stopping, { watchdog }) : [];
        const delivered = stopping ? { sent: 0, failed: 0 } : await deliverOutbox(app, transport, () => stopping);
        busy = outcomes.length > 0 || delivered.sent > 0;
      } catch (error) {
        lastError = (error as Error).message;
        busy = false;
        app.log.error({ err: lastError }, 'daemon round failed; continuing');
      }
      reportStatus(stopping ? 'stopping' : 'running', lastError);
      if (!stopping && !busy) await sleep(Math.min(pollSeconds, app.config.sender.intervalSeconds));
    }
    await jobs.stop();
    await poll.stop();
    await source.close?.().catch(() => undefined);
    await transport.close?.().catch(() => undefined);
    await watchdog?.stop();
    reportStatus('stopped');
    app.log.info('daemon stopped');
  };
  // Under the supervisor (bin/conken.js start), connected to it by IPC: if it is gone, stop as on SIGTERM
  // (the mail in hand finished); when stopping, tell it, so it does not relay a signal we got ourselves.
  const supervised = typeof process.send === 'function' && process.env.CONKEN_SUPERVISED === '1';
  if (supervised) {
    process.channel?.unref();
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  }
  const done = loop();
  return {
    done,
    async stop() {
      if (supervised && process.connected && !stopping) process.send!({ conken: 'stopping' });
      stopping = true;
      wake?.();
      await done;
    },
  };
}
