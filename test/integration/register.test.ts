// The register of holders: the import (UTF-8 and Shift_JIS, rejected whole with line and reason, re-import
// updates), list/show/export through the CLI, and renewals through the whole path checked against it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Encoding from 'encoding-japanese';
import { afterEach, describe, expect, it } from 'vitest';
import { dataEnv, harness, form, mail, PROOF, sampleMail, SAMPLES, type Harness } from '../support/harness.ts';
import { conken } from '../support/cli.ts';
import { exportRegisterCsv, importRegister, listHolders, parseHolders, RegisterImportError, registerCheckOf, showHolder } from '../../src/app/register.ts';
import { holderStatusOn } from '../../src/cases/register-store.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

const HEADER = '認定番号,資格,氏名,氏名かな,有効期間開始,有効期間終了,状態,メール';
const parse = (text: string) => parseHolders(text, ['OMP', 'CAP'], '2026-02-01');
const rejected = (text: string) => {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RegisterImportError);
    return (error as Error).message;
  }
  throw new Error('not rejected');
};

describe('the register import', () => {
  it('reads the documented layout, in English or Japanese headings, with dates in either form; an empty status is active, expired is read from the dates', () => {
    const holders = parse(`${HEADER}\nOMP-2023-0123,OMP,今田　健太郎,こんだ けんたろう,2023/4/1,2026/3/31,,\nCAP-2019-0001,cap,古川 次郎,,2019-04-01,2022-03-31,,\n`);
    expect(holders).toEqual([
      { certificationNumber: 'OMP-2023-0123', qualification: 'OMP', name: '今田 健太郎', nameKana: 'こんだ けんたろう', validFrom: '2023-04-01', validTo: '2026-03-31', status: 'active', email: null },
      // Recorded active: the state on a day says expired (holderStatusOn), nobody decided it lapsed.
      { certificationNumber: 'CAP-2019-0001', qualification: 'CAP', name: '古川 次郎', nameKana: null, validFrom: '2019-04-01', validTo: '2022-03-31', status: 'active', email: null },
    ]);
    // 'expired' (or 期限切れ), as the export writes it, is kept as active when the validity has ended…
    expect(parse(`${HEADER}\nX-1,OMP,名前,,2019-04-01,2022-03-31,期限切れ,\nX-2,OMP,名前,,2019-04-01,2022-03-31,Expired,\n`).map((x) => x.status)).toEqual(['active', 'active']);
    // …and refused for a validity still running (parse's today is 2026-02-01).
    expect(rejected(`${HEADER}\nX-1,OMP,名前,,2023-04-01,2026-03-31,expired,\n`)).toContain('2行目: 状態「expired」ですが、有効期間終了 2026-03-31 はまだ過ぎていません');
    expect(parse('certification_number,qualification,name,valid_from,valid_to\nOMP-1,OMP,A B,2023-04-01,2026-03-31\n')).toHaveLength(1);
  });

  it('rejects the whole file with each bad line and why', () => {
    expect(rejected('')).toContain('空です');
    expect(rejected('認定番号,氏名\nX,Y\n')).toMatch(/1行目: 列「資格」がありません/);
    const message = rejected([HEADER,
      'OMP-1,OMP,今田 健太郎,,2023-04-01,2026-03-31,,',
      ',OMP,名前,,2023-04-01,2026-03-31,,',
      'OMP-2,XYZ,名前,,2023-04-01,2026-03-31,,',
      'OMP-3,OMP,,,2023-02-30,2026-03-31,,',
      'OMP-4,OMP,名前,,2026-04-01,2023-03-31,,',
      'OMP-5,OMP,名前,,2023-04-01,2026-03-31,休止,',
      'OMP-6,OMP,名前,,2023-04-01,2026-03-31,,not-an-address',
      'OMP-1,OMP,名前,,2023-04-01,2026-03-31,,',
    ].join('\n'));
    expect(message).toContain('何も登録していません');
    expect(message).toContain('3行目: 認定番号が空です');
    expect(message).toContain('4行目: 資格「XYZ」は OMP / CAP');
    expect(message).toMatch(/5行目: 氏名が空です、有効期間開始「2023-02-30」は日付/);
    expect(message).toContain('6行目: 有効期間の開始が終了より後です');
    expect(message).toContain('7行目: 状態「休止」');
    expect(message).toContain('8行目: メール「not-an-address」');
    expect(message).toContain('9行目: 認定番号 OMP-1 が2行目と重複しています');
    expect(rejected(`${HEADER}\n"unterminated,OMP\n`)).toContain('CSVとして読めません');
  });

  it('loads a Shift_JIS file; a re-import updates, never duplicates; a bad file leaves the register as it was', () => {
    h = harness();
    const file = path.join(h.dir, 'holders.csv');
    writeFileSync(file, Buffer.from(Encoding.convert(Encoding.stringToCode(readFileSync(path.join(SAMPLES, 'registry.csv'), 'utf8')), { to: 'SJIS', from: 'UNICODE' })));
    expect(importRegister(h.app, file)).toEqual({ added: 13, updated: 0 });
    expect(showHolder(h.app, 'CAP-2022-0310')!.holder).toMatchObject({ name: '髙橋 美咲', status: 'revoked' });
    writeFileSync(file, `\uFEFF${HEADER}\nOMP-2023-0123,OMP,今田 健太郎,こんだ けんたろう,2023-04-01,2026-03-31,active,new@example.jp\n`);
    expect(importRegister(h.app, file)).toEqual({ added: 0, updated: 1 });
    expect(listHolders(h.app)).toHaveLength(13);
    expect(showHolder(h.app, 'omp-2023-0123')!.holder.email).toBe('new@example.jp');
    expect(showHolder(h.app, 'omp-2023-0123')!.statusChanges).toEqual([]);
    // A line that changes a known holder's state: the holder's history keeps it, with the file as the reason.
    writeFileSync(file, `${HEADER}\nOMP-2023-0123,OMP,今田 健太郎,こんだ けんたろう,2023-04-01,2026-03-31,lapsed,new@example.jp\n`);
    expect(importRegister(h.app, file, new Date('2026-03-01T00:00:00Z'), 'cli:office')).toEqual({ added: 0, updated: 1 });
    expect(showHolder(h.app, 'OMP-2023-0123')!.statusChanges).toEqual([
      { at: '2026-03-01T00:00:00.000Z', by: 'cli:office', previous: 'active', status: 'lapsed', reason: '名簿CSVの取り込み（holders.csv）' },
    ]);
    writeFileSync(file, `${HEADER}\nNEW-1,OMP,名前,,2023-04-01,2026-03-31,,\nNEW-2,OMP,,,2023-04-01,2026-03-31,,\n`);
    expect(() => importRegister(h!.app, file)).toThrow(/3行目/);
    expect(showHolder(h.app, 'NEW-1')).toBeUndefined();
    // The export imports back as it is (UTF-8 with a BOM for Excel).
    // The states as on parse's day (states are for a day: an export read back on another day may differ).
    const csv = exportRegisterCsv(listHolders(h.app, { on: '2026-02-01' }));
    expect(csv.startsWith(`\uFEFF${HEADER}\r\n`)).toBe(true);
    expect(parse(csv.slice(1))).toHaveLength(13);
    expect(listHolders(h.app, { qualification: 'CAP' }).map((x) => x.certification_number)).toEqual(['CAP-2022-0310', 'CAP-2022-0556', 'CAP-2023-0321', 'CAP-2023-0456']);
    expect(listHolders(h.app, { expiryYear: 2023 }).map((x) => x.certification_number)).toEqual(['OMP-2020-0042']);
    expect(listHolders(h.app, { query: '今田健太郎' }).map((x) => x.certification_number)).toEqual(['OMP-2023-0123']);
  });
});

