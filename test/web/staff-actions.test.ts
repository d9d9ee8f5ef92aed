// Staff decisions on the case page in Debian's Chromium, against the real server and a real SQLite file with
// cases made by the real pipeline (Word forms: no OCR): a late application's window exception accepted with
// a reason (keyboard only), a notice sent again and one the case refuses (the refusal shown on the page), a
// note on the history. Each goes through src/app/staff-actions.ts (the events prove it) and is audited.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeApp } from '../../src/app/context.ts';
import { harness, mail } from '../support/harness.ts';
import { browserTestsCheck, openSuiteWorkbench, type SuiteWorkbench } from './support/browser.ts';
import { openDb, type WebProcess } from './support/workbench.ts';

vi.setConfig({ testTimeout: 120_000 });

const missing = browserTestsCheck('the workbench browser tests');

const PASSWORD = 'staff-pass-0002';
const MARCH = new Date('2026-03-05T10:00:00+09:00'); // after the renewal window

describe.skipIf(!!missing)('staff decisions on the case page (Chromium)', () => {
  let dir: string;
  let wb: SuiteWorkbench | undefined;
  let web: WebProcess;
  let browser: Browser;
  let page: Page;
  let late: string;
  let waiting: string;

  beforeAll(async () => {
    const h = harness();
    dir = h.dir;
    late = (await h.process(await mail({ date: MARCH }))).cases[0]!.number!;
    waiting = (await h.process(await mail())).cases[0]!.number!;
    closeApp(h.app);
    wb = await openSuiteWorkbench(dir, [{ login: 'jiro', role: 'staff', password: PASSWORD }]);
    ({ web, browser, page } = wb);
  }, 180_000);

  afterAll(() => wb?.close());

  const db = () => openDb(dir);
  /** A case's events of a type, with what people wrote put back from case_texts (events keep only its id: `text#`). */
  const events = (number: string, type: string) => (db().prepare(`SELECT e.actor, e.data_json FROM events e JOIN cases c ON c.id = e.case_id
    WHERE c.number = ? AND e.type = ? ORDER BY e.id`).all(number, type) as { actor: string; data_json: string }[]).map((r) => {
    const data = JSON.parse(r.data_json) as Record<string, unknown>;
    for (const key of Object.keys(data).filter((k) => k.endsWith('#'))) {
      data[key.slice(0, -1)] = (db().prepare('SELECT text FROM case_texts WHERE id = ?').get(data[key] as number) as { text: string }).text;
      delete data[key];
    }
    return { actor: r.actor, ...data };
  });
  const audited = (action: string, number: string) => (db().prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = ? AND case_number = ? AND login = 'jiro'").get(action, number) as { n: number }).n;
  const statusOf = (number: string) => (db().prepare('SELECT status FROM cases WHERE number = ?').get(number) as { status: string }).status;

  it('a window exception accepted with a reason, by keyboard: the case moves on and the decision is in the history', async () => {
    expect(statusOf(late)).toBe('exception');
    await page.goto(`${web.url}/cases/${late}`);
    const item = page.locator('.audience-staff li', { hasText: '受付期間外' });
    const summary = item.locator('details.handle-finding summary');
    await summary.focus();
    await page.keyboard.press('Enter'); // opens the form
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement && document.activeElement.name')).toBe('reason');
    await page.keyboard.type('事務局長の承認により受付');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${web.url}/cases/${late}`);
    expect(await page.locator('.flash').textContent()).toContain('処理済みにしました');
    expect(await page.locator('h1 .status').textContent()).toBe('入金待ち');
    expect(statusOf(late)).toBe('awaiting-payment');
    expect(events(late, 'finding.handled')).toEqual([{ actor: 'staff:jiro', code: 'window.outside', field: null, reason: '事務局長の承認により受付' }]);
    expect(await page.locator('table.history').textContent()).toContain('受付期間外：事務局長の承認により受付');
    expect(audited('finding.handle', late)).toBe(1);
  });

  it('a notice sent again; one that does not fit the case is refused on the page, not as an error', async () => {
    await page.goto(`${web.url}/cases/${waiting}`);
    await page.selectOption('#resend-notice', 'awaiting-payment');
    await page.click('form.resend button[type="submit"]');
    await page.waitForURL(`${web.url}/cases/${waiting}`);
    expect(await page.locator('.flash').textContent()).toContain('もう一度送ります');
    const kinds = (db().prepare(`SELECT o.kind FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.number = ? AND o.kind = 'awaiting-payment'`).all(waiting) as { kind: string }[]);
    expect(kinds).toHaveLength(2);
    expect(events(waiting, 'notice.resend')).toEqual([{ actor: 'staff:jiro', notice: 'awaiting-payment' }]);
    expect(audited('notice.resend', waiting)).toBe(1);

    await page.selectOption('#resend-notice', 'accepted');
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/resend')), page.click('form.resend button[type="submit"]')]);
    expect(answer.status()).toBe(422);
    expect(await page.locator('.action-error').textContent()).toContain('この案件の現在の状態では、その通知は送れません');
    expect(await page.locator('#resend-notice').inputValue()).toBe('accepted');
    expect(events(waiting, 'notice.resend')).toHaveLength(1);
  });

  it('a note on the history (an empty one refused with the reason)', async () => {
    await page.goto(`${web.url}/cases/${waiting}`);
    await page.fill('#note-text', '   ');
    await page.click('.note-form button[type="submit"]');
    expect(await page.locator('.action-error').textContent()).toContain('メモが空です');
    await page.fill('#note-text', '電話で振込予定日を確認（3月10日）');
    await page.focus('.note-form button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${web.url}/cases/${waiting}`);
    expect(await page.locator('.flash').textContent()).toContain('メモを履歴に残しました');
    expect(await page.locator('table.history tr.note').textContent()).toContain('電話で振込予定日を確認（3月10日）');
    expect(events(waiting, 'case.note')).toEqual([{ actor: 'staff:jiro', text: '電話で振込予定日を確認（3月10日）' }]);
    expect(audited('case.note', waiting)).toBe(1);
    // The note may name people: the audit log records that a note was added, never its text.
    expect(JSON.stringify(db().prepare("SELECT * FROM audit_log WHERE action = 'case.note'").all())).not.toContain('振込予定日');
    expect(web.logs()).not.toContain('振込予定日');
  });
});
