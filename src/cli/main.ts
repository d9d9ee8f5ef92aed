#!/usr/bin/env node
// conken: the command line. Every command calls stage entry points; none does work of its own.
import { Command, Option } from 'commander';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config/config.ts';
import { createLogger, silentLogger, type Logger } from '../shared/log.ts';
import { createApp, closeApp, type App } from '../app/context.ts';
import { shutdownOcr } from '../extract/ocr/ocr-engine.ts';
import { extractScannedForm, NotAScannedFormError } from '../extract/extract-scan.ts';
import { loadRules } from '../app/load-rules.ts';
import { FolderTransport } from '../outbound/transports/folder-transport.ts';
import { createSource, createTransport, pollSecondsFor } from '../app/channels.ts';
import { statusReport } from '../app/daemon-status.ts';
import { analyseMail, commitAnalysis, previewAnalysis, type MailOutcome } from '../app/process-mail.ts';
import { startDaemon, deliverOutbox } from '../app/daemon.ts';
import { importStatement } from '../app/import-statement-file.ts';
import { linkPayment, PaymentActionError, StatementError, unlinkPayment, unmatchedPayments } from '../app/import-payments.ts';
import { extractFile } from '../extract/extract-file.ts';
import { formKind } from '../kinds/index.ts';
import { caseLine, findingJson, findingLines } from './format.ts';
import { runDemo } from './demo.ts';
import { confirmField, ConfirmError } from '../app/confirm-field.ts';
import { addCaseNote, handleFinding, resendNotice, StaffActionError, type StaffActionResult } from '../app/staff-actions.ts';
import { dismissMail, triageAsCase, triageAsReply, TriageError } from '../app/mail-triage.ts';
import { AuditLog } from '../cases/audit-log.ts';
import { fieldSources, type ApplicationBase } from '../extract/forms/form-kind.ts';
import { CASE_STATUSES } from '../cases/status.ts';
import { registerWorkbenchCommands, serveWorkbench } from '../web/cli.ts';
import { registerReviewCommands } from './review-commands.ts';

function setup(options: { json?: boolean }): { config: Config; log: Logger } {
  const config = loadConfig();
  const log = options.json ? silentLogger() : createLogger(config.log.level);
  return { config, log };
}

function withApp<T>(options: { json?: boolean; readOnly?: boolean }, fn: (app: App) => Promise<T>): Promise<T> {
  const { config, log } = setup(options);
  const app = createApp(config, log, { readOnly: !!options.readOnly });
  return fn(app).finally(() => closeApp(app));
}

/**
 * One-off commands write the outbox folder at once in the embedded mode. With SMTP configured they
 * leave delivery to the daemon's sender loop, so two processes never send the same notice.
 */
async function deliverIfEmbedded(app: App): Promise<void> {
  if (!app.config.smtp.host) await deliverOutbox(app, new FolderTransport(app.config.outbox.dir));
}

function print(json: boolean | undefined, data: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);
}

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

const program = new Command();
program.name('conken').description('コン検 intake: mail in, forms read, rules checked, fees matched, notices out.').showHelpAfterError();

program.command('start').description('run the daemon: watch the inbox, process mail, deliver the outbox (what npm start runs)').action(async () => {
  const { config, log } = setup({});
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
});

program.command('demo').description('the embedded demo: sample mails and payments through the whole path, with a summary')
  .option('--force', 'reset data/ even if it holds cases that the demo did not make')
  .action(async (options: { force?: boolean }) => {
    const config = loadConfig();
    process.exitCode = await runDemo(config, { force: !!options.force, out: process.stdout });
  });

program.command('process').description('process one .eml file through the whole pipeline; with --dry-run, several files or folders (one JSON line per mail with --json)')
  .argument('<files...>', 'one .eml file; with --dry-run also several files and folders (their files, in name order)')
  .option('--dry-run', 'write nothing; print what would happen').option('--json', 'machine-readable output')
  .option('--log-level <level>', 'write the structured logs to stderr at this level, with --json too (to check what the logs hold)')
  .action(async (args: string[], options: { dryRun?: boolean; json?: boolean; logLevel?: string }) => {
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
  });

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

