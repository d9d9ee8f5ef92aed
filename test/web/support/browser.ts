// Debian's Chromium driven by playwright-core: headless, no sandbox (containers), a fresh profile per
// launch, Japanese locale and Tokyo time. In CI a missing Chromium fails the suite; elsewhere it is
// reported and the suite is skipped by the caller.
import { existsSync, rmSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startWeb, usersCommand, type WebProcess } from './workbench.ts';

export const CHROMIUM = process.env.CONKEN_CHROMIUM ?? '/usr/lib/chromium/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

/** Why the browser tests cannot run here, or null. In CI the caller turns this into a failure. */
export function chromiumMissing(): string | null {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (apt-get install chromium fonts-noto-cjk)`;
  // Without a CJK font the pages render Japanese as empty boxes: the screenshots would be worthless.
  if (!NOTO_CJK.some((f) => existsSync(f))) return 'fonts-noto-cjk is not installed (apt-get install fonts-noto-cjk)';
  return null;
}

/**
 * The browser suites' gate: null when Chromium and the fonts are here; otherwise the reason, after failing in CI
 * (never a silent skip there) or warning that `what` is skipped on this machine.
 */
export function browserTestsCheck(what: string): string | null {
  const missing = chromiumMissing();
  if (missing && process.env.CI === 'true') throw new Error(`${missing}: the workbench tests must run in CI`);
  if (missing) console.warn(`skipping ${what}: ${missing}`);
  return missing;
}

const NOTO_CJK = ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', '/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf'];

/** playwright's launch() gives each browser a fresh temporary user-data-dir, removed when it closes. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo', viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
}

/** A fresh browser with one page logged in to the workbench at `url` and on the queue (the staff's home). */
export async function signedInPage(url: string, login: string, password: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await (await newContext(browser)).newPage();
  await page.goto(`${url}/login`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForURL(`${url}/queue`);
  return { browser, page };
}

/** The workbench of a suite: the server on its data folder, a browser signed in as the first user, and the end of both. */
export interface SuiteWorkbench {
  web: WebProcess;
  browser: Browser;
  page: Page;
  /** Closes the browser, stops the server and deletes the data folder. */
  close(): Promise<void>;
}

/**
 * Makes the users with the real `conken users add`, starts the real `conken web` on `dir` and signs the first
 * user in: what every browser suite's beforeAll does. If any step fails, what was started is ended again.
 */
export async function openSuiteWorkbench(dir: string, users: readonly { login: string; role: string; password: string }[]): Promise<SuiteWorkbench> {
  let web: WebProcess | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await web?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const u of users) {
      const r = await usersCommand(dir, ['add', u.login, '--role', u.role], `${u.password}\n`);
      if (r.code !== 0) throw new Error(`conken users add ${u.login}: exit ${r.code}: ${r.stderr}`);
    }
    web = await startWeb(dir);
    const signed = await signedInPage(web.url, users[0]!.login, users[0]!.password);
    browser = signed.browser;
    return { web, browser, page: signed.page, close };
  } catch (error) {
    await close();
    throw error;
  }
}
