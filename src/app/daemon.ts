// The daemon: drains the mail source in order, delivers the outbox, and runs scheduled jobs, until
// asked to stop; then it finishes the mail in hand and stops cleanly. One bad mail never stops it.
import cron from 'node-cron';
import type { App } from './context.ts';
import type { Disposition, MailSource } from '../intake/sources/mail-source.ts';
import type { Transport } from '../outbound/transports/transport.ts';
import { processMail, type MailOutcome } from './process-mail.ts';
import { deliverDue } from '../outbound/sender.ts';
import { mailOfOutboxRow } from './deferred-notices.ts';
import { transaction } from '../cases/db.ts';
import { moveCasesOn, runMatching } from './payment-matching.ts';
import { writeStatus } from './daemon-status.ts';
import { sendPaymentReminders } from './payment-reminders.ts';

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

/** Processes every waiting mail once. A mail that cannot be committed stays in the source for the next round. */
export async function drainSource(app: App, source: MailSource, shouldStop: () => boolean = () => false): Promise<MailOutcome[]> {
  const outcomes: MailOutcome[] = [];
  for (const mail of await source.pending()) {
    if (shouldStop()) break;
    let outcome: MailOutcome;
    try {
      outcome = await processMail(app, source.name, mail);
    } catch (error) {
      app.log.error({ ref: mail.ref, err: (error as Error).message }, 'mail not committed; it stays in the inbox and is retried');
      continue;
    }
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
  return deliverDue(app.cases, transport, (p) => app.files.get(p), app.config.sender, app.log, new Date(), shouldStop, (row) => mailOfOutboxRow(app, row));
}

/** The poll as a node-cron schedule (seconds field): every n seconds below a minute, else every n/60 minutes. */
export function pollSchedule(seconds: number): string {
  if (seconds < 60) return `*/${seconds} * * * * *`;
  return `0 */${Math.min(59, Math.max(1, Math.round(seconds / 60)))} * * * *`;
}

export interface DaemonOptions {
  /** How often the source is read when nothing wakes the daemon (default: the inbox folder's interval). */
  pollSeconds?: number;
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

  // Cases a statement import left queued to move on (it died between its two transactions): moved now.
  try {
    const moved = transaction(app.db, () => moveCasesOn(app));
    if (moved.statusOf.size) app.log.info({ cases: [...moved.numberOf.values()] }, 'moved on the cases an interrupted statement import left queued');
  } catch (error) {
    app.log.error({ err: (error as Error).message }, 'moving on queued cases failed; the scheduled re-matching retries');
  }

  // Scheduled re-matching (SPEC §6): payments and applications may have changed in ways no event saw.
  const rematch = cron.schedule('17 * * * *', () => {
    try {
      const run = transaction(app.db, () => runMatching(app));
      if (run.matched.length) app.log.info({ matched: run.matched.map((m) => m.case) }, 'scheduled re-matching linked payments');
    } catch (error) {
      app.log.error({ err: (error as Error).message }, 'scheduled re-matching failed');
    }
  });

  // Payment reminders (SPEC §6): cases waiting for their fee longer than configured, once per interval.
  const reminders = cron.schedule(app.config.payments.reminderCron, () => {
    try {
      sendPaymentReminders(app);
    } catch (error) {
      app.log.error({ err: (error as Error).message }, 'payment reminders failed');
    }
  }, { timezone: 'Asia/Tokyo' });

  const loop = async () => {
    app.log.info({ source: source.name, transport: transport.name }, 'daemon started');
    let busy = false;
    while (!stopping) {
      let lastError: string | null = null;
      try {
        // Read the source when woken (IDLE, a reconnect timer, the poll) or while a backlog drains.
        const readSource: boolean = woken || busy;
        woken = false;
        const outcomes: MailOutcome[] = readSource ? await drainSource(app, source, () => stopping) : [];
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
    await rematch.stop();
    await poll.stop();
    await source.close?.().catch(() => undefined);
    await transport.close?.().catch(() => undefined);
    reportStatus('stopped');
    await reminders.stop();
    app.log.info('daemon stopped');
  };
  const done = loop();
  return {
    done,
    async stop() {
      stopping = true;
      wake?.();
      await done;
    },
  };
}