program.command('extract').description('read a form (.docx, PDF, or scans/photos: several image files are the pages of one form, in order) and print its fields with where each came from')
  .argument('<files...>')
  .option('--json', 'machine-readable output')
  .action(async (files: string[], options: { json?: boolean }) => {
    const file = files[0]!;
    const verdict = files.length === 1 ? await extractFile(readFileSync(file), path.basename(file)) : null;
    if (!verdict || (verdict.role === 'document' && (verdict.type === 'pdf' || verdict.type === 'jpeg' || verdict.type === 'png' || verdict.type === 'tiff'))) {
      // A scan or photos: read by OCR, every value with its confidence; those below the threshold listed.
      const config = loadConfig();
      const minConfidence = loadRules(config.rulesDir).intake.ocr.minConfidence;
      try {
        const scanned = await extractScannedForm(files.map((f) => ({ bytes: readFileSync(f), name: path.basename(f) })), minConfidence);
        const out = { ...(scanned.application as unknown as Record<string, unknown>), ocr: { minConfidence, unconfirmed: scanned.unconfirmed.map(({ crop: _crop, ...u }) => u) } };
        print(options.json, out, () => [`${files.join(' + ')}: ${scanned.kind} form (OCR)`, ...Object.entries(scanned.application).filter(([k, v]) => !['sources', 'invalid', 'kind'].includes(k) && (v === null || typeof v !== 'object')).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}${scanned.application.sources[k] ? ` (${Math.round(scanned.application.sources[k]!.confidence * 100)}%)` : ''}`), ...scanned.unconfirmed.map((u) => `  ? ${u.field}: "${u.text.slice(0, 40)}" ${u.confidence}% — 要確認`)].join('\n'));
      } catch (error) {
        if (!(error instanceof NotAScannedFormError)) throw error;
        print(options.json, { files: files.map((f) => path.basename(f)), role: 'document', error: error.message }, () => `${files.join(' + ')}: not an application form: ${error.message}`);
        process.exitCode = 3;
      }
      return;
    }
    if (verdict.role !== 'form') {
      const reason = 'reason' in verdict ? verdict.reason : verdict.note;
      print(options.json, { file: path.basename(file), type: verdict.type, role: verdict.role, error: reason }, () => `${file}: not an application form (${verdict.type}, ${verdict.role}): ${reason}`);
      process.exitCode = 3;
      return;
    }
    const app = verdict.application as unknown as Record<string, unknown>;
    print(options.json, app, () => {
      const sources = app.sources as Record<string, { text: string; location: string }>;
      const lines = [`${file}: ${verdict.kind} form`];
      for (const [k, v] of Object.entries(app)) {
        if (k === 'sources' || k === 'invalid' || k === 'kind') continue;
        const rowText = formKind(verdict.kind)?.rowLists[k];
        if (Array.isArray(v) && rowText) {
          lines.push(`  ${k}: ${v.length} rows`);
          for (const r of v as Record<string, unknown>[]) lines.push(`    ${rowText(r)}`);
          continue;
        }
        const src = sources[k];
        lines.push(`  ${k}: ${JSON.stringify(v)}${src ? `   ← "${src.text.replace(/\s+/g, ' ').trim().slice(0, 60)}" (${src.location})` : ''}`);
      }
      const invalid = app.invalid as Record<string, string>;
      for (const [k, reason] of Object.entries(invalid)) lines.push(`  ! ${k}: ${reason}`);
      return lines.join('\n');
    });
  });

program.command('cases').description('list cases').addOption(new Option('--status <status>', 'only cases in this state').choices([...CASE_STATUSES]))
  .option('--json', 'machine-readable output')
  .action(async (options: { status?: string; json?: boolean }) => {
    await withApp(options, async (app) => {
      const rows = app.cases.listCases(options.status);
      print(options.json, rows.map((c) => ({ number: c.number, kind: c.kind, status: c.status, receivedAt: c.received_at, updatedAt: c.updated_at, findings: app.cases.currentFindings(c.id).map(findingJson) })),
        () => rows.length ? rows.map(caseLine).join('\n') : '(no cases)');
    });
  });

program.command('case').description('show one case: fields, findings, attachments, payments, notices, history').argument('<number>')
  .option('--json', 'machine-readable output')
  .action(async (number: string, options: { json?: boolean }) => {
    await withApp(options, async (app) => {
      const c = app.cases.caseByNumber(number.normalize('NFKC').trim().toUpperCase());
      if (!c) {
        process.stderr.write(`no case ${number}\n`);
        process.exitCode = 1;
        return;
      }
      const findings = app.cases.currentFindings(c.id);
      const detail = {
        number: c.number, kind: c.kind, status: c.status, receivedAt: c.received_at,
        application: c.application_json ? JSON.parse(c.application_json) : null,
        computed: c.computed_json ? JSON.parse(c.computed_json) : null,
        findings: findings.map(findingJson),
        // Where to look for each value OCR could not confirm: the cell's crop in the content store.
        unconfirmed: findings.filter((f) => f.code === 'field.unconfirmed' && f.field).map((f) => {
          const source = c.application_json ? fieldSources(JSON.parse(c.application_json) as ApplicationBase).get(f.field!) : undefined;
          return { field: f.field!, location: source?.location ?? '', crop: source?.crop ? path.join(app.config.store.dir, source.crop) : null };
        }),
        attachments: app.cases.caseAttachments(c.id).map((a) => ({ filename: a.filename, type: a.detected_type, role: a.role, size: a.size, note: a.note })),
        payments: app.payments.paymentsForCase(c.id).map((p) => ({ id: p.id, paidOn: p.paid_on, amount: p.amount, linkedAmount: p.link_amount, transferName: p.transfer_name, matchedBy: p.linked_by })),
        notices: app.outbox.outboxForCase(c.id).map((o) => ({ kind: o.kind, to: o.audience, status: o.status, messageId: o.rfc_message_id, sentAt: o.sent_at })),
        events: app.cases.events(c.id).map((e) => ({ at: e.at, actor: e.actor, type: e.type, data: e.data_json ? JSON.parse(e.data_json) : null })),
      };
      print(options.json, detail, () => [
        caseLine(c),
        'findings:', ...(findings.length ? findingLines(findings) : ['    (none)']),
        ...(detail.unconfirmed.length ? ['unconfirmed (OCR; conken confirm <number> <field> [value]):', ...detail.unconfirmed.map((u) => `    ${u.field}: ${u.location}${u.crop ? `  切り抜き ${u.crop}` : ''}`)] : []),
        'attachments:', ...detail.attachments.map((a) => `    ${a.filename} (${a.type}, ${a.role})${a.note ? ` ${a.note}` : ''}`),
        'payments:', ...(detail.payments.length ? detail.payments.map((p) => `    ${p.paidOn} ${p.amount} ${p.transferName} (${p.matchedBy})`) : ['    (none)']),
        'notices:', ...detail.notices.map((n) => `    ${n.kind} → ${n.to} [${n.status}] <${n.messageId}>`),
        'history:', ...detail.events.map((e) => `    ${e.at} ${e.actor} ${e.type}`),
      ].join('\n'));
    });
  });

const payments = program.command('payments').description('bank statements and fee matching (finance)');
const financeUser = () => process.env.CONKEN_USER ?? process.env.USER ?? 'finance';
/** Finance's errors: a rejected file or a link that cannot be made, said in Japanese, exit code 2. */
async function financeAction(json: boolean | undefined, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof StatementError) && !(error instanceof PaymentActionError)) throw error;
    if (json) process.stdout.write(`${JSON.stringify({ error: error.message }, null, 2)}\n`);
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  }
}

payments.command('import').description('import a bank statement (Zengin 振込入金通知/入出金取引明細, MUFG or Rakuten CSV, a CSV mapped in rules/statements.yaml, or date,amount,transfer_name) and match it')
  .argument('<file>')
  .addOption(new Option('--era <era>', 'Zengin YYMMDD dates: decide from the dates (auto), or force 和暦 / 西暦').choices(['auto', 'wareki', 'seireki']).default('auto'))
  .option('--json', 'machine-readable output')
  .action(async (file: string, options: { json?: boolean; era: 'auto' | 'wareki' | 'seireki' }) => {
    await withApp(options, async (app) => financeAction(options.json, async () => {
      let result;
      try {
        result = await importStatement(app, readFileSync(file), path.basename(file), `finance:${financeUser()}`, { era: options.era });
      } catch (error) {
        if (error instanceof StatementError) throw new StatementError(`${path.basename(file)}: 取り込みませんでした（1件も登録していません）: ${error.message}`);
        throw error;
      }
      await deliverIfEmbedded(app);
      const r = result;
      print(options.json, r, () => [
        `${r.file} (${r.format}, ${r.encoding ?? '-'}): 入金 ${r.rows}件（出金など対象外 ${r.debits}件）`,
        `  新規 ${r.new}件 / 取込済み（重複） ${r.duplicate}件 / 自動消込 ${r.matched.length}件 / 要確認 ${r.needsAttention}件`,
        ...r.matched.map((m) => `  入金ID ${m.payment} → ${m.case}（${m.status}）`),
        `  未消込の入金（全体）: ${r.unmatched}件 — \`conken payments unmatched\` で確認できます`,
      ].join('\n'));
    }));
  });