describe('the expired state (computed from the dates, in one place)', () => {
  it('shown, filtered and exported by the state on the day asked; the SQL filter and holderStatusOn agree on every day', () => {
    h = harness();
    const file = path.join(h.dir, 'holders.csv');
    writeFileSync(file, [HEADER,
      'A-1,OMP,有効 一,,2023-04-01,2026-03-31,,',
      'A-2,OMP,期限 二,,2021-04-01,2024-03-31,,',
      'A-3,OMP,失効 三,,2020-04-01,2023-03-31,lapsed,',
      'A-4,CAP,取消 四,,2023-04-01,2026-03-31,revoked,',
      'A-5,CAP,期限 五,,2022-04-01,2025-03-31,期限切れ,',
    ].join('\n'));
    importRegister(h.app, file, new Date('2026-02-01T00:00:00+09:00'));
    const numbers = (filter: Parameters<typeof listHolders>[1]) => listHolders(h!.app, filter).map((x) => x.certification_number);
    expect(numbers({ status: 'expired', on: '2026-02-01' })).toEqual(['A-2', 'A-5']);
    expect(numbers({ status: 'active', on: '2026-02-01' })).toEqual(['A-1']);
    // The day after A-1's last day it is expired too; lapsed and revoked stay as recorded.
    expect(numbers({ status: 'expired', on: '2026-04-01' })).toEqual(['A-1', 'A-2', 'A-5']);
    expect(numbers({ status: 'lapsed', on: '2026-04-01' })).toEqual(['A-3']);
    expect(numbers({ status: 'revoked', on: '2026-04-01' })).toEqual(['A-4']);
    for (const on of ['2024-03-30', '2024-03-31', '2024-04-01', '2025-03-31', '2025-04-01', '2026-03-31', '2026-04-01']) {
      const all = listHolders(h.app, { on });
      for (const state of ['active', 'expired', 'lapsed', 'revoked'] as const) {
        expect(numbers({ status: state, on }), `${state} on ${on}`).toEqual(all.filter((x) => x.status === holderStatusOn(x.recorded_status, x.valid_to, on) && x.status === state).map((x) => x.certification_number));
      }
      expect(all.every((x) => x.recorded_status !== ('expired' as string))).toBe(true);
    }
    // The export writes the state on the day, and imports back (expired kept as active, read again as expired).
    const csv = exportRegisterCsv(listHolders(h.app, { on: '2026-02-01' }));
    expect(csv).toContain('A-2,OMP,期限 二,,2021-04-01,2024-03-31,expired');
    expect(csv).toContain('A-3,OMP,失効 三,,2020-04-01,2023-03-31,lapsed');
    writeFileSync(file, csv);
    expect(importRegister(h.app, file, new Date('2026-02-01T00:00:00+09:00'))).toEqual({ added: 0, updated: 5 });
    expect(numbers({ status: 'expired', on: '2026-02-01' })).toEqual(['A-2', 'A-5']);
  });

  it('a renewal of an expired holder (received after the validity ended) is a staff finding with the dates', async () => {
    h = harness();
    const file = path.join(h.dir, 'holders.csv');
    // Validity ended 2025-03-31: the renewal received 2026-01-20 comes after it (the window of early 2025 passed).
    writeFileSync(file, `${HEADER}\nOMP-2023-0123,OMP,今田 健太郎,こんだ けんたろう,2022-04-01,2025-03-31,,\n`);
    importRegister(h.app, file);
    const o = await h.process(await mail());
    const f = o.cases[0]!.findings.filter((x) => x.code.startsWith('register.'));
    expect(f.map((x) => `${x.code}/${x.audience}`)).toEqual(['register.validity-mismatch/staff']);
    expect(f[0]!.message).toMatch(/2025-03-31 に満了した後（期限切れ）.*2022-04-01〜2025-03-31.*受付日 2026-01-20/);
    expect(o.cases[0]!.status).toBe('exception');
    expect(showHolder(h.app, 'OMP-2023-0123')!.holder.status).toBe('expired');
  });
});

