// `conken process`: one mail through the whole pipeline, or (with --dry-run) many, one line each.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/config.ts';
import { createLogger, silentLogger } from '../../shared/log.ts';
import { createApp, closeApp, type App } from '../../app/context.ts';
import { analyseMail, commitAnalysis, previewAnalysis, type MailOutcome } from '../../app/process-mail.ts';
import { findingJson, findingLines } from '../format.ts';
import { deliverIfEmbedded, print } from '../common.ts';

function outcomeJson(o: MailOutcome) {
  return {
    classification: o.classification,
    ignored: o.ignored,
    note: o.note,
    cases: o.cases.map((c) => ({ number: c.number, kind: c.kind, status: c.status, findings: c.findings.map(findingJson), notices: c.notices, application: c.application })),
  };
}

function outcomeText(o: MailOutcome): string {
  const head = `${o.ref ?? ''}: ${o.classification}${o.note ? ` (${o.note})` : ''}`;
  return [head, ...o.cases.flatMap((c) => [`  ${c.number ?? '(new case)'} ${c.kind} → ${c.status}${c.notices.length ? `  notices: ${c.notices.join(', ')}` : ''}`, ...findingLines(c.findings)])].join('\n');
}

export async function processMails(args: string[], options: { dryRun?: boolean; json?: boolean; logLevel?: string }): Promise<void> {
  const batch = args.length > 1 || args.some((a) => existsSync(a) && statSync(a).isDirectory());
  if (batch && !options.dryRun) {
    // One mail at a time for real: each commit delivers and is checked before the next is taken.
    process.stderr.write('several files or a folder only with --dry-run\n');
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const log = options.logLevel ? createLogger(options.logLevel) : options.json ? silentLogger() : createLogger(config.log.level);
  const app = createApp(config, log, { readOnly: !!options.dryRun });
  try {
    if (batch) return await dryRunMany(app, mailFiles(args), !!options.json);
    const file = args[0]!;
    const raw = readFileSync(file);
    const analysis = await analyseMail(app, 'cli', { ref: path.basename(file), raw, receivedAt: null });
    if (options.dryRun) {
      const o = previewAnalysis(analysis);
      print(options.json, outcomeJson(o), () => `[dry run] ${outcomeText(o)}`);
      return;
    }
    const o = commitAnalysis(app, analysis);
    await deliverIfEmbedded(app);
    print(options.json, outcomeJson(o), () => outcomeText(o));
  } finally {
    closeApp(app);
  }
}

/** The files named, a folder standing for its files (not its subfolders) in name order. */
function mailFiles(args: string[]): string[] {
  return args.flatMap((a) => statSync(a).isDirectory()
    ? readdirSync(a, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(a, e.name)).sort()
    : [a]);
}

/**
 * Dry-runs many mails in one process (a test corpus costs one Node start, not hundreds). Each mail's line is
 * written as soon as it is decided, so a caller that times out knows the mail in hand: the first without a
 * line. A mail that throws gets an error line and the next is taken; the exit code is then 1.
 */
async function dryRunMany(app: App, files: string[], json: boolean): Promise<void> {
  for (const file of files) {
    const started = performance.now();
    try {
      const o = previewAnalysis(await analyseMail(app, 'cli', { ref: path.basename(file), raw: readFileSync(file), receivedAt: null }));
      const ms = Math.round(performance.now() - started);
      // The record the daemon writes for a mail (process-mail.ts), so a corpus run shows what the logs would hold.
      app.log.info({ ref: path.basename(file), classification: o.classification, cases: o.cases.map((c) => `${c.number ?? 'new'}:${c.status}`), findings: o.cases.flatMap((c) => c.findings.map((f) => f.code)), ms }, 'mail analysed (dry run)');
      process.stdout.write(json ? `${JSON.stringify({ file, ms, ...outcomeJson(o) })}\n` : `[dry run] ${file} (${ms} ms) ${outcomeText(o)}\n`);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      const ms = Math.round(performance.now() - started);
      app.log.error({ ref: path.basename(file), err: e.message }, 'mail analysis failed (dry run)');
      process.stdout.write(json ? `${JSON.stringify({ file, ms, error: `${e.name}: ${e.message}`, stack: e.stack?.split('\n').slice(1, 6).map((l) => l.trim()) })}\n` : `[dry run] ${file}: failed: ${e.name}: ${e.message}\n`);
      process.exitCode = 1;
    }
  }
}
