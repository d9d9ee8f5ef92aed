#!/usr/bin/env node
// conken: the command line. Every command calls stage entry points; none does work of its own.
//
// This file is the command table: names, help text and, for each command, a loader that imports its handler
// when the command runs (`lazy(() => import('./commands/x.ts'), 'name')`, or an inline action that imports
// what it needs with `await import(...)`). Nothing heavy is imported at the top of this file or of
// ./common.ts: `conken --help` and `conken status` start without the OCR, PDF, image, mail or HTTP libraries
// (test/integration/cli-lazy.test.ts checks it; bench/cli-cold-start.ts times it). Adding a command is one
// entry here plus its handler.
import { Command, Option } from 'commander';
import { CASE_STATUSES } from '../cases/status.ts';
import { registerWorkbenchCommands } from '../web/cli.ts';
import { registerReviewCommands } from './review-commands.ts';
import { runShutdownHooks } from '../shared/shutdown-hooks.ts';
import { deliverIfEmbedded, financeAction, financeUser, lazy, print, withApp } from './common.ts';

const daemonCommands = () => import('./commands/daemon.ts');
const caseCommands = () => import('./commands/cases.ts');
const paymentCommands = () => import('./commands/payments.ts');
const staffCommands = () => import('./commands/staff.ts');

const program = new Command();
program.name('conken').description('コン検 intake: mail in, forms read, rules checked, fees matched, notices out.').showHelpAfterError();

program.command('start').description('run the daemon: watch the inbox, process mail, deliver the outbox (what npm start runs)')
  .action(lazy(daemonCommands, 'start'));

program.command('demo').description('the embedded demo: sample mails and payments through the whole path, with a summary')
  .option('--force', 'reset data/ even if it holds cases that the demo did not make')
  .action(async (options: { force?: boolean }) => {
    const { loadConfig } = await import('../config/config.ts');
    const { runDemo } = await import('./demo.ts');
    const config = loadConfig();
    process.exitCode = await runDemo(config, { force: !!options.force, out: process.stdout });
  });

program.command('process').description('process one .eml file through the whole pipeline; with --dry-run, several files or folders (one JSON line per mail with --json)')
  .argument('<files...>', 'one .eml file; with --dry-run also several files and folders (their files, in name order)')
  .option('--dry-run', 'write nothing; print what would happen').option('--json', 'machine-readable output')
  .option('--log-level <level>', 'write the structured logs to stderr at this level, with --json too (to check what the logs hold)')
  .action(lazy(() => import('./commands/process.ts'), 'processMails'));

program.command('extract').description('read a form (.docx, PDF, or scans/photos: several image files are the pages of one form, in order) and print its fields with where each came from')
  .argument('<files...>')
  .option('--json', 'machine-readable output')
  .action(lazy(() => import('./commands/extract.ts'), 'extract'));

program.command('cases').description('list cases').addOption(new Option('--status <status>', 'only cases in this state').choices([...CASE_STATUSES]))
  .option('--json', 'machine-readable output')
  .action(lazy(caseCommands, 'listCases'));

program.command('case').description('show one case: fields, findings, attachments, payments, notices, history').argument('<number>')
  .option('--json', 'machine-readable output')
  .action(lazy(caseCommands, 'showCase'));

const payments = program.command('payments').description('bank statements and fee matching (finance)');

payments.command('import').description('import a bank statement (Zengin 振込入金通知/入出金取引明細, MUFG or Rakuten CSV, a CSV mapped in rules/statements.yaml, or date,amount,transfer_name) and match it')
  .argument('<file>')
  .addOption(new Option('--era <era>', 'Zengin YYMMDD dates: decide from the dates (auto), or force 和暦 / 西暦').choices(['auto', 'wareki', 'seireki']).default('auto'))
  .option('--json', 'machine-readable output')
  .action(lazy(paymentCommands, 'importFile'));

payments.command('unmatched').description('payments not linked to a case, with the finding and the ranked candidates')
  .option('--json', 'machine-readable output')
  .action(lazy(paymentCommands, 'unmatched'));

