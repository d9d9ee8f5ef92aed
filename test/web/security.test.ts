// The workbench's security properties in Debian's Chromium and over plain HTTP, against the real server
// (`conken web`, a child process on a free loopback port) and a real SQLite file whose exception cases were
// made by the real pipeline: nothing without a session, no POST without the CSRF token, roles, the audit log
// filled and append-only, logins throttled, sessions that end, no personal data in the server's logs.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { closeApp } from '../../src/app/context.ts';
import { harness, mail, sampleForm, tempDir } from '../support/harness.ts';
import { browserTestsCheck, launchChromium, newContext } from './support/browser.ts';
import { envFor, openDb, startWeb, usersCommand, type WebProcess } from './support/workbench.ts';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../support/harness.ts';

// A browser, scrypt logins and a busy 2-core machine: each step may take a while.
vi.setConfig({ testTimeout: 180_000 });

const missing = browserTestsCheck('the workbench browser tests');

const SHOTS = process.env.CONKEN_SCREENSHOTS === 'docs' ? path.join(ROOT, 'docs') : tempDir('conken-shots-');
const PASSWORDS = { staff: 'staff-pass-0001', finance: 'finance-pass-01', admin: 'admin-pass-0001' };
/** What the applicants' mails carry: none of it may reach the server's logs. */
const PERSONAL = ['今田', '健太郎', 'こんだ', 'k.konda@example.jp', '丸の内', '03-1234-5678', '090-1234-5678'];

