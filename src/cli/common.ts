// What the commands share: the app for one command, printing, embedded delivery, the staff's and finance's
// refusals. Light on purpose: main.ts imports this at start, so every library is loaded here only inside the
// function that needs it (`conken --help` and `conken status` must not pay for mail, PDF or OCR libraries).
import type { Config } from '../config/config.ts';
import type { Logger } from '../shared/log.ts';
import type { App } from '../app/context.ts';
import type { StaffActionResult } from '../app/staff-actions.ts';

export async function setup(options: { json?: boolean }): Promise<{ config: Config; log: Logger }> {
  const { loadConfig } = await import('../config/config.ts');
  const { createLogger, silentLogger } = await import('../shared/log.ts');
  const config = loadConfig();
  const log = options.json ? silentLogger() : createLogger(config.log.level);
  return { config, log };
}

export async function withApp<T>(options: { json?: boolean; readOnly?: boolean }, fn: (app: App) => Promise<T> | T): Promise<T> {
  const { config, log } = await setup(options);
  const { createApp, closeApp } = await import('../app/context.ts');
  const app = createApp(config, log, { readOnly: !!options.readOnly });
  return Promise.resolve().then(() => fn(app)).finally(() => closeApp(app));
}

/**
 * One-off commands write the outbox folder at once in the embedded mode. With SMTP configured they
 * leave delivery to the daemon's sender loop, so two processes never send the same notice.
 */
export async function deliverIfEmbedded(app: App): Promise<void> {
  if (app.config.smtp.host) return;
  const { deliverOutbox } = await import('../app/daemon.ts');
  const { FolderTransport } = await import('../outbound/transports/folder-transport.ts');
  await deliverOutbox(app, new FolderTransport(app.config.outbox.dir));
}

export function print(json: boolean | undefined, data: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);
}

/** A refusal said in Japanese: on stderr (and as {error} with --json), exit code 2. */
export function refuse(json: boolean | undefined, message: string): void {
  if (json) process.stdout.write(`${JSON.stringify({ error: message }, null, 2)}\n`);
  process.stderr.write(`${message}\n`);
  process.exitCode = 2;
}

/**
 * Runs a command's work; an error of one of the given kinds (the app's own refusals, loaded by `kinds` only
 * when one is thrown) is said in Japanese with exit code 2, anything else is a failure.
 */
export async function refusing(json: boolean | undefined, kinds: () => Promise<readonly (abstract new (...args: never[]) => Error)[]>, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (!(await kinds()).some((k) => error instanceof k)) throw error;
    refuse(json, (error as Error).message);
  }
}

export const financeUser = () => process.env.CONKEN_USER ?? process.env.USER ?? 'finance';
export const staffUser = () => `staff:${process.env.CONKEN_USER ?? process.env.USER ?? 'staff'}`;
export const caseNumberArg = (n: string) => n.normalize('NFKC').trim().toUpperCase();

/** Finance's errors: a rejected file or a link that cannot be made, said in Japanese, exit code 2. */
export async function financeAction(json: boolean | undefined, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    const { PaymentActionError, StatementError } = await import('../app/import-payments.ts');
    if (!(error instanceof StatementError) && !(error instanceof PaymentActionError)) throw error;
    refuse(json, error.message);
  }
}

/** A staff action's result or its refusal (exit code 2), as the confirm command prints them. */
export async function staffAction(options: { json?: boolean }, act: (app: App) => StaffActionResult | string | Promise<StaffActionResult | string>): Promise<void> {
  const { StaffActionError } = await import('../app/staff-actions.ts');
  await withApp(options, async (app) => {
    try {
      const r = await act(app);
      await deliverIfEmbedded(app);
      print(options.json, typeof r === 'string' ? { ok: true } : r, () => (typeof r === 'string' ? r : `${r.case}: ${r.previous} → ${r.status}${r.notices.length ? `（通知: ${r.notices.join(', ')}）` : ''}`));
    } catch (error) {
      if (!(error instanceof StaffActionError)) throw error;
      refuse(options.json, error.message);
    }
  });
}

/**
 * A command's handler, loaded when the command runs: `load` imports the module that holds it (and with it the
 * libraries only that command needs), `name` is its export. Commander calls the result with the command's
 * arguments, options and the command itself.
 */
export function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const handler = (await load())[name] as unknown as (...a: unknown[]) => unknown;
    await handler(...args);
  };
}
