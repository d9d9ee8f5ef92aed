// The CPD audit's workbench pages in Debian's Chromium, against the real server and a real SQLite file: a
// recorded draw with one holder who replied (by the audit number in the subject), one overdue and one waiting;
// staff filter by state, open the received audit, see the holder's file, mark the proofs complete and record
// "passed" with a reason; "passed" on the overdue one is refused on the page. Every change goes through
// src/app/audit.ts: the audit's row, its events and the audit log are the proof. An admin draws another year
// from the page (seed entered; the same drawAudit as `conken audit draw`, audited); a second draw of that year
// is refused with the reason on the page; staff see no draw form and may not post one.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeApp, type App } from '../../src/app/context.ts';
import { harness, PROOF } from '../support/harness.ts';
import { buildMail } from '../../scripts/lib/mail-builder.ts';
import { RegisterStore } from '../../src/cases/register-store.ts';
import { transaction } from '../../src/cases/db.ts';
import { auditFollowUp, drawAudit } from '../../src/app/audit.ts';
import { browserTestsCheck, openSuiteWorkbench, signedInPage, type SuiteWorkbench } from './support/browser.ts';
import { openDb, type WebProcess } from './support/workbench.ts';

vi.setConfig({ testTimeout: 120_000 });

const missing = browserTestsCheck('the CPD audit browser tests');
const PASSWORD = 'audit-pass-0003';
const tokyo = (local: string) => new Date(`${local}+09:00`);

/** Holders whose renewals were approved in 2024: the population of the year the admin draws on the page. */
function renewals2024(app: App, count: number): void {
  const register = new RegisterStore(app.db);
  transaction(app.db, () => {
    for (let i = 1; i <= count; i++) {
      const number = `OMP-2018-${String(i).padStart(4, '0')}`;
      register.upsertImported({ certificationNumber: number, qualification: 'OMP', name: `抽選 次郎${i}`, nameKana: null, validFrom: '2018-04-01', validTo: '2024-03-31', status: 'active', email: `d${i}@example.jp` }, '2024-02-01T00:00:00.000Z');
      const c = app.writer.openCase({ prefix: 'R', year: 2024, kind: 'renewal', status: 'approved', applicantAddress: `d${i}@example.jp`, receivedAt: '2024-02-01T00:00:00.000Z', originMessageId: null, noticesSuppressed: false });
      register.renew(register.holderByNumber(number)!.id, c.id, '2024-04-01', '2027-03-31', '2024-02-20T00:00:00.000Z');
    }
  });
}

function renewals(app: App, count: number): void {
  const register = new RegisterStore(app.db);
  transaction(app.db, () => {
    for (let i = 1; i <= count; i++) {
      const number = `CAP-2019-${String(i).padStart(4, '0')}`;
      register.upsertImported({ certificationNumber: number, qualification: 'CAP', name: `監査 一郎${i}`, nameKana: null, validFrom: '2019-04-01', validTo: '2025-03-31', status: 'active', email: `h${i}@example.jp` }, '2025-02-01T00:00:00.000Z');
      const c = app.writer.openCase({ prefix: 'R', year: 2025, kind: 'renewal', status: 'approved', applicantAddress: `h${i}@example.jp`, receivedAt: '2025-02-01T00:00:00.000Z', originMessageId: null, noticesSuppressed: false });
      register.renew(register.holderByNumber(number)!.id, c.id, '2025-04-01', '2028-03-31', '2025-02-20T00:00:00.000Z');
    }
  });
}