payments.command('unmatched').description('payments not linked to a case, with the finding and the ranked candidates')
  .option('--json', 'machine-readable output')
  .action(async (options: { json?: boolean }) => {
    await withApp(options, async (app) => {
      const list = unmatchedPayments(app);
      print(options.json, list, () => list.length === 0 ? '未消込の入金はありません' : list.map((p) => [
        `入金ID ${p.id}  ${p.paidOn}  ${p.amount.toLocaleString('ja-JP')}円  ${p.transferName}  [${p.code ?? '候補なし'}]${p.reason ? ` ${p.reason}` : ''}`,
        ...p.candidates.map((c, i) => `    ${i + 1}. ${c.case} (${c.status}) score ${c.score.toFixed(2)}: ${c.reason}`),
      ].join('\n')).join('\n'));
    });
  });

payments.command('link').description('link a payment to a case by hand (a bulk transfer: once per case with --amount)')
  .argument('<payment>', 'payment id').argument('<case>', 'case number')
  .option('--amount <yen>', 'the part of the payment that pays this case', (v) => Number(v))
  .option('--accept', 'accept a short amount (e.g. bank fee deducted) as the full fee')
  .option('--json', 'machine-readable output')
  .action(async (payment: string, caseNumber: string, options: { amount?: number; accept?: boolean; json?: boolean }) => {
    await withApp(options, async (app) => financeAction(options.json, async () => {
      const r = linkPayment(app, Number(payment), caseNumber.normalize('NFKC').trim().toUpperCase(), financeUser(), { ...(options.amount !== undefined ? { amount: options.amount } : {}), accept: !!options.accept });
      await deliverIfEmbedded(app);
      print(options.json, r, () => `入金ID ${r.payment} を ${r.case} に紐付けました（${r.amount.toLocaleString('ja-JP')}円）→ ${r.status}`);
    }));
  });

