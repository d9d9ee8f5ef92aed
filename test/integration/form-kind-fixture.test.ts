// A third form kind plugs in with its own files plus one registration: the test-only "upgrade" kind
// (test/fixtures/kinds/upgrade/: its form and mapper, validator, summary and rule file), registered here and
// nowhere in src/, goes through the whole pipeline like the real kinds: recognised by content under its own
// subject, its case numbered with its prefix, validated by its rules, its fee matched, its review summary sent.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { registerFormKind } from '../../src/kinds/index.ts';
import { createApp, closeApp, type App } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/config.ts';
import { silentLogger } from '../../src/shared/log.ts';
import { processMail } from '../../src/app/process-mail.ts';
import { importStatementRows } from '../../src/app/import-payments.ts';
import { buildMail } from '../../scripts/lib/mail-builder.ts';
import { dataEnv, tempDir } from '../support/harness.ts';
import { upgradeKind } from '../fixtures/kinds/upgrade/kind.ts';
import { upgradeDocx } from '../fixtures/kinds/upgrade/form.ts';
import type { OutgoingMail } from '../../src/outbound/outgoing-mail.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'kinds', 'upgrade');

let app: App | undefined;
afterEach(() => {
  if (app) closeApp(app);
  app = undefined;
});

beforeAll(() => {
  registerFormKind(upgradeKind);
});

function appWithUpgradeRules(): App {
  const dir = tempDir();
  const rules = path.join(dir, 'rules');
  mkdirSync(rules);
  for (const f of readdirSync(path.join(ROOT, 'rules'))) copyFileSync(path.join(ROOT, 'rules', f), path.join(rules, f));
  copyFileSync(path.join(FIXTURE, 'upgrade.yaml'), path.join(rules, 'upgrade.yaml'));
  return createApp(loadConfig({ cwd: ROOT, env: { ...dataEnv(dir), CONKEN_RULES_DIR: rules } }), silentLogger());
}

const COMPLETE = { passerNumber: '2310450777', name: '上野 次郎', nameKana: 'うえの じろう', email: 'j.ueno@example.jp', currentQualification: 'OMP' };

function upgradeMail(values: Partial<typeof COMPLETE>, n: number): Promise<Buffer> {
  return buildMail({
    from: '上野 次郎 <j.ueno@example.jp>', subject: '【アップグレード申請】プロフェッショナルアップグレード申請書添付_260120',
    date: new Date('2026-01-20T10:00:00+09:00'), messageId: `upgrade-${n}@example.jp`, text: 'よろしくお願いいたします。',
    attachments: [{ filename: 'アップグレード申請書.docx', content: upgradeDocx({ ...COMPLETE, ...values }) }],
  });
}

describe('a form kind that lives in the tests', () => {
  it('is read, numbered, validated, paid and summarised for the reviewer through the same pipeline', async () => {
    app = appWithUpgradeRules();
    const outcome = await processMail(app, 'test', { ref: 'upgrade-1.eml', raw: await upgradeMail({}, 1), receivedAt: null });
    expect(outcome.classification).toBe('application');
    expect(outcome.cases).toMatchObject([{ number: 'U-2026-000001', kind: 'upgrade', status: 'awaiting-payment', notices: ['acknowledgement', 'awaiting-payment'] }]);
    const row = app.cases.caseByNumber('U-2026-000001')!;
    expect(row).toMatchObject({ payment_digits: '0777', expected_amount: 5500 });

    // Its fee, by its own transfer-name rule (digits of its passer number + name), moves it to review.
    const imported = importStatementRows(app, 'upgrade.csv', 'hash-upgrade', 'simple-csv', [{ paidOn: '2026-01-22', amount: 5500, transferName: '0777ｳｴﾉｼﾞﾛｳ', line: 2 }], 'test');
    expect(imported.matched).toEqual([{ payment: expect.any(Number), case: 'U-2026-000001', status: 'ready-for-review' }]);
    const review = app.outbox.outboxForCase(row.id).find((o) => o.kind === 'review-request')!;
    const text = (JSON.parse(review.mail_json) as OutgoingMail).text;
    expect(text).toContain('■ アップグレード元');
    expect(text).toContain('上位資格アップグレード申請');
  });

  it('asks the applicant in its own words for what its rules require', async () => {
    app = appWithUpgradeRules();
    const outcome = await processMail(app, 'test', { ref: 'upgrade-2.eml', raw: await upgradeMail({ email: '', currentQualification: 'XYZ' }, 2), receivedAt: null });
    expect(outcome.cases[0]).toMatchObject({ number: 'U-2026-000001', status: 'missing-items' });
    const codes = outcome.cases[0]!.findings.map((f) => `${f.code}:${f.field}`);
    expect(codes).toEqual(expect.arrayContaining(['field.missing:email', 'field.invalid:currentQualification']));
    expect(outcome.cases[0]!.findings.find((f) => f.field === 'currentQualification')!.message).toContain('■申請者情報の「現在の資格」');
  });
});
