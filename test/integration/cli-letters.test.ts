// `conken postal` and `conken letters` as staff use them: the real CLI spawned on Node 24 against a temp data folder
// and the real pipeline (a text PDF of the renewal form without its e-mail address; no OCR). A paper form without
// the CPD proof gets its notices as letters; the list, the printable PDF and "posted" go through the same entry
// points as the workbench (src/app/letters.ts); the posted reply with the proof joins the case by its number.
import { describe, expect, it, vi } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFParse } from 'pdf-parse';
import { dataEnv, PROOF, tempDir } from '../support/harness.ts';
import { renewalFormWithoutEmail } from '../support/form-without-email.ts';
import { conken } from '../support/cli.ts';

vi.setConfig({ testTimeout: 180_000 });

interface Listed { id: number; caseNumber: string; kind: string; subject: string | null; recipient: { name: string; address: string } | null }

describe('conken postal and conken letters', () => {
  it('a paper application, its letters listed, printed to a file and marked posted, then the posted reply attached', async () => {
    const dir = tempDir();
    const env = dataEnv(dir);
    const scan = path.join(dir, 'scan.pdf');
    const proof = path.join(dir, '受講証明書.pdf');
    writeFileSync(scan, await renewalFormWithoutEmail());
    writeFileSync(proof, Buffer.from(PROOF.content));

    const help = await conken(['letters', '--help'], env);
    for (const sub of ['list', 'pdf', 'posted']) expect(help.stdout).toMatch(new RegExp(`\\n\\s+${sub}\\b`));

    const applied = await conken(['postal', scan, '--received', '2026-01-20', '--json'], env);
    expect(applied.code, applied.stderr).toBe(0);
    const number = JSON.parse(applied.stdout).cases[0].number as string;
    expect(JSON.parse(applied.stdout).cases[0].status).toBe('missing-items');

    const listed = await conken(['letters', 'list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const letters = JSON.parse(listed.stdout) as Listed[];
    expect(letters.map((l) => [l.caseNumber, l.kind])).toEqual([[number, 'acknowledgement'], [number, 'missing-items']]);
    expect(letters[0]!.recipient).toMatchObject({ name: '今田 健太郎' });
    const text = await conken(['letters', 'list'], env);
    expect(text.stdout).toContain('印刷待ちの郵便: 2件');
    expect(text.stdout).toContain(`${letters[1]!.id}  ${number}  missing-items`);

    const out = path.join(dir, 'letter.pdf');
    const pdf = await conken(['letters', 'pdf', String(letters[1]!.id), '-o', out], env);
    expect(pdf.code, pdf.stderr).toBe(0);
    expect(pdf.stdout).toContain(out);
    const printed = (await new PDFParse({ data: new Uint8Array(readFileSync(out)) }).getText()).text.replace(/\s+/g, '');
    expect(printed).toContain(number);
    expect(printed).toContain('【ご返送の方法】');
    expect(printed).toContain('コピーを郵送でお送りください');
    expect(printed).not.toContain('メール');

    const posted = await conken(['letters', 'posted', String(letters[0]!.id)], env);
    expect([posted.code, posted.stdout.trim()]).toEqual([0, `${number} の郵便 ${letters[0]!.id} を郵送済みにしました。`]);
    const again = await conken(['letters', 'posted', String(letters[0]!.id), '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false });
    const unknown = await conken(['letters', 'pdf', '999999'], env);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([2, '郵送する通知 999999 はありません']);

    // The applicant posted the proof back: attached to the case by its number, read as their reply.
    const replied = await conken(['postal', proof, '--case', number.toLowerCase(), '--received', '2026-01-24', '--json'], env);
    expect(replied.code, replied.stderr).toBe(0);
    expect(JSON.parse(replied.stdout)).toMatchObject({ classification: 'reply', cases: [{ number, status: 'awaiting-payment' }] });
    const waiting = JSON.parse((await conken(['letters', 'list', '--json'], env)).stdout) as Listed[];
    expect(waiting.map((l) => l.kind)).toEqual(['missing-items', 'awaiting-payment']);
    const noCase = await conken(['postal', proof, '--case', 'R-2026-999999', '--received', '2026-01-24'], env);
    expect([noCase.code, noCase.stderr.trim()]).toEqual([2, '受付番号 R-2026-999999 の案件はありません']);
  });
});
