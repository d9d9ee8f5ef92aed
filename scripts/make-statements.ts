// Regenerates samples/statements/: the same January 2026 transfers in every format we import, with the
// tricky cases of SPEC §5 (see scripts/lib/statement-data.ts for each row and its expected outcome).
// Deterministic: the same bytes on every run.   node scripts/make-statements.ts   (npm run statements)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRANSFERS, type Transfer } from './lib/statement-data.ts';
import { C, fullWidth, joinRecords, N, record, shiftJis, yymmdd } from './lib/statement-writer.ts';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'samples', 'statements');
mkdirSync(path.join(dir, 'invalid'), { recursive: true });
const on = (where: Transfer['in'][number]) => TRANSFERS.filter((t) => t.in.includes(where)).sort((a, b) => a.date.localeCompare(b.date));
const yen = (n: number) => n.toLocaleString('en-US');

// ── Zengin 振込入金通知 (種別 01): dates in 和暦 (令和8年 = 08), one record per line (CRLF) ─────────
function furikomi(rows: Transfer[], era: 'reiwa' | 'gregorian', created: string, from: string, to: string): number[][] {
  const credits = rows.filter((t) => t.direction === 'credit');
  const d = (iso: string) => yymmdd(iso, era);
  return [
    record(['1', '01', '0', d(created), d(from), d(to), '0005', C('ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ', 15), '001', C('ﾎﾝﾃﾝ', 15), '1', N(1234567, 7), C('ｼﾔ)ｺﾝﾀｸﾄｾﾝﾀｰｷﾖｳｲｸｹﾝﾃｲｷﾖｳｶｲ', 40), C('', 93)]),
    ...credits.map((t, i) => record(['2', N(100 + i, 6), d(t.date), d(t.date), N(t.amount, 10), N(0, 10), N(0, 10), C(t.name, 48), C('ﾐｽﾞﾎ', 15), C('ﾄｳｷﾖｳ', 15), ' ', C('', 20), C('', 52)])),
    record(['8', N(credits.length, 6), N(credits.reduce((a, t) => a + t.amount, 0), 12), N(0, 6), N(0, 12), C('', 163)]),
    record(['9', C('', 199)]),
  ];
}
writeFileSync(path.join(dir, 'zengin-furikomi-nyukin-r08.txt'), joinRecords(furikomi(on('furikomi'), 'reiwa', '2026-01-21', '2026-01-15', '2026-01-21'), true));

// ── Zengin 入出金取引明細 (種別 03): Gregorian dates, no line breaks, credits and debits ─────────────
function nyushukkin(rows: Transfer[], era: 'reiwa' | 'gregorian', created: string, from: string, to: string): number[][] {
  const d = (iso: string) => yymmdd(iso, era);
  const credits = rows.filter((t) => t.direction === 'credit');
  const debits = rows.filter((t) => t.direction === 'debit');
  const sum = (ts: Transfer[]) => ts.reduce((a, t) => a + t.amount, 0);
  return [
    record(['1', '03', '0', d(created), d(from), d(to), '0005', C('ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ', 15), '001', C('ﾎﾝﾃﾝ', 15), '000', '1', N(1234567, 10), C('ｼﾔ)ｺﾝﾀｸﾄｾﾝﾀｰｷﾖｳｲｸｹﾝﾃｲｷﾖｳｶｲ', 40), '1', '1', N(1_000_000, 14), C('', 71)]),
    ...rows.map((t, i) => record(['2', N(5000 + i, 8), d(t.date), d(t.date), t.direction === 'credit' ? '1' : '2', t.direction === 'credit' ? '11' : '18', N(t.amount, 12), N(0, 12), N(0, 6), N(0, 6), '0', N(0, 7), N(0, 3), N(0, 10),
      C(t.name, 48), C(t.direction === 'credit' ? 'ﾐｽﾞﾎ' : '', 15), C(t.direction === 'credit' ? 'ﾄｳｷﾖｳ' : '', 15), C(t.direction === 'credit' ? 'ﾌﾘｺﾐ' : 'ﾃｽｳﾘﾖｳ', 20), C('', 20), ' '])),
    record(['8', N(credits.length, 6), N(sum(credits), 13), N(debits.length, 6), N(sum(debits), 13), '1', N(1_000_000 + sum(credits) - sum(debits), 14), C('', 146)]),
    record(['9', C('', 199)]),
  ];
}
writeFileSync(path.join(dir, 'zengin-nyushukkin-2026.dat'), joinRecords(nyushukkin(on('nyushukkin'), 'gregorian', '2026-01-31', '2026-01-15', '2026-01-31'), false));

