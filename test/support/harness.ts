// Test harness: a real app on a real SQLite file in a fresh temp folder, real .docx forms made from
// the association's blank form, real RFC 5322 mails.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { createApp, closeApp, type App } from '../../src/app/context.ts';
import { processMail, type MailOutcome } from '../../src/app/process-mail.ts';
import { silentLogger } from '../../src/shared/log.ts';
import { fillRenewalForm, RENEWAL_TEMPLATE, type RenewalFill } from '../../scripts/lib/fill-renewal-form.ts';
import { buildMail, type MailSpec } from '../../scripts/lib/mail-builder.ts';
import { COMPLETE, proofPdf } from '../../scripts/lib/sample-data.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const SAMPLES = path.join(ROOT, 'samples');

export function tempDir(prefix = 'conken-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Environment pointing every data path into dir, rules and templates at the repository's. */
export function dataEnv(dir: string): Record<string, string> {
  return {
    CONKEN_INBOX_DIR: path.join(dir, 'inbox'),
    CONKEN_INBOX_PROCESSED_DIR: path.join(dir, 'inbox', 'processed'),
    CONKEN_DB_PATH: path.join(dir, 'conken.db'),
    CONKEN_STORE_DIR: path.join(dir, 'store'),
    CONKEN_OUTBOX_DIR: path.join(dir, 'outbox'),
    CONKEN_RULES_DIR: path.join(ROOT, 'rules'),
    CONKEN_TEMPLATES_DIR: path.join(ROOT, 'mail-templates'),
    CONKEN_LOG_LEVEL: 'silent',
    // conken start serves the workbench too: a free port each, so daemons of parallel tests never collide.
    CONKEN_WEB_PORT: '0',
  };
}

export interface Harness {
  app: App;
  dir: string;
  config: Config;
  process(raw: Buffer, ref?: string): Promise<MailOutcome>;
  /** Reopen on the same files, as a restarted daemon would. */
  restart(): void;
  close(): void;
}

export function harness(): Harness {
  const dir = tempDir();
  const config = loadConfig({ cwd: ROOT, env: dataEnv(dir) });
  const h: Harness = {
    app: createApp(config, silentLogger()),
    dir,
    config,
    process: (raw, ref = 'test.eml') => processMail(h.app, 'test', { ref, raw, receivedAt: null }),
    restart() {
      closeApp(h.app);
      h.app = createApp(config, silentLogger());
    },
    close() {
      closeApp(h.app);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

const template = readFileSync(RENEWAL_TEMPLATE);

/** A filled renewal form: the complete sample with the given changes. */
export function form(changes: Partial<RenewalFill> = {}): Buffer {
  return Buffer.from(fillRenewalForm(template, { ...COMPLETE, ...changes }));
}

export const PROOF = { filename: '受講証明書.pdf', content: proofPdf(), contentType: 'application/pdf' };
export const RENEWAL_SUBJECT = '【更新申請】プロフェッショナル更新申請書添付_260120';

let counter = 0;
/** A mail from the complete sample's applicant, received 2026-01-20 10:00 JST, with its form and a proof. */
export function mail(spec: Partial<MailSpec> = {}): Promise<Buffer> {
  counter++;
  return buildMail({
    from: '今田 健太郎 <k.konda@example.jp>',
    subject: RENEWAL_SUBJECT,
    date: new Date('2026-01-20T10:00:00+09:00'),
    messageId: `test-${process.pid}-${counter}@example.jp`,
    text: 'よろしくお願いいたします。',
    attachments: [{ filename: '更新申請書.docx', content: form() }, PROOF],
    ...spec,
  });
}

export function sampleMail(name: string): Buffer {
  return readFileSync(path.join(SAMPLES, 'mails', name));
}

export function sampleForm(name: string): Buffer {
  return readFileSync(path.join(SAMPLES, 'forms', name));
}
