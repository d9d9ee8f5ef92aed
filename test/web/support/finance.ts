// What the finance browser suites share: applicants who applied by mail (one renewal each, with its proof),
// and a workbench with a finance user (keiri) and a staff user (hanako) on the real server, in Chromium.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { form, mail, PROOF, type Harness } from '../../support/harness.ts';
import { launchChromium, newContext } from './browser.ts';
import { startWeb, usersCommand, type WebProcess } from './workbench.ts';

/** Each applicant's renewal mailed in and processed; their case numbers by applicant id. */
export async function applyByMail(h: Harness, applicants: readonly { id: string; fill: Parameters<typeof form>[0] & { email?: string } }[], messageIdPrefix: string): Promise<Map<string, string>> {
  const numbers = new Map<string, string>();
  for (const [i, a] of applicants.entries()) {
    const o = await h.process(await mail({ from: a.fill.email!, messageId: `${messageIdPrefix}-${i}-${process.pid}@example.jp`, attachments: [{ filename: '更新申請書.docx', content: form(a.fill) }, PROOF] }));
    numbers.set(a.id, o.cases[0]!.number!);
  }
  return numbers;
}

export interface FinanceWorkbench {
  web: WebProcess;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Signs a user in on a page (both users have the suite's password). */
  login(p: Page, user: 'keiri' | 'hanako'): Promise<void>;
  close(): Promise<void>;
}

/** The users made with the real `conken users add`, the real `conken web` started on `dir`, a page opened. */
export async function openFinanceWorkbench(dir: string, password: string): Promise<FinanceWorkbench> {
  for (const [login, role] of [['keiri', 'finance'], ['hanako', 'staff']] as const) {
    const r = await usersCommand(dir, ['add', login, '--role', role], `${password}\n`);
    if (r.code !== 0) throw new Error(`conken users add ${login}: exit ${r.code}: ${r.stderr}`);
  }
  const web = await startWeb(dir);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const context = await newContext(browser);
    const page = await context.newPage();
    const login = async (p: Page, user: string) => {
      await p.goto(`${web.url}/login`);
      await p.fill('#login', user);
      await p.fill('#password', password);
      await p.press('#password', 'Enter');
      await p.waitForURL(/\/(queue|finance\/queue)$/);
    };
    const opened = browser;
    return { web, browser, context, page, login, close: async () => { await opened.close(); await web.stop(); } };
  } catch (error) {
    await browser?.close();
    await web.stop();
    throw error;
  }
}