payments.command('unlink').description('undo a link; the payment is not linked automatically again')
  .argument('<payment>', 'payment id').argument('[case]', 'case number (default: every case it is linked to)')
  .option('--json', 'machine-readable output')
  .action(async (payment: string, caseNumber: string | undefined, options: { json?: boolean }) => {
    await withApp(options, async (app) => financeAction(options.json, async () => {
      const r = unlinkPayment(app, Number(payment), caseNumber ? caseNumber.normalize('NFKC').trim().toUpperCase() : null, financeUser());
      await deliverIfEmbedded(app);
      print(options.json, r, () => r.cases.map((c) => `入金ID ${r.payment} の紐付けを ${c.case} から外しました → ${c.status}`).join('\n'));
    }));
  });

payments.command('escalate').description('hand one candidate case of a payment under review (入金確認中) to staff with a note: the case becomes a staff exception')
  .argument('<payment>', 'payment id').argument('<case>', 'case number')
  .requiredOption('--note <text>', 'what staff should check (the message of their finding)')
  .option('--json', 'machine-readable output')
  .action(async (payment: string, caseNumber: string, options: { note: string; json?: boolean }) => {
    await withApp(options, async (app) => financeAction(options.json, async () => {
      const { escalatePayment } = await import('../app/finance-actions.ts');
      const r = escalatePayment(app, Number(payment), caseNumber.normalize('NFKC').trim().toUpperCase(), options.note, financeUser());
      await deliverIfEmbedded(app);
      print(options.json, r, () => `${r.case} の確認を事務局に依頼しました（入金ID ${r.payment}）→ ${r.status}`);
    }));
  });

