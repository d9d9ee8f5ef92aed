// The certificate layout (mail-templates/certificate.yaml) checked at start-up: `conken start` with a layout a
// staff member broke logs one message (Japanese and English) naming the file and the problem, keeps taking
// mail (acknowledgements go out); its workbench logs it too (the review pages it closes are tested in the
// browser, test/web/review.test.ts); `conken status` reports it. A real daemon process and inbox folder.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataEnv, mail, ROOT, tempDir } from '../support/harness.ts';
import { conken, MAIN } from '../support/cli.ts';

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => { for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL'); });

/** The repository's mail templates, with certificate.yaml changed by `edit`. */
function templatesWith(dir: string, edit: (layout: string) => string): string {
  const out = path.join(dir, 'templates');
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(path.join(ROOT, 'mail-templates'))) copyFileSync(path.join(ROOT, 'mail-templates', f), path.join(out, f));
  writeFileSync(path.join(out, 'certificate.yaml'), edit(readFileSync(path.join(out, 'certificate.yaml'), 'utf8')));
  return out;
}

const waitFor = async (check: () => boolean | Promise<boolean>, what: string, ms = 60_000) => {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 200))) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
};

describe('a broken certificate layout at start-up', () => {
  it('conken start names the file and the problem (daemon and workbench) and keeps taking mail; conken status reports it', async () => {
    const dir = tempDir();
    const templates = templatesWith(dir, (t) => t.replace('{{name}}　殿', '{{nmae}}　殿'));
    const layoutFile = path.join(templates, 'certificate.yaml');
    const env: Record<string, string> = { ...dataEnv(dir), CONKEN_TEMPLATES_DIR: templates, CONKEN_LOG_LEVEL: 'info', CONKEN_WEB_HOST: '127.0.0.1', CONKEN_INBOX_POLL_SECONDS: '1', CONKEN_SENDER_INTERVAL_SECONDS: '1' };
    mkdirSync(env.CONKEN_INBOX_DIR!, { recursive: true });

    const status = await conken(['status'], env);
    expect(status.stdout).toContain(`certificate layout: BROKEN — 認定書のレイアウト ${layoutFile} に誤りがあります: key lines.2.text: unknown field {{nmae}}`);
    expect(status.stdout).toContain(`The certificate layout ${layoutFile} is broken`);
    expect(JSON.parse((await conken(['status', '--json'], env)).stdout).certificateLayout).toMatchObject({ ok: false, file: layoutFile });

    const daemon = spawn(process.execPath, [MAIN, 'start'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(daemon);
    let logs = '';
    daemon.stdout!.on('data', (b: Buffer) => { logs += b.toString(); });
    daemon.stderr!.on('data', (b: Buffer) => { logs += b.toString(); });
    writeFileSync(path.join(env.CONKEN_INBOX_DIR!, 'a.eml'), await mail({ messageId: 'cert-startup@example.jp' }));
    // Mail is still taken in: the acknowledgement goes out.
    const outbox = () => (existsSync(env.CONKEN_OUTBOX_DIR!) ? readdirSync(env.CONKEN_OUTBOX_DIR!) : []);
    await waitFor(() => outbox().includes('R-2026-000001.acknowledgement.1.eml'), 'the acknowledgement');
    // Logged once by the daemon and once by its workbench, with the file and the problem, in both languages.
    const lines = logs.split('\n').filter((l) => l.includes('certificate.yaml に誤りがあります'));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(JSON.parse(l)).toMatchObject({ level: expect.anything(), file: layoutFile, problem: expect.stringContaining('unknown field {{nmae}}') });
    expect(lines[0]).toContain('The certificate layout');

    daemon.kill('SIGTERM');
    expect(await new Promise((resolve) => daemon.on('exit', resolve))).toBe(0);
  }, 180_000);
});
