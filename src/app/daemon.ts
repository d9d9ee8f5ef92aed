// The daemon: drains the mail source in order, delivers the outbox, and runs scheduled jobs, until
// asked to stop; then it finishes the mail in hand and stops cleanly. One bad mail never stops it.
import cron from 'node-cron';
import type { App } from './context.ts';
import type { MailSource } from '../intake/sources/mail-source.ts';
import type { Transport } from '../outbound/transports/transport.ts';
import { processMail, type MailOutcome } from './process-mail.ts';
import { deliverDue } from '../outbound/sender.ts';
import { transaction } from '../cases/db.ts';
import { runMatching } from './import-payments.ts';
import { sendPaymentReminders } from './payment-reminders.ts';

export interface Daemon {
  stop(): Promise<void>;
  /** Resolves when the daemon has stopped. */
  done: Promise<void>;
}

/** Processes every waiting mail once. A mail that cannot be committed stays in the source for the next round. */
export async function drainSource(app: App, source: MailSource, shouldStop: () => boolean = () => false): Promise<MailOutcome[]> {
  const outcomes: MailOutcome[] = [];
  for (const mail of await source.pending()) {
    if (shouldStop()) break;
    try {
      const outcome = await processMail(app, source.name, mail);
      await source.done(mail, outcome.ignored ? 'ignored' : 'processed');
      outcomes.push(outcome);
    } catch (error) {
      app.log.error({ ref: mail.ref, err: (error as Error).message }, 'mail not committed; it stays in the inbox and is retried');
    }
  }
  return outcomes;
}

export function deliverOutbox(app: App, transport: Transport): Promise<{ sent: number; failed: number }> {
  return deliverDue(app.cases, transport, (p) => app.files.get(p), app.config.sender, app.log);
}

export function startDaemon(app: App, source: MailSource, transport: Transport): Daemon {
  let stopping = false;
  let wake: (() => void) | null = null;
  const sleep = (seconds: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, seconds * 1000);
    wake = () => { clearTimeout(timer); resolve(); };
  });

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
    while (!stopping) {
      try {
        await drainSource(app, source, () => stopping);
        await deliverOutbox(app, transport);
      } catch (error) {
        app.log.error({ err: (error as Error).message }, 'daemon round failed; continuing');
      }
      if (!stopping) await sleep(Math.min(app.config.inbox.pollSeconds, app.config.sender.intervalSeconds));
    }
    await rematch.stop();
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