program.command('confirm').description('staff: confirm a value OCR could not read with confidence (finding field.unconfirmed), as read or corrected; the case is evaluated again')
  .argument('<number>', 'case number').argument('<field>', 'the field as the finding names it, e.g. name, certifier.name, experience[2].period')
  .argument('[value]', 'the value as written on the scan (default: the value read is right)')
  .option('--json', 'machine-readable output')
  .action(async (number: string, field: string, value: string | undefined, options: { json?: boolean }) => {
    await withApp(options, async (app) => {
      try {
        const r = confirmField(app, number.normalize('NFKC').trim().toUpperCase(), field, value, `staff:${process.env.CONKEN_USER ?? process.env.USER ?? 'staff'}`);
        await deliverIfEmbedded(app);
        print(options.json, r, () => [`${r.case} ${r.field} = ${JSON.stringify(r.value)} を確定しました → ${r.status}`, ...(r.unconfirmedLeft.length ? [`  未確認の項目: ${r.unconfirmedLeft.join(', ')}`] : [])].join('\n'));
      } catch (error) {
        if (!(error instanceof ConfirmError)) throw error;
        if (options.json) process.stdout.write(`${JSON.stringify({ error: error.message }, null, 2)}\n`);
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 2;
      }
    });
  });

const staffUser = () => `staff:${process.env.CONKEN_USER ?? process.env.USER ?? 'staff'}`;
const caseNumberArg = (n: string) => n.normalize('NFKC').trim().toUpperCase();

/** A staff action's result or its refusal (exit code 2), as the confirm command prints them. */
async function staffAction(options: { json?: boolean }, act: (app: App) => StaffActionResult | string): Promise<void> {
  await withApp(options, async (app) => {
    try {
      const r = act(app);
      await deliverIfEmbedded(app);
      print(options.json, typeof r === 'string' ? { ok: true } : r, () => (typeof r === 'string' ? r : `${r.case}: ${r.previous} → ${r.status}${r.notices.length ? `（通知: ${r.notices.join(', ')}）` : ''}`));
    } catch (error) {
      if (!(error instanceof StaffActionError)) throw error;
      if (options.json) process.stdout.write(`${JSON.stringify({ error: error.message }, null, 2)}\n`);
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    }
  });
}

const finding = program.command('finding').description('staff: decide on a finding of a case');
finding.command('handle').description('mark a staff finding handled with the reason (e.g. a late application accepted); the case moves on and it stays handled')
  .argument('<number>', 'case number').argument('<code>', 'the finding code, e.g. window.outside').argument('<reason>', 'why (kept in the history)')
  .option('--field <field>', 'the field the finding names, when it names one').option('--json', 'machine-readable output')
  .action((number: string, code: string, reason: string, options: { field?: string; json?: boolean }) =>
    staffAction(options, (app) => handleFinding(app, caseNumberArg(number), code, options.field ?? null, reason, staffUser())));