// ── 三菱UFJ銀行 入出金明細 CSV (Shift_JIS, CRLF, quoted): names in full-width as the web page shows them ─
{
  let balance = 1_000_000;
  const lines = ['"日付","摘要","摘要内容","支払い金額","預かり金額","差引残高","メモ","未資金化区分","入払区分"'];
  for (const t of on('mufg')) {
    balance += t.direction === 'credit' ? t.amount : -t.amount;
    const [y, m, d] = t.date.split('-').map(Number);
    lines.push([`${y}/${m}/${d}`, t.direction === 'credit' ? '振込１' : '手数料', t.direction === 'credit' ? fullWidth(t.name).replace(/ /g, '　') : '', t.direction === 'debit' ? yen(t.amount) : '', t.direction === 'credit' ? yen(t.amount) : '', yen(balance), '', '', t.direction === 'credit' ? '入金' : '振替支払い']
      .map((v) => `"${v}"`).join(','));
  }
  writeFileSync(path.join(dir, 'mufg-nyushukkin.csv'), shiftJis(`${lines.join('\r\n')}\r\n`));
}

// ── 楽天銀行 入出金明細 CSV (Shift_JIS, CRLF): YYYYMMDD, one signed amount, 振込 before the name ──────
{
  let balance = 500_000;
  const lines = ['取引日,入出金(円),取引後残高(円),入出金内容'];
  for (const t of on('rakuten')) {
    balance += t.direction === 'credit' ? t.amount : -t.amount;
    lines.push([t.date.replace(/-/g, ''), t.direction === 'credit' ? t.amount : -t.amount, balance, t.direction === 'credit' && t.id !== 'interest' ? `振込 ${t.name}` : t.name].join(','));
  }
  writeFileSync(path.join(dir, 'rakuten-nyushukkin.csv'), shiftJis(`${lines.join('\r\n')}\r\n`));
}

// ── Generic CSV (UTF-8 with BOM), mapped in rules/statements.yaml (layout "shinkin-web") ──────────
{
  const lines = ['取引日,起算日,お取引内容,入金額,出金額,お振込人名,照会番号'];
  on('generic').forEach((t, i) => {
    lines.push([t.date.replace(/-/g, '/'), t.date.replace(/-/g, '/'), t.direction === 'credit' ? '振込入金' : '出金', t.direction === 'credit' ? t.amount : '', t.direction === 'debit' ? t.amount : '', t.name, `G${N(i + 1, 5)}`].join(','));
  });
  writeFileSync(path.join(dir, 'generic-shinkin-web.csv'), `\ufeff${lines.join('\n')}\n`);
}

// ── Malformed files: rejected whole, with the line (record) and the reason ──────────────────────────
const good = furikomi(on('furikomi'), 'reiwa', '2026-01-21', '2026-01-15', '2026-01-21');
const badTrailer = good.map((r) => [...r]);
badTrailer[badTrailer.length - 2]!.splice(1, 6, ...[...N(99, 6)].map((c) => c.charCodeAt(0)));
writeFileSync(path.join(dir, 'invalid', 'zengin-trailer-mismatch.txt'), joinRecords(badTrailer, true));
writeFileSync(path.join(dir, 'invalid', 'zengin-truncated.dat'), joinRecords(good, false).subarray(0, 200 * 3 + 57));
writeFileSync(path.join(dir, 'invalid', 'zengin-no-end-record.txt'), joinRecords(good.slice(0, -1), true));
writeFileSync(path.join(dir, 'invalid', 'mufg-bad-amount.csv'), shiftJis('"日付","摘要","摘要内容","支払い金額","預かり金額","差引残高","メモ","未資金化区分","入払区分"\r\n"2026/1/15","振込１","０１２３コンダケンタロウ","","11,000","1,011,000","","","入金"\r\n"2026/1/16","振込１","ヤマダ　ヒロシ","","一万","1,021,000","","","入金"\r\n'));
writeFileSync(path.join(dir, 'invalid', 'unknown-columns.csv'), 'when,how much,who\n2026-01-15,11000,x\n');

process.stdout.write(`statements written to ${dir}\n`);
