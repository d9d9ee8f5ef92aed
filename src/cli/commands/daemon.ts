// `conken start` (the daemon and the workbench in one process), `conken send` and `conken status`.
import type { App } from '../../app/context.ts';
import { print, setup, withApp } from '../common.ts';

export async function start(): Promise<void> {
  const { createApp, closeApp } = await import('../../app/context.ts');
  const { serveWorkbench } = await import('../../web/cli.ts');
  const { startDaemon } = await import('../../app/daemon.ts');
  const { createSource, createTransport, pollSecondsFor } = await import('../../app/channels.ts');
  const { shutdownOcr } = await import('../../extract/ocr/ocr-engine.ts');
  const { config, log } = await setup({});
  const app = createApp(config, log);
  // The workbench in the same process, on its own connection (a page's writes never land inside a daemon
  // transaction), and first: a bind it may not use stops start-up before any mail is read.
  const webApp = createApp(config, log);
  const web = await serveWorkbench(webApp);
  const daemon = startDaemon(app, createSource(app), createTransport(app), { pollSeconds: pollSecondsFor(app) });
  let signals = 0;
  const stop = (signal: string) => {
    if (signals++ > 0) process.exit(1);
    log.info({ signal }, 'stopping after the current mail');
    void web.close().then(() => closeApp(webApp)).then(() => daemon.stop()).then(() => shutdownOcr()).then(() => { closeApp(app); process.exit(0); });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await daemon.done;
}

export async function send(): Promise<void> {
  await withApp({}, async (app: App) => {
    const { statusReport } = await import('../../app/daemon-status.ts');
    if (app.config.smtp.host && statusReport(app).running) {
      // Two senders could both pick the same notice; the running daemon delivers it anyway.
      process.stderr.write('the daemon is running and delivers the outbox itself; nothing sent\n');
      process.exitCode = 2;
      return;
    }
    const { createTransport } = await import('../../app/channels.ts');
    const { deliverOutbox } = await import('../../app/daemon.ts');
    const transport = createTransport(app);
    const r = await deliverOutbox(app, transport).finally(() => transport.close?.());
    process.stdout.write(`sent ${r.sent}, failed ${r.failed}\n`);
  });
}

/**
 * What the running daemon last reported, from the database alone: the configuration and a read-only
 * connection, not the whole app (no rules, templates or logger), so that monitoring that calls this every
 * minute starts at once. A broken rule file is the daemon's to report when it starts, not status's.
 */
export async function status(options: { json?: boolean }): Promise<void> {
  const { loadConfig } = await import('../../config/config.ts');
  const { openDatabase } = await import('../../cases/db.ts');
  const { OutboxStore } = await import('../../cases/outbox-store.ts');
  const { statusReport } = await import('../../app/daemon-status.ts');
  const config = loadConfig();
  const db = openDatabase(config.database.path, { readOnly: true });
  try {
    // The certificate layout as the daemon and workbench check it at start (broken: the review is closed).
    const certificateLayout = (await import('../../outbound/certificate-layout.ts')).checkCertificateLayout(config.templatesDir);
    const r = { ...statusReport({ db, outbox: new OutboxStore(db) }), certificateLayout };
    const daemon = r.components.find((c) => c.component === 'daemon');
    print(options.json, r, () => [
      `daemon: ${r.running ? 'running' : 'not running'}${r.pid !== null ? ` (pid ${r.pid})` : ''}${daemon ? `, last report ${daemon.updatedAt}` : ''}`,
      `certificate layout: ${certificateLayout.ok ? `ok (${certificateLayout.file}, font ${certificateLayout.font})` : `BROKEN — ${certificateLayout.message}`}`,
      ...r.components.filter((c) => c.component !== 'daemon').map((c) => `${c.component}: ${c.state}${c.backlog !== undefined ? `, backlog ${c.backlog}` : ''}${c.detail && Object.keys(c.detail).length ? ` ${JSON.stringify(c.detail)}` : ''}${c.lastError ? `\n  last error ${c.lastErrorAt}: ${c.lastError}` : ''}`),
      `outbox: ${r.outbox.pending} pending (${r.outbox.retrying} retrying), ${r.outbox.sent} sent, ${r.outbox.suppressed} suppressed`,
    ].join('\n'));
    if (!r.running) process.exitCode = 3;
  } finally {
    db.close();
  }
}