describe('renewals checked against the register', () => {
  const outcome = async (changes: Parameters<typeof form>[0]) => {
    const o = await h!.process(await mail({ attachments: [{ filename: '更新申請書.docx', content: form(changes) }, PROOF] }));
    return { status: o.cases[0]!.status, codes: o.cases[0]!.findings.map((f) => `${f.code}/${f.audience}`).filter((c) => c.startsWith('register.')) };
  };

  it('match, unknown number, wrong qualification, changed name, early and lapsed', async () => {
    h = harness();
    // Without a register nothing is checked (every renewal would be an exception).
    expect(await outcome({})).toEqual({ status: 'awaiting-payment', codes: [] });
    importRegister(h.app, path.join(SAMPLES, 'registry.csv'));
    expect(await outcome({})).toEqual({ status: 'awaiting-payment', codes: [] });
    expect(await outcome({ certificationNumber: 'OMP-2023-9999' })).toEqual({ status: 'exception', codes: ['register.unknown-number/staff'] });
    expect(await outcome({ certificationNumber: 'CAP-2023-0456', name: '山田 浩', nameKana: 'やまだ ひろし' })).toEqual({ status: 'exception', codes: ['register.qualification-mismatch/staff'] });
    expect(await outcome({ name: '山本 健太郎' })).toEqual({ status: 'awaiting-payment', codes: ['register.name-mismatch/reviewer'] });
    expect(await outcome({ certificationNumber: 'OMP-2020-0042', name: '佐藤 一郎', nameKana: 'さとう いちろう' })).toEqual({ status: 'exception', codes: ['register.not-active/staff'] });
    const file = path.join(h.dir, 'early.csv');
    writeFileSync(file, `${HEADER}\nOMP-2024-0001,OMP,今田 健太郎,こんだ けんたろう,2024-04-01,2027-03-31,active,\n`);
    importRegister(h.app, file);
    expect(await outcome({ certificationNumber: 'OMP-2024-0001' })).toEqual({ status: 'exception', codes: ['register.validity-mismatch/staff'] });
  });
});