program.command('resend').description('staff: send a notice of a case again (acknowledgement, missing-items, awaiting-payment, accepted, review-request, payment-reminder)')
  .argument('<number>', 'case number').argument('<notice>', 'the notice').option('--json', 'machine-readable output')
  .action((number: string, notice: string, options: { json?: boolean }) => staffAction(options, (app) => resendNotice(app, caseNumberArg(number), notice, staffUser())));

program.command('note').description('staff: add a note to a case\'s history').argument('<number>', 'case number').argument('<text>', 'the note')
  .option('--json', 'machine-readable output')
  .action((number: string, text: string, options: { json?: boolean }) => staffAction(options, (app) => {
    addCaseNote(app, caseNumberArg(number), text, staffUser());
    return `${caseNumberArg(number)} にメモを残しました`;
  }));

program.command('triage').description('staff: decide on a mail that became no case of its own (the workbench\'s mail tab): make it a case of a kind, attach it to a case as the applicant\'s reply, or dismiss it')
  .argument('<message>', 'the mail: its Message-ID (with or without <>) or its number in the database')
  .argument('<action>', 'case <kind> | attach <case-number> | dismiss <reason>')
  .argument('<what>', 'the kind (renewal, certification), the case number, or the reason')
  .option('--json', 'machine-readable output')
  .action(async (message: string, action: string, what: string, options: { json?: boolean }) => {
    await withApp(options, async (app) => {
      const actor = staffUser();
      try {
        let text: string;
        let data: unknown;
        if (action === 'case' || action === 'attach') {
          const o = action === 'case' ? await triageAsCase(app, message, what, actor) : await triageAsReply(app, message, what, actor);
          data = o;
          text = o.cases.map((c) => `${c.number}: ${c.kind} → ${c.status}${c.notices.length ? `（通知: ${c.notices.join(', ')}）` : ''}`).join('\n');
          new AuditLog(app.db).record({ login: actor, action: action === 'case' ? 'mail.triage.case' : 'mail.triage.attach', caseNumber: o.cases[0]?.number ?? null, target: message, address: 'cli' });
        } else if (action === 'dismiss') {
          const r = dismissMail(app, message, what, actor);
          data = r;
          text = `メールを対応不要として閉じました${r.held ? `（保留していた ${r.held} も対応済み）` : ''}`;
          new AuditLog(app.db).record({ login: actor, action: 'mail.triage.dismiss', caseNumber: r.held, target: message, address: 'cli' });
        } else {
          throw new TriageError(`操作 ${action} はありません（case, attach, dismiss）`);
        }
        await deliverIfEmbedded(app);
        print(options.json, data, () => text);
      } catch (error) {
        if (!(error instanceof TriageError)) throw error;
        if (options.json) process.stdout.write(`${JSON.stringify({ error: error.message }, null, 2)}\n`);
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 2;
      }
    });
  });

const jobs = program.command('jobs').description('the office\'s calendar: scheduled jobs, their last and next run')
  .option('--json', 'machine-readable output')
  .action(async (options: { json?: boolean }) => {
    await withApp(options, async (app) => {
      const { jobStatuses } = await import('../app/jobs/job-runner.ts');
      const { JOBS } = await import('../app/jobs/index.ts');
      const list = jobStatuses(app, JOBS);
      print(options.json, list, () => list.map((j) => [
        `${j.name}  (${j.schedule}, Asia/Tokyo)  ${j.description}`,
        `  last: ${j.last ? `${j.last.period} ${j.last.state}${j.last.summary ? `: ${j.last.summary}` : ''}${j.last.error ? `: ${j.last.error}` : ''}` : '(never)'}`,
        `  next: ${j.next ?? '(never)'}`,
      ].join('\n')).join('\n'));
    });
  });