describe.skipIf(!!missing)('workbench security (Chromium)', () => {
  let dir: string;
  let web: WebProcess;
  let browser: Browser;
  let caseNumber: string;

  beforeAll(async () => {
    const h = harness();
    dir = h.dir;
    // Two exceptions from the real pipeline: a mail whose .docx is not our form, and one whose .docx is damaged.
    const other = await h.process(await mail({ attachments: [{ filename: '書類.docx', content: sampleForm('not-our-form.docx') }] }), 'other.eml');
    const corrupt = await h.process(await mail({ attachments: [{ filename: '更新申請書.docx', content: sampleForm('corrupt.docx') }] }), 'corrupt.eml');
    expect([other.cases[0]!.status, corrupt.cases[0]!.status]).toEqual(['exception', 'exception']);
    caseNumber = other.cases[0]!.number!;
    closeApp(h.app);
    for (const [role, password] of Object.entries(PASSWORDS)) expect((await usersCommand(dir, ['add', role === 'staff' ? 'hanako' : role, '--role', role], `${password}\n`)).code).toBe(0);
    web = await startWeb(dir);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function login(login: string, password: string) {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${web.url}/login`);
    await page.fill('#login', login);
    await page.fill('#password', password);
    await page.press('#password', 'Enter');
    await page.waitForLoadState('load');
    return { context, page };
  }

  it('conken users: a short password is refused, the users are listed with their roles', async () => {
    const short = await usersCommand(dir, ['add', 'shorty', '--role', 'staff'], 'short-pass\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('12文字以上');
    const list = await usersCommand(dir, ['list', '--json']);
    expect(JSON.parse(list.stdout).map((u: { login: string; role: string }) => `${u.login}:${u.role}`)).toEqual(['admin:admin', 'finance:finance', 'hanako:staff']);
    const row = openDb(dir).prepare("SELECT password_hash FROM users WHERE login = 'hanako'").get() as { password_hash: string };
    expect(row.password_hash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  });

  it('every page and every POST is refused without a session', async () => {
    const pages = ['/', '/queue', '/queue/mails', `/cases/${caseNumber}`, `/cases/${caseNumber}/attachments/1`, `/cases/${caseNumber}/attachments/1/download`, `/cases/${caseNumber}/crop?field=name`, '/admin/audit', '/admin/users'];
    for (const p of pages) {
      const r = await fetch(`${web.url}${p}`, { redirect: 'manual' });
      expect([p, r.status, r.headers.get('location')?.split('?')[0]]).toEqual([p, 303, '/login']);
    }
    const before = (openDb(dir).prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
    const posts: [string, string][] = [[`/cases/${caseNumber}/confirm`, 'field=name&v%3Aname=x'], ['/admin/users', 'login=intruder&role=admin&password=intruder-pass-1'], ['/admin/users/1', 'op=disable'], ['/logout', '']];
    for (const [p, body] of posts) {
      const r = await fetch(`${web.url}${p}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
      expect([p, r.status]).toEqual([p, 401]);
    }
    expect((openDb(dir).prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n).toBe(before);
  });

  it('login: the session id changes at login, the cookie is HttpOnly and SameSite=Strict, and a POST needs the CSRF token', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${web.url}/login`);
    const anonymous = (await context.cookies()).find((c) => c.name === 'conken_session')!;
    await page.fill('#login', 'hanako');
    await page.fill('#password', PASSWORDS.staff);
    await page.press('#password', 'Enter');
    await page.waitForURL(`${web.url}/queue`);
    const session = (await context.cookies()).find((c) => c.name === 'conken_session')!;
    expect(session.value).not.toBe(anonymous.value);
    expect([session.httpOnly, session.sameSite, session.path]).toEqual([true, 'Strict', '/']);
    expect(await page.locator('h1').textContent()).toContain('要対応の案件');
    expect(await page.locator('table.queue tbody tr').count()).toBe(2);

    // The page's CSP: scripts only from here with a nonce, no framing.
    const csp = (await page.request.get(`${web.url}/queue`)).headers()['content-security-policy']!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[0-9a-f]+'/);
    expect(csp).toContain("frame-ancestors 'none'");

    // With the session but without the token (or with a wrong one, or from another origin): refused.
    const cookie = `conken_session=${session.value}`;
    const post = (body: string, headers: Record<string, string> = {}) => fetch(`${web.url}/admin/users`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers }, redirect: 'manual' });
    const confirm = (body: string, headers: Record<string, string> = {}) => fetch(`${web.url}/cases/${caseNumber}/confirm`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers }, redirect: 'manual' });
    expect((await confirm('field=name&v%3Aname=x')).status).toBe(403);
    expect((await confirm('field=name&v%3Aname=x&_csrf=forged-token')).status).toBe(403);
    const token = await page.locator('form[action="/logout"] input[name=_csrf]').inputValue();
    expect((await confirm(`field=name&v%3Aname=x&_csrf=${encodeURIComponent(token)}`, { origin: 'https://evil.example' })).status).toBe(403);
    // The token is good: a staff member is still refused the admin's POST by role.
    expect((await post(`login=intruder&role=admin&password=intruder-pass-1&_csrf=${encodeURIComponent(token)}`)).status).toBe(403);
    expect(openDb(dir).prepare("SELECT COUNT(*) AS n FROM users WHERE login = 'intruder'").get()).toEqual({ n: 0 });

    // Logout ends the session: the old cookie opens nothing any more.
    await page.click('form[action="/logout"] button');
    await page.waitForURL(/\/login$/);
    expect((await fetch(`${web.url}/queue`, { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
    await context.close();
  });

  it('roles: finance and staff are refused the pages they may not see; an admin sees the audit log and the users', async () => {
    const finance = await login('finance', PASSWORDS.finance);
    for (const p of ['/queue', `/cases/${caseNumber}`, '/admin/audit', '/admin/users']) {
      const r = await finance.page.goto(`${web.url}${p}`);
      expect([p, r!.status()]).toEqual([p, 403]);
      expect(await finance.page.locator('h1').textContent()).toBe('この画面は使えません');
    }
    await finance.context.close();
    const staff = await login('hanako', PASSWORDS.staff);
    for (const p of ['/admin/audit', '/admin/users']) expect((await staff.page.goto(`${web.url}${p}`))!.status()).toBe(403);
    expect((await staff.page.goto(`${web.url}/cases/${caseNumber}`))!.status()).toBe(200);
    // The search (by e-mail here: these mails carry no readable form) folds case and width.
    await staff.page.goto(`${web.url}/queue?q=${encodeURIComponent('Ｋ.KONDA@')}`);
    expect(await staff.page.locator('table.queue tbody tr').count()).toBe(2);
    await staff.page.goto(`${web.url}/queue?q=${encodeURIComponent(caseNumber.toLowerCase())}`);
    expect(await staff.page.locator('table.queue tbody tr').count()).toBe(1);
    await staff.context.close();
    const admin = await login('admin', PASSWORDS.admin);
    expect((await admin.page.goto(`${web.url}/admin/users`))!.status()).toBe(200);
    expect(await admin.page.locator('table.users tbody tr').count()).toBe(3);
    await admin.context.close();
  });

  it('disabling a user in the admin page ends their session at once', async () => {
    const staff = await login('hanako', PASSWORDS.staff);
    expect((await staff.page.goto(`${web.url}/queue`))!.url()).toBe(`${web.url}/queue`);
    const admin = await login('admin', PASSWORDS.admin);
    await admin.page.goto(`${web.url}/admin/users`);
    await admin.page.locator('tr', { hasText: 'hanako' }).locator('button', { hasText: '無効にする' }).click();
    await admin.page.waitForLoadState('load');
    expect(await admin.page.locator('.flash').textContent()).toContain('hanako');
    await staff.page.goto(`${web.url}/queue`);
    expect(staff.page.url()).toMatch(/\/login\?next=/);
    await admin.page.locator('tr', { hasText: 'hanako' }).locator('button', { hasText: '有効にする' }).click();
    await admin.page.waitForLoadState('load');
    await staff.context.close();
    await admin.context.close();
  });

  it('the audit log holds logins (failed too), views and changes, and the database refuses to change or delete it', async () => {
    const bad = await login('hanako', 'wrong-password-1');
    expect(await bad.page.locator('.error').textContent()).toContain('ログイン名またはパスワードが違います');
    await bad.context.close();
    const db = openDb(dir);
    const actions = new Set((db.prepare('SELECT action FROM audit_log').all() as { action: string }[]).map((r) => r.action));
    for (const a of ['login.success', 'login.failure', 'logout', 'case.view', 'user.add', 'user.disable', 'user.enable']) expect(actions).toContain(a);
    const view = db.prepare("SELECT login, case_number, address, at FROM audit_log WHERE action = 'case.view' LIMIT 1").get() as { login: string; case_number: string; address: string; at: string };
    expect([view.login, view.case_number, view.address]).toEqual(['hanako', caseNumber, '127.0.0.1']);
    expect(view.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(() => db.exec("UPDATE audit_log SET login = 'someone-else'")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit_log')).toThrow(/append-only/);

    // The admin's page lists it, filtered by user and by case.
    const admin = await login('admin', PASSWORDS.admin);
    await admin.page.goto(`${web.url}/admin/audit?login=hanako&case=${caseNumber}`);
    const rows = admin.page.locator('table.audit tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    for (const text of await rows.allTextContents()) expect(text).toContain(caseNumber);
    // By date (Tokyo days): today holds them all, a day long past none.
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo' }).format(new Date());
    const total = (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
    await admin.page.goto(`${web.url}/admin/audit?from=${today}&to=${today}`);
    expect(Number((await admin.page.locator('h1 .count').textContent())!.replace(/\D/g, ''))).toBeGreaterThanOrEqual(total);
    await admin.page.goto(`${web.url}/admin/audit?from=2000-01-01&to=2000-01-02`);
    expect(await admin.page.locator('.empty').textContent()).toContain('該当する記録はありません');
    await admin.page.goto(`${web.url}/admin/audit`);
    await admin.page.screenshot({ path: path.join(SHOTS, 'workbench-audit.png') });
    await admin.page.goto(`${web.url}/admin/users`);
    await admin.page.screenshot({ path: path.join(SHOTS, 'workbench-users.png') });
    await admin.context.close();
  });

  it('a login is throttled after repeated failures, even with the right password', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await fetchLogin('finance', `wrong-password-${i}`);
      expect(r.status).toBe(401);
    }
    const refused = await fetchLogin('finance', PASSWORDS.finance);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain('しばらくログインできません');
    const { page, context } = await login('finance', PASSWORDS.finance);
    expect(await page.locator('.error').textContent()).toContain('しばらくログインできません');
    await context.close();
  });

  /** A login POST as a browser makes it: the login page's cookie and CSRF token first. */
  async function fetchLogin(login: string, password: string): Promise<Response> {
    const page = await fetch(`${web.url}/login`);
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    return fetch(`${web.url}/login`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login, password, _csrf: token }).toString(), redirect: 'manual' });
  }

  it('the server logs carry no personal data, no password and no search text', async () => {
    const logs = web.logs();
    expect(logs).toContain('"web request"');
    for (const text of [...PERSONAL, ...Object.values(PASSWORDS), 'hanako']) expect(logs, text).not.toContain(text);
  });

  it('conken start serves the workbench beside the daemon', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), 'start'], { cwd: ROOT, env: { ...process.env, ...envFor(dir) }, stdio: ['ignore', 'ignore', 'pipe'] });
    let logs = '';
    child.stderr.on('data', (b: Buffer) => { logs += b.toString(); });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no workbench: ${logs}`)), 30_000);
        child.stderr.on('data', () => {
          const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/"[^\n]*workbench listening/.exec(logs);
          if (m) { clearTimeout(timer); resolve(m[1]!); }
        });
      });
      const r = await fetch(`${url}/login`);
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('ログイン');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('behind an https proxy: a Secure __Host- cookie, and a POST from any other origin refused', async () => {
    const https = await startWeb(dir, { CONKEN_WEB_PUBLIC_URL: 'https://workbench.example.jp' });
    try {
      const viaProxy = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'workbench.example.jp' };
      const page = await fetch(`${https.url}/login`, { headers: viaProxy });
      const cookie = page.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^__Host-conken=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
      expect(page.headers.get('strict-transport-security')).toContain('max-age=');
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const login = (origin: string) => fetch(`${https.url}/login`, { method: 'POST', redirect: 'manual', headers: { ...viaProxy, origin, cookie: cookie.split(';')[0]!, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login: 'admin', password: PASSWORDS.admin, _csrf: token }).toString() });
      expect((await login(https.url)).status).toBe(403);
      expect((await login('https://workbench.example.jp')).status).toBe(303);
    } finally {
      await https.stop();
    }
  });

  it('binding to anything but loopback without an https public URL refuses to start', () => {
    const run = (extra: Record<string, string>) => spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), 'web'], { cwd: ROOT, env: { ...process.env, ...envFor(dir, extra) }, encoding: 'utf8', timeout: 30_000 });
    const open = run({ CONKEN_WEB_HOST: '0.0.0.0' });
    expect(open.status).toBe(2);
    expect(open.stderr).toContain('CONKEN_WEB_PUBLIC_URL');
    const plain = run({ CONKEN_WEB_HOST: '0.0.0.0', CONKEN_WEB_PUBLIC_URL: 'http://workbench.example.jp' });
    expect(plain.status).toBe(2);
    expect(plain.stderr).toContain('https://');
  });
});