describe.skipIf(!!missing)('the CPD audit pages (Chromium)', () => {
  let dir: string;
  let wb: SuiteWorkbench | undefined;
  let web: WebProcess;
  let browser: Browser;
  let page: Page;
  let received: string;
  let overdue: string;

  beforeAll(async () => {
    const h = harness();
    dir = h.dir;
    renewals(h.app, 30);
    renewals2024(h.app, 20);
    const draw = drawAudit(h.app, 2025, { seed: 'web-seed', actor: 'admin:test', now: tokyo('2026-01-15T10:00:00') });
    expect(draw.chosen).toHaveLength(3);
    [received, overdue] = draw.chosen.map((c) => c.audit) as [string, string];
    const to = (audit: string) => (h.app.db.prepare('SELECT address FROM cpd_audits WHERE number = ?').get(audit) as { address: string }).address;
    const reply = await h.process(await buildMail({
      from: `監査 一郎 <${to(received)}>`, subject: `Re: 【CPD監査】CPD活動証明書類のご提出のお願い（監査番号 ${received}）`, date: tokyo('2026-01-20T09:00:00'),
      messageId: 'audit-web-reply@example.jp', text: '証明書をお送りします。', attachments: [PROOF],
    }));
    expect(reply.note).toContain(received);
    // The third holder replies by thread later; the second never: overdue after 14 February.
    const third = draw.chosen[2]!.audit;
    const request = (h.app.db.prepare('SELECT request_message_id FROM cpd_audits WHERE number = ?').get(third) as { request_message_id: string }).request_message_id;
    await h.process(await buildMail({ from: `<${to(third)}>`, subject: '書類', date: tokyo('2026-02-01T09:00:00'), messageId: 'audit-web-reply-2@example.jp', inReplyTo: request, attachments: [PROOF] }));
    auditFollowUp(h.app, tokyo('2026-02-15T09:30:00'));
    closeApp(h.app);
    wb = await openSuiteWorkbench(dir, [{ login: 'hanako', role: 'staff', password: PASSWORD }, { login: 'kanri', role: 'admin', password: PASSWORD }]);
    ({ web, browser, page } = wb);
  }, 180_000);

  afterAll(() => wb?.close());

  const db = () => openDb(dir);
  const row = (number: string) => ({ ...(db().prepare('SELECT state, outcome, outcome_by, outcome_reason FROM cpd_audits WHERE number = ?').get(number) as object) });

  it('lists the year by state, shows the received proofs, marks them complete and records the outcome; refuses "passed" without proofs', async () => {
    await page.click('nav[aria-label="メニュー"] >> text=CPD監査');
    await page.waitForURL(`${web.url}/audit`);
    expect(await page.locator('h1').textContent()).toBe('CPD監査 2025年');
    expect(await page.locator('.audit-draw').textContent()).toContain('web-seed');
    expect(await page.locator('.audit-filters [data-state=received] .count').textContent()).toBe('2');
    expect(await page.locator('.audit-filters [data-state=overdue] .count').textContent()).toBe('1');

    await page.click('.audit-filters [data-state=overdue]');
    await page.waitForURL(/state=overdue/);
    expect(await page.locator('table.audit-table tbody tr td:first-child').allTextContents()).toEqual([overdue]);

    await page.click('.audit-filters [data-state=received]');
    await page.waitForURL(/state=received/);
    expect(await page.locator('table.audit-table tbody tr td:first-child').allTextContents()).toContain(received);
    await page.click(`text=${received}`);
    await page.waitForURL(`${web.url}/audit/${received}`);
    expect(await page.locator('.audit-state').textContent()).toBe('受領（確認待ち）');
    const file = page.locator('ul.audit-evidence a', { hasText: PROOF.filename });
    const pdf = await page.request.get(`${web.url}${await file.getAttribute('href')}`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

    await page.click('button:has-text("書類確認済みにする")');
    await page.waitForURL(`${web.url}/audit/${received}`);
    expect(await page.locator('.audit-state').textContent()).toBe('書類確認済み');
    await page.check('input[name=outcome][value=passed]');
    await page.fill('#audit-reason', '受講証明書3通で30ポイントを確認しました');
    await page.click('button:has-text("結果を記録する")');
    await page.waitForURL(`${web.url}/audit/${received}`);
    expect(await page.locator('.audit-outcome').textContent()).toContain('合格');
    expect(row(received)).toEqual({ state: 'complete', outcome: 'passed', outcome_by: 'staff:hanako', outcome_reason: '受講証明書3通で30ポイントを確認しました' });
    const logged = db().prepare("SELECT action FROM audit_log WHERE login = 'hanako' AND case_number = ? AND action LIKE 'cpd-audit.%' ORDER BY id").all(received).map((r) => (r as { action: string }).action);
    expect(logged).toEqual(['cpd-audit.view', 'cpd-audit.complete', 'cpd-audit.view', 'cpd-audit.outcome', 'cpd-audit.view']);
    // The holder is told, once, through the outbox (the reason stays here).
    const told = db().prepare("SELECT o.to_address, o.mail_json FROM outbox o JOIN cpd_audits a ON a.address = o.to_address WHERE o.kind = 'audit-passed' AND a.number = ?").all(received) as { mail_json: string }[];
    expect(told).toHaveLength(1);
    expect(told[0]!.mail_json).not.toContain('30ポイント');

    // The overdue audit: "passed" is refused (no proofs), the page says why; nothing changed.
    await page.goto(`${web.url}/audit/${overdue}`);
    await page.check('input[name=outcome][value=passed]');
    await page.fill('#audit-reason', '確認済み');
    await page.click('button:has-text("結果を記録する")');
    expect(await page.locator('.action-error').textContent()).toContain('書類が届いていない');
    expect(row(overdue)).toEqual({ state: 'overdue', outcome: null, outcome_by: null, outcome_reason: null });
  });

  it('lets an admin draw a year with an entered seed (audited), refuses a second draw of it, and keeps staff out', async () => {
    // Staff: no draw form, and a forged post is refused.
    await page.goto(`${web.url}/audit`);
    expect(await page.locator('.audit-draw-form').count()).toBe(0);
    const csrf = await page.locator('input[name=_csrf]').first().getAttribute('value');
    const forged = await page.request.post(`${web.url}/audit/draw`, { form: { _csrf: csrf ?? '', year: '2024', seed: 'staff-seed' } });
    expect(csrf).toBeTruthy();
    expect(forged.status()).toBe(403);
    expect(await forged.text()).not.toContain('有効期限'); // refused for the role, not for the token

    const admin = await signedInPage(web.url, 'kanri', PASSWORD);
    try {
      const p = admin.page;
      await p.goto(`${web.url}/audit`);
      await p.fill('#draw-year', '2024');
      await p.fill('#draw-seed', 'web-draw-2024');
      await p.click('button:has-text("抽選する")');
      await p.waitForURL(`${web.url}/audit?year=2024`);
      expect(await p.locator('.flash').textContent()).toContain('シード web-draw-2024');
      expect(await p.locator('h1').textContent()).toBe('CPD監査 2024年');
      expect(await p.locator('.audit-draw').textContent()).toContain('web-draw-2024');
      expect(await p.locator('table.audit-table tbody tr').count()).toBe(2); // share 0.1 of 20
      const draw = { ...(db().prepare('SELECT seed, seed_source, population_count, sample_size, drawn_by FROM cpd_audit_draws WHERE year = 2024').get() as object) };
      expect(draw).toEqual({ seed: 'web-draw-2024', seed_source: 'admin', population_count: 20, sample_size: 2, drawn_by: 'admin:kanri' });
      const logged = db().prepare("SELECT login, target, address, detail_json FROM audit_log WHERE action = 'cpd-audit.draw' AND target = '2024'").all().map((r) => ({ ...r }) as { login: string; address: string; detail_json: string });
      expect(logged.map((r) => r.login)).toEqual(['kanri']);
      expect(logged[0]!.address).toBeTruthy();
      expect(JSON.parse(logged[0]!.detail_json)).toMatchObject({ year: 2024, seedSource: 'admin', populationCount: 20, sampleSize: 2 });
      expect({ ...(db().prepare("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'audit-request' AND to_address LIKE 'd%@example.jp'").get() as object) }).toEqual({ n: 2 });

      // Again, with another seed: refused, said on the page, nothing recorded.
      await p.fill('#draw-year', '2024');
      await p.fill('#draw-seed', 'a-better-seed');
      await p.click('button:has-text("抽選する")');
      expect(await p.locator('.draw-error').textContent()).toContain('2024年の抽選は記録済みです');
      expect(await p.locator('.draw-error').textContent()).toContain('やり直せません');
      expect(await p.inputValue('#draw-seed')).toBe('a-better-seed');
      expect({ ...(db().prepare('SELECT COUNT(*) AS n FROM cpd_audit_selections WHERE year = 2024').get() as object) }).toEqual({ n: 2 });
      expect({ ...(db().prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'cpd-audit.draw' AND target = '2024'").get() as object) }).toEqual({ n: 1 });
      // A year not over yet: refused with its reason.
      await p.fill('#draw-year', '2099');
      await p.fill('#draw-seed', '');
      await p.click('button:has-text("抽選する")');
      expect(await p.locator('.draw-error').textContent()).toContain('まだ終わっていません');
    } finally {
      await admin.browser.close();
    }
  });
});
