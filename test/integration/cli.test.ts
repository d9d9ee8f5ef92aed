// The real CLI as a newcomer and staff use it: spawned on Node 24 against temp data folders.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { dataEnv, mail, ROOT, SAMPLES, tempDir } from '../support/harness.ts';
import { conken, MAIN } from '../support/cli.ts';
import { simpleParser } from 'mailparser';

describe('conken CLI', () => {
  it('--help lists every command', async () => {
    const { stdout } = await conken(['--help'], {});
    for (const cmd of ['start', 'demo', 'process', 'extract', 'cases', 'case', 'payments', 'send']) expect(stdout).toMatch(new RegExp(`\\n\\s+${cmd}\\b`));
  });

  it('extract --json prints the field dictionary with normalised values and sources', async () => {
    const { stdout, code } = await conken(['extract', path.join(SAMPLES, 'forms', 'renewal-variants.docx'), '--json'], {});
    expect(code).toBe(0);
    const app = JSON.parse(stdout);
    expect(app).toMatchObject({ kind: 'renewal', applicationDate: '2026-01-20', qualification: 'CAP', ethicsAgreed: true, postalCode: '150-0002' });
    expect(app.cpd[0]).toMatchObject({ category: 'A', year: null, completedOn: '2023-07-01', hours: 6, points: 6 });
    expect(app.sources.applicationDate.text).toBe('令和８年１月２０日');
  });

  it('extract on a file that is not a form says so and exits non-zero', async () => {
    const { stdout, code } = await conken(['extract', path.join(SAMPLES, 'forms', 'corrupt.docx'), '--json'], {});
    expect(code).toBe(3);
    expect(JSON.parse(stdout)).toMatchObject({ role: 'unreadable' });
  });

  it('process --dry-run --json prints the decision and writes nothing', async () => {
    const dir = tempDir();
    const { stdout, code } = await conken(['process', path.join(SAMPLES, 'mails', '16-both-qualifications.eml'), '--dry-run', '--json'], dataEnv(dir));
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.ignored).toBe(false);
    expect(out.cases).toHaveLength(1);
    expect(out.cases[0]).toMatchObject({ kind: 'renewal', status: 'missing-items' });
    expect(out.cases[0].findings).toContainEqual({ code: 'qualification.multiple', field: 'qualification', row: null, audience: 'applicant', message: expect.any(String) });
    expect(out.cases[0].application.qualificationMarked).toEqual(['OMP', 'CAP']);
    expect(readdirSync(dir)).toEqual([]);
    const { stdout: cases } = await conken(['cases', '--json'], dataEnv(dir));
    expect(JSON.parse(cases)).toEqual([]);
    expect(existsSync(path.join(dir, 'outbox'))).toBe(false);
    const ignored = JSON.parse((await conken(['process', path.join(SAMPLES, 'mails', '06-unrelated.eml'), '--dry-run', '--json'], dataEnv(dir))).stdout);
    expect(ignored).toMatchObject({ ignored: true, cases: [] });
  });

  it('process, cases, case and payments import work together on one database', async () => {
    const env = dataEnv(tempDir());
    const processed = JSON.parse((await conken(['process', path.join(SAMPLES, 'mails', '01-complete-omp.eml'), '--json'], env)).stdout);
    expect(processed.cases[0]).toMatchObject({ number: 'R-2026-000001', status: 'awaiting-payment', notices: ['acknowledgement', 'awaiting-payment'] });
    const imported = JSON.parse((await conken(['payments', 'import', path.join(SAMPLES, 'statements', 'payments.csv'), '--json'], env)).stdout);
    expect(imported.matched).toEqual([{ payment: 1, case: 'R-2026-000001', status: 'ready-for-review' }]);
    const again = JSON.parse((await conken(['payments', 'import', path.join(SAMPLES, 'statements', 'payments.csv'), '--json'], env)).stdout);
    expect(again).toMatchObject({ new: 0, duplicate: 6, matched: [] });
    const list = JSON.parse((await conken(['cases', '--status', 'ready-for-review', '--json'], env)).stdout);
    expect(list.map((c: { number: string }) => c.number)).toEqual(['R-2026-000001']);
    const detail = JSON.parse((await conken(['case', 'R-2026-000001', '--json'], env)).stdout);
    expect(detail.notices.map((n: { kind: string; status: string }) => `${n.kind}:${n.status}`)).toEqual(['acknowledgement:sent', 'awaiting-payment:sent', 'accepted:sent', 'review-request:sent']);
    expect(detail.events.map((e: { type: string }) => e.type)).toContain('payment.linked');
    expect(readdirSync(env.CONKEN_OUTBOX_DIR!)).toHaveLength(4);
    const text = await conken(['case', 'R-2026-000001'], env);
    expect(text.stdout).toMatch(/ready-for-review/);
  });

  it('payments import rejects a malformed file whole, naming the line', async () => {
    const dir = tempDir();
    const csv = path.join(dir, 'bad.csv');
    writeFileSync(csv, 'date,amount,transfer_name\n2026-01-15,11000,0123ｺﾝﾀﾞｹﾝﾀﾛｳ\n2026-01-16,十一万,0456ﾔﾏﾀﾞ\n');
    const r = await conken(['payments', 'import', csv], dataEnv(dir));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/3行目/);
    const again = await conken(['payments', 'import', path.join(SAMPLES, 'statements', 'payments.csv'), '--json'], dataEnv(dir));
    expect(JSON.parse(again.stdout).new).toBe(6); // nothing of the bad file was kept
  });

  it('a bad rule file stops start-up naming the file, line and key', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'rules'));
    for (const f of readdirSync(path.join(ROOT, 'rules'))) copyFileSync(path.join(ROOT, 'rules', f), path.join(dir, 'rules', f));
    writeFileSync(path.join(dir, 'rules', 'renewal.yaml'), `kind: renewal\nlabel: x\ncasePrefix: RR\n`);
    const r = await conken(['cases'], { ...dataEnv(dir), CONKEN_RULES_DIR: path.join(dir, 'rules') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/renewal\.yaml, line 3, key casePrefix/);
  });

  it('demo runs the main job on the embedded default, checks the renewals against the sample register, and a reviewer approves a renewal and a certification', async () => {
    const cwd = tempDir('conken-demo-');
    const env = { CONKEN_RULES_DIR: path.join(ROOT, 'rules'), CONKEN_TEMPLATES_DIR: path.join(ROOT, 'mail-templates'), CONKEN_LOG_LEVEL: 'silent' };
    const r = await conken(['demo'], env, cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/routed to the reviewer: R-2026-000001/);
    const outbox = readdirSync(path.join(cwd, 'data', 'outbox'));
    expect(outbox).toContain('R-2026-000001.review-request.1.eml');
    expect(outbox.some((f) => f.includes('missing-items'))).toBe(true);
    // Every renewal of the samples is checked against the sample register (samples/registry.csv) and matches it.
    const checks = r.stdout.split('== 5.')[1]!.split('== 6.')[0]!.trim().split('\n').slice(1);
    expect(checks.length).toBeGreaterThanOrEqual(15);
    for (const line of checks.filter((l) => /R-2026-\d+ [A-Z]{3}-/.test(l))) expect(line).toContain('matches the register');
    // A reviewer approves one renewal and one certification; the outbox holds their mails with the certificates.
    expect(r.stdout).toContain('R-2026-000001 (renewal) → approved: 認定番号 OMP-2023-0123, valid 2026-04-01〜2029-03-31');
    expect(r.stdout).toMatch(/C-2026-000001 \(certification\) → approved: 認定番号 OMP-2026-0001, valid 2026-04-01〜2029-03-31/);
    for (const [number, pdf] of [['R-2026-000001', '認定書_OMP-2023-0123.pdf'], ['C-2026-000001', '認定書_OMP-2026-0001.pdf']] as const) {
      expect(r.stdout).toContain(`${number} → data/outbox/${number}.review-approved.1.eml with ${pdf}`);
      const parsed = await simpleParser(readFileSync(path.join(cwd, 'data', 'outbox', `${number}.review-approved.1.eml`)));
      expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.content.subarray(0, 5).toString('latin1')])).toEqual([[pdf, 'application/pdf', '%PDF-']]);
    }
    // `conken registry export` on the demo's data shows the holders, the renewed one three fiscal years on.
    const exported = await conken(['registry', 'export'], env, cwd);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('OMP-2023-0123,OMP,今田 健太郎,こんだ けんたろう,2023-04-01,2029-03-31,active');
    expect(exported.stdout).toMatch(/\r\nOMP-2026-0001,OMP,[^,]+,[^,]*,2026-04-01,2029-03-31,active,/);
    // It still ends with the workbench: the URL and the logins made for this run (never fixed passwords).
    expect(r.stdout.trimEnd().split('\n').slice(-5).join('\n')).toMatch(/Run `npm start`.*http:\/\/[^\s]+\/[\s\S]*Log in as demo \/ \S+ [\s\S]*log in as demo-reviewer \/ \S+[\s\S]*npx conken users add <login> --role admin/);
    // The workbench's demo user, with a password made for this run (never a fixed one).
    const password = /Log in as demo \/ (\S+) /.exec(r.stdout)?.[1];
    expect(password, 'the demo prints its workbench login').toMatch(/^\S{12,}$/);
    expect(/log in as demo-reviewer \/ (\S+)/.exec(r.stdout)?.[1]).toMatch(/^\S{12,}$/);
    // Run again: the demo resets its own data folder and gives the same result, with new passwords.
    const r2 = await conken(['demo'], env, cwd);
    const same = (out: string) => out.replace(/\d+ms/g, '').replace(/(Log in as demo \/ )\S+/, '$1…').replace(/(log in as demo-reviewer \/ )\S+/, '$1…');
    expect(same(r2.stdout)).toBe(same(r.stdout));
    expect(/Log in as demo \/ (\S+) /.exec(r2.stdout)?.[1]).not.toBe(password);
  }, 1_200_000); // twice the whole demo, OCR of its scanned and photographed forms and two certificates included, on a busy 2-core machine (6 min a run seen under load)

  it('start: the daemon processes dropped mail, stops cleanly on SIGTERM, and a restart repeats nothing', async () => {
    const dir = tempDir();
    const env: Record<string, string> = { ...dataEnv(dir), CONKEN_INBOX_POLL_SECONDS: '1', CONKEN_SENDER_INTERVAL_SECONDS: '1' };
    mkdirSync(env.CONKEN_INBOX_DIR!, { recursive: true });
    const startDaemon = () => spawn(process.execPath, [MAIN, 'start'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const waitFor = async (check: () => boolean, ms = 20000) => {
      for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 100))) if (check()) return;
      throw new Error('timed out');
    };
    const outboxFiles = () => (existsSync(env.CONKEN_OUTBOX_DIR!) ? readdirSync(env.CONKEN_OUTBOX_DIR!).filter((f) => f.endsWith('.eml')) : []);

    const first = startDaemon();
    writeFileSync(path.join(env.CONKEN_INBOX_DIR!, 'a.eml'), await mail({ messageId: 'daemon-a@example.jp' }));
    await waitFor(() => outboxFiles().length === 2);
    first.kill('SIGTERM');
    const code = await new Promise((resolve) => first.on('exit', resolve));
    expect(code).toBe(0);

    // The same mail delivered again while the daemon was down, and a new one.
    writeFileSync(path.join(env.CONKEN_INBOX_DIR!, 'b.eml'), await mail({ messageId: 'daemon-a@example.jp' }));
    writeFileSync(path.join(env.CONKEN_INBOX_DIR!, 'c.eml'), await mail({ messageId: 'daemon-c@example.jp' }));
    const second = startDaemon();
    await waitFor(() => readdirSync(env.CONKEN_INBOX_DIR!).filter((f) => f.endsWith('.eml')).length === 0 && outboxFiles().length >= 4);
    second.kill('SIGTERM');
    await new Promise((resolve) => second.on('exit', resolve));
    expect(outboxFiles().sort()).toEqual([
      'R-2026-000001.acknowledgement.1.eml', 'R-2026-000001.awaiting-payment.1.eml', 'R-2026-000002.acknowledgement.1.eml', 'R-2026-000002.awaiting-payment.1.eml',
    ]);
    const cases = JSON.parse((await conken(['cases', '--json'], env)).stdout);
    expect(cases).toHaveLength(2);
  });
});
