// `conken letters list | pdf <id> [-o file] | posted <id>`: the letters waiting to be printed (the notices of a
// paper application without an e-mail address), one letter's printable PDF, and "posted" — the same entry points
// as the workbench's /letters pages (src/app/letters.ts). `conken postal <files…> --received D [--kind K | --case N]`:
// a scanned paper application, or the applicant's posted reply attached to their case, as the /postal page does
// (src/app/postal-intake.ts). Loaded only when one of these commands runs (src/cli/main.ts imports it on demand).
// Refusals exit 2 with the reason in Japanese.
import { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { caseNumberArg, deliverIfEmbedded, print, refusing as refusingKinds, staffUser, withApp } from './common.ts';
import { tokyoDate } from '../shared/calendar.ts';

/** The app's own refusals (an unknown letter, a bad upload) exit 2. */
const refusing = (json: boolean | undefined, fn: () => Promise<void>) => refusingKinds(json, async () => [(await import('../app/letters.ts')).LetterNotFound, (await import('../app/postal-intake.ts')).PostalError], fn);

const letterId = (id: string) => (/^\d+$/.test(id.trim()) ? Number(id.trim()) : Number.NaN);

function lettersProgram(): Command {
  const letters = new Command('letters').description('letters to print: the notices of paper applicants without an e-mail address').exitOverride();
  letters.command('list').description('the letters waiting to be printed, oldest first (id, case, notice, recipient)')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => withApp({ ...options, readOnly: true }, async (app) => {
      const { lettersToPrint } = await import('../app/letters.ts');
      const list = lettersToPrint(app);
      // Names and addresses go to the terminal of the staff member who prints them, never to a log.
      print(options.json, list, () => list.length === 0 ? '印刷待ちの郵便はありません。' : [
        `印刷待ちの郵便: ${list.length}件`,
        ...list.map((l) => `  ${l.id}  ${l.caseNumber}  ${l.kind}  ${l.recipient ? `${l.recipient.postalCode ? `〒${l.recipient.postalCode} ` : ''}${l.recipient.address} ${l.recipient.name} 様` : ''}`),
      ].join('\n'));
    }));
  letters.command('pdf').description('one letter as a printable PDF (the certificate it encloses follows it)')
    .argument('<id>', 'the letter\'s id (conken letters list)').option('-o, --output <file>', 'where to write it (default: <case>_<notice>_<id>.pdf here)').option('--json', 'machine-readable output')
    .action(async (id: string, options: { output?: string; json?: boolean }) => refusing(options.json, () => withApp({ ...options, readOnly: true }, async (app) => {
      const { letterCaseNumber, letterPdf } = await import('../app/letters.ts');
      const number = letterCaseNumber(app, letterId(id));
      const { pdf, filename } = await letterPdf(app, number, letterId(id));
      const file = path.resolve(options.output ?? filename);
      writeFileSync(file, pdf, { mode: 0o600 });
      print(options.json, { id: letterId(id), caseNumber: number, file, bytes: pdf.length }, () => `${number} の郵便 ${id} を ${file} に書き出しました。`);
    })));
  letters.command('posted').description('mark a printed letter as posted (on the case\'s history, through the case writer)')
    .argument('<id>', 'the letter\'s id').option('--json', 'machine-readable output')
    .action(async (id: string, options: { json?: boolean }) => refusing(options.json, () => withApp(options, async (app) => {
      const { letterCaseNumber, markLetterPosted } = await import('../app/letters.ts');
      const number = letterCaseNumber(app, letterId(id));
      const changed = markLetterPosted(app, number, letterId(id), staffUser());
      print(options.json, { id: letterId(id), caseNumber: number, changed }, () => changed ? `${number} の郵便 ${id} を郵送済みにしました。` : `${number} の郵便 ${id} は既に郵送済みです。`);
    })));
  return letters;
}

function postalProgram(): Command {
  return new Command('postal').description('a paper application scanned (PDF or images, in page order), or with --case the applicant\'s posted reply to that case')
    .exitOverride()
    .argument('<files...>', 'the scans').option('--received <date>', 'the day the post arrived (YYYY-MM-DD, default today)')
    .option('--kind <kind>', 'the application\'s kind (default renewal)', 'renewal').option('--case <number>', 'attach the scans to this case as the applicant\'s reply')
    .option('--json', 'machine-readable output')
    .action(async (files: string[], options: { received?: string; kind: string; case?: string; json?: boolean }) => refusing(options.json, () => withApp(options, async (app) => {
      const { receivePostal, receivePostalReply } = await import('../app/postal-intake.ts');
      const scans = files.map((f) => ({ filename: path.basename(f), content: readFileSync(f) }));
      const receivedOn = options.received ?? tokyoDate(new Date());
      const outcome = options.case
        ? await receivePostalReply(app, { caseNumber: caseNumberArg(options.case), receivedOn, files: scans }, staffUser())
        : await receivePostal(app, { kind: options.kind, receivedOn, files: scans }, staffUser());
      await deliverIfEmbedded(app);
      const c = outcome.cases[0];
      print(options.json, outcome, () => `${options.case ? '郵送の返信を追加しました' : '郵送の申請を登録しました'}: ${c?.number ?? ''}（${c?.status ?? ''}）`);
    })));
}

async function run(program: Command, args: readonly string[]): Promise<void> {
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (error) {
    // commander's own exits (help, a missing argument) have printed already.
    const code = (error as { exitCode?: number }).exitCode;
    if (code === undefined) throw error;
    process.exitCode = code;
  }
}

/** Runs `conken letters <args…>`. */
export const runLettersCommand = (args: readonly string[]) => run(lettersProgram(), args);
/** Runs `conken postal <args…>`. */
export const runPostalCommand = (args: readonly string[]) => run(postalProgram(), args);