jobs.command('run').description('run one job now, for its latest period (or --period YYYY-MM-DDTHH:MM, Tokyo time); a period that ran is not run again')
  .argument('<job>', 'the job (see conken jobs)').option('--period <period>', 'the occurrence to run for').option('--dry-run', 'say what it would do, change nothing')
  .option('--json', 'machine-readable output')
  .action(async (name: string, options: { period?: string; dryRun?: boolean; json?: boolean }) => {
    // (--json after the job's name lands on the parent command: read it from there too)
    options.json ||= !!jobs.opts().json;
    await withApp({ json: options.json }, async (app) => {
      const { runJobByHand, JobRequestError } = await import('../app/jobs/run-job.ts');
      // The same entry point as the workbench's jobs page: job, period and the run's record are chosen there.
      const r = await runJobByHand(app, name, { period: options.period, dryRun: !!options.dryRun }).catch((error: unknown) => {
        if (!(error instanceof JobRequestError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 2;
        return null;
      });
      if (!r) return;
      if (!options.dryRun) await deliverIfEmbedded(app);
      print(options.json, r, () => (r.ran ? `${r.job} ${r.period}: ${r.error ? `失敗: ${r.error}` : r.result!.summary}` : `${r.job} ${r.period}: 実行済みのため実行しません`));
      if (r.error) process.exitCode = 1;
    });
  });

program.command('send').description('deliver the outbox now (the daemon does this continuously)').action(async () => {
  await withApp({}, async (app) => {
    if (app.config.smtp.host && statusReport(app).running) {
      // Two senders could both pick the same notice; the running daemon delivers it anyway.
      process.stderr.write('the daemon is running and delivers the outbox itself; nothing sent\n');
      process.exitCode = 2;
      return;
    }
    const transport = createTransport(app);
    const r = await deliverOutbox(app, transport).finally(() => transport.close?.());
    process.stdout.write(`sent ${r.sent}, failed ${r.failed}\n`);
  });
});

program.command('status').description('the daemon: running or not, mailbox and SMTP connection state, backlog, last error')
  .option('--json', 'machine-readable output')
  .action(async (options: { json?: boolean }) => {
    await withApp({ ...options, readOnly: true }, async (app) => {
      const r = statusReport(app);
      const daemon = r.components.find((c) => c.component === 'daemon');
      print(options.json, r, () => [
        `daemon: ${r.running ? 'running' : 'not running'}${r.pid !== null ? ` (pid ${r.pid})` : ''}${daemon ? `, last report ${daemon.updatedAt}` : ''}`,
        ...r.components.filter((c) => c.component !== 'daemon').map((c) => `${c.component}: ${c.state}${c.backlog !== undefined ? `, backlog ${c.backlog}` : ''}${c.detail && Object.keys(c.detail).length ? ` ${JSON.stringify(c.detail)}` : ''}${c.lastError ? `\n  last error ${c.lastErrorAt}: ${c.lastError}` : ''}`),
        `outbox: ${r.outbox.pending} pending (${r.outbox.retrying} retrying), ${r.outbox.sent} sent, ${r.outbox.suppressed} suppressed`,
      ].join('\n'));
      if (!r.running) process.exitCode = 3;
    });
  });

registerWorkbenchCommands(program);
registerReviewCommands(program);

program.parseAsync().catch((error: Error) => {
  process.stderr.write(`conken: ${error.message}\n`);
  process.exitCode = 1;
}).finally(() => shutdownOcr()); // OCR workers are threads: a command that used them ends only once they do

program.command('audit').description('the annual CPD audit: draw <year> [--seed S] | verify <year> | list <year> (conken audit --help)')
  .helpOption(false).allowUnknownOption().allowExcessArguments().argument('[args...]')
  .action(async (args: string[]) => (await import('./audit-commands.ts')).runAuditCommand(args.length ? args : ['--help']));