describe('every renewal in the samples against the sample register', () => {
  it('samples/registry.csv holds each sample renewal\'s holder: every check matches, and the reviewer\'s view of it says so', async () => {
    h = harness();
    importRegister(h.app, path.join(SAMPLES, 'registry.csv'));
    // The certification samples (their scans take minutes of OCR) hold no renewal: left out.
    const mails = readdirSync(path.join(SAMPLES, 'mails')).filter((f) => f.endsWith('.eml') && !f.includes('certification')).sort();
    const checked: string[] = [];
    for (const f of mails) {
      const o = await h.process(sampleMail(f), f);
      for (const c of o.cases.filter((x) => x.kind === 'renewal' && x.number)) {
        expect(c.findings.filter((x) => x.code.startsWith('register.')), `${f} ${c.number}`).toEqual([]);
        const row = h.app.cases.caseByNumber(c.number!)!;
        const check = registerCheckOf(h.app, row)!;
        const number = (c.application as { certificationNumber?: string } | null)?.certificationNumber;
        if (!number) {
          expect(check.outcome, `${f}: no number read`).toBe('no-number');
          continue;
        }
        // What the review page shows: the register's holder of that number, of that qualification, in force on receipt.
        expect(check, f).toMatchObject({ outcome: 'matched', certificationNumber: number, holder: { certificationNumber: number, status: 'active', statusLabel: '有効' }, findings: [] });
        checked.push(`${c.number}:${number}`);
      }
    }
    // Every sample renewal that carries a number (01–05, 07, 13–17; 04 has two forms).
    expect(checked.length).toBeGreaterThanOrEqual(12);
  }, 300_000);
});

describe('the CLI', () => {
  it('register import / list / show / export and review approve|reject|return, refusals exit 2', async () => {
    h = harness();
    const env = { ...dataEnv(h.dir), CONKEN_USER: 'ito' };
    const bad = path.join(h.dir, 'bad.csv');
    writeFileSync(bad, `${HEADER}\nX,ZZZ,名前,,2023-04-01,2026-03-31,,\n`);
    const refused = await conken(['register', 'import', bad], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('2行目: 資格「ZZZ」');
    // Each CLI process costs seconds here: the good import runs in-process, the same function the command calls.
    expect(importRegister(h.app, path.join(SAMPLES, 'registry.csv'))).toEqual({ added: 13, updated: 0 });

    const number = (await h.process(await mail())).cases[0]!.number!;
    const { importStatementRows } = await import('../../src/app/import-payments.ts');
    importStatementRows(h.app, 'b.csv', 'hash-cli', 'simple-csv', [{ line: 2, paidOn: '2026-01-21', amount: 11000, transferName: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ' }], 'test');
    const approved = await conken(['review', number, 'approve', '--json'], env);
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ case: number, status: 'approved', certificationNumber: 'OMP-2023-0123', validTo: '2029-03-31', notices: ['review-approved'] });
    // Embedded mode: the result mail with its certificate is in the outbox folder at once.
    expect(readFileSync(path.join(h.config.outbox.dir, `${number}.review-approved.1.eml`), 'latin1')).toContain('application/pdf');
    const again = await conken(['review', number, 'return', '--text', '質問'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('審査済みの案件です');
    expect(showHolder(h.app, 'OMP-2023-0123')!.cases).toEqual([expect.objectContaining({ case_number: number, role: 'renewed', valid_from: '2026-04-01', valid_to: '2029-03-31' })]);
    const exported = await conken(['registry', 'export'], env);
    expect(exported.stdout).toContain('OMP-2023-0123,OMP,今田 健太郎,こんだ けんたろう,2023-04-01,2029-03-31,active');
    const events = h.app.cases.events(h.app.cases.caseByNumber(number)!.id).filter((e) => e.type === 'case.decided');
    expect(events.map((e) => e.actor)).toEqual(['reviewer:ito']);
  }, 180_000);
});