payments.command('link').description('link a payment to a case by hand (a bulk transfer: once per case with --amount)')
  .argument('<payment>', 'payment id').argument('<case>', 'case number')
  .option('--amount <yen>', 'the part of the payment that pays this case', (v) => Number(v))
  .option('--accept', 'accept a short amount (e.g. bank fee deducted) as the full fee')
  .option('--json', 'machine-readable output')
  .action(lazy(paymentCommands, 'link'));

payments.command('unlink').description('undo a link; the payment is not linked automatically again')
  .argument('<payment>', 'payment id').argument('[case]', 'case number (default: every case it is linked to)')
  .option('--json', 'machine-readable output')
  .action(lazy(paymentCommands, 'unlink'));

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
  .action(lazy(staffCommands, 'confirm'));

const finding = program.command('finding').description('staff: decide on a finding of a case');
finding.command('handle').description('mark a staff finding handled with the reason (e.g. a late application accepted); the case moves on and it stays handled')
  .argument('<number>', 'case number').argument('<code>', 'the finding code, e.g. window.outside').argument('<reason>', 'why (kept in the history)')
  .option('--field <field>', 'the field the finding names, when it names one').option('--json', 'machine-readable output')
  .action(lazy(staffCommands, 'handle'));

program.command('resend').description('staff: send a notice of a case again (acknowledgement, missing-items, awaiting-payment, accepted, review-request, payment-reminder)')
  .argument('<number>', 'case number').argument('<notice>', 'the notice').option('--json', 'machine-readable output')
  .action(lazy(staffCommands, 'resend'));

program.command('note').description('staff: add a note to a case\'s history').argument('<number>', 'case number').argument('<text>', 'the note')
  .option('--json', 'machine-readable output')
  .action(lazy(staffCommands, 'note'));

program.command('triage').description('staff: decide on a mail that became no case of its own (the workbench\'s mail tab): make it a case of a kind, attach it to a case as the applicant\'s reply, or dismiss it')
  .argument('<message>', 'the mail: its Message-ID (with or without <>) or its number in the database')
  .argument('<action>', 'case <kind> | attach <case-number> | dismiss <reason>')
  .argument('<what>', 'the kind (renewal, certification), the case number, or the reason')
  .option('--json', 'machine-readable output')
  .action(lazy(staffCommands, 'triage'));

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

program.command('send').description('deliver the outbox now (the daemon does this continuously)')
  .action(lazy(daemonCommands, 'send'));

program.command('status').description('the daemon: running or not, mailbox and SMTP connection state, backlog, last error')
  .option('--json', 'machine-readable output')
  .action(lazy(daemonCommands, 'status'));

registerWorkbenchCommands(program);
registerReviewCommands(program);
program.command('audit').description('the annual CPD audit: draw <year> [--seed S] | verify <year> | list <year> | outcome <number> passed|failed|waived --reason R (conken audit --help)')
  .helpOption(false).allowUnknownOption().allowExcessArguments().argument('[args...]')
  .action(async (args: string[]) => (await import('./audit-commands.ts')).runAuditCommand(args.length ? args : ['--help']));
program.command('letters').description('letters to print for paper applicants without e-mail: list | pdf <id> [-o file] | posted <id> (conken letters --help)')
  .helpOption(false).allowUnknownOption().allowExcessArguments().argument('[args...]')
  .action(async (args: string[]) => (await import('./letters-commands.ts')).runLettersCommand(args.length ? args : ['--help']));
program.command('postal').description('a scanned paper application: postal <files…> --received YYYY-MM-DD [--kind renewal]; a posted reply: --case <number> (conken postal --help)')
  .helpOption(false).allowUnknownOption().allowExcessArguments().argument('[args...]')
  .action(async (args: string[]) => (await import('./letters-commands.ts')).runPostalCommand(args.length ? args : ['--help']));

program.parseAsync().catch((error: Error) => {
  process.stderr.write(`conken: ${error.message}\n`);
  process.exitCode = 1;
}).finally(() => runShutdownHooks()); // OCR workers are threads: a command that used them ends only once they do (ocr-engine.ts registers)

