// Letters for paper applications without an e-mail address (src/app/letters.ts, src/outbound/letter-pdf.ts): the
// scanned form goes through the real postal pipeline (a text PDF of the renewal form with its e-mail address taken
// out), the case writer keeps every notice the transition decides as a letter to the form's postal address, the
// real sender against a real SMTP server never mails one, and the printable PDF read back says what the notice's
// mail template says. A form with an e-mail address still gets mails only.
import { afterEach, describe, expect, it } from 'vitest';
import { PDFParse } from 'pdf-parse';
import { dataEnv, PROOF, ROOT, tempDir } from '../support/harness.ts';
import { RENEWAL_FORM_PDF, renewalFormWithoutEmail } from '../support/form-without-email.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { loadConfig } from '../../src/config/config.ts';
import { closeApp, createApp, type App } from '../../src/app/context.ts';
import { silentLogger } from '../../src/shared/log.ts';
import { receivePostal } from '../../src/app/postal-intake.ts';
import { deliverOutbox } from '../../src/app/daemon.ts';
import { createTransport } from '../../src/app/channels.ts';
import { letterPdf, LetterNotFound, markLetterPosted } from '../../src/app/letters.ts';
import { resendNotice } from '../../src/app/staff-actions.ts';
import { confirmField } from '../../src/app/confirm-field.ts';
import { digestFacts, composeDigest } from '../../src/app/jobs/daily-digest.ts';
import { letterRecipient } from '../../src/cases/outbox-store.ts';
import path from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { LetterError, loadLetterLayout, renderLetter, wrapText } from '../../src/outbound/letter-pdf.ts';
import { japaneseDate, loadCertificateLayout, renderCertificate } from '../../src/outbound/certificate.ts';
import { tokyoDate } from '../../src/shared/calendar.ts';
import type { OutgoingMail } from '../../src/outbound/outgoing-mail.ts';

const FORM_PDF = RENEWAL_FORM_PDF;
const NOW = new Date('2026-01-25T10:00:00+09:00');

let app: App | undefined;
let sink: SmtpSink | undefined;
afterEach(async () => {
  if (app) closeApp(app);
  app = undefined;
  await sink?.close();
  sink = undefined;
});

async function setup(): Promise<App> {
  sink = await startSmtpSink();
  const config = loadConfig({ cwd: ROOT, env: { ...dataEnv(tempDir()), ...sink.env(), CONKEN_REVIEWER_ADDRESS: 'reviewer@conken.example.jp' } });
  return (app = createApp(config, silentLogger()));
}

const squash = (s: string) => s.replace(/\s+/g, '');

describe('letters for paper applications without an e-mail address', () => {
  it('every notice is kept as a letter to the form’s address, never mailed; its PDF prints the mail template’s text', async () => {
    const a = await setup();
    const noEmail = await receivePostal(a, { kind: 'renewal', receivedOn: '2026-01-20', files: [{ filename: 'scan.pdf', content: await renewalFormWithoutEmail() }, { filename: '受講証明書.pdf', content: Buffer.from(PROOF.content) }] }, 'staff:sato', NOW);
    const withEmail = await receivePostal(a, { kind: 'renewal', receivedOn: '2026-01-20', files: [{ filename: 'scan.pdf', content: FORM_PDF }, { filename: '受講証明書.pdf', content: Buffer.from(PROOF.content) }] }, 'staff:sato', NOW);
    expect(noEmail.contact).toBe('print');
    expect(withEmail.contact).toBe('mail');
    const paper = a.cases.caseByNumber(noEmail.cases[0]!.number!)!;
    const mailed = a.cases.caseByNumber(withEmail.cases[0]!.number!)!;
    expect([paper.applicant_address, paper.notices_suppressed]).toEqual([null, 0]);

    // Every notice the transition decided, each a letter. The postal address is the contact: a complete paper form
    // without an e-mail address is not asked for one (rules: optionalByChannel) and waits for the fee like a mail's.
    const letters = a.outbox.outboxForCase(paper.id).filter((o) => o.audience === 'applicant');
    const mails = a.outbox.outboxForCase(mailed.id).filter((o) => o.audience === 'applicant');
    expect(letters.map((o) => o.kind)).toEqual(['acknowledgement', 'awaiting-payment']);
    expect(a.cases.caseByNumber(paper.number)!.status).toBe('awaiting-payment');
    expect(a.cases.currentFindings(paper.id).filter((f) => f.field === 'email').map((f) => [f.code, f.audience])).toEqual([['field.missing', 'reviewer']]);
    expect(mails.map((o) => o.kind)).toContain('acknowledgement');
    expect(letters.every((o) => o.status === 'letter')).toBe(true);
    expect(mails.every((o) => o.status === 'pending' && o.to_address === mailed.applicant_address)).toBe(true);
    expect(letterRecipient(letters[0]!)).toEqual({ postalCode: '100-0005', address: '東京都千代田区丸の内1-2-3サンプルビル5階', name: '今田 健太郎' });
    expect(a.outbox.lettersWaitingCount()).toBe(letters.length);
    expect(a.cases.events(paper.id).filter((e) => e.type === 'notice.queued').map((e) => JSON.parse(e.data_json!).channel)).toEqual(letters.map(() => 'letter'));

    // Composed from the same template, worded for paper (its byPost sections): the subject is the mail's (no "Re:"),
    // the text tells to write to the association's address printed on the letter, never to reply to a mail.
    const composed = (row: { mail_json: string }) => JSON.parse(row.mail_json) as OutgoingMail;
    const l = composed(letters.find((o) => o.kind === 'acknowledgement')!);
    const m = composed(mails.find((o) => o.kind === 'acknowledgement')!);
    expect(l.subject).toBe(m.subject.replace(/^Re: /, '').replaceAll(mailed.number, paper.number));
    expect(m.text).toContain('このメールに返信');
    expect(l.text).not.toMatch(/メール/);
    expect(l.text).toContain('郵送でお送りいただいた申請書を2026年1月20日に受け付けました。');
    expect(l.text).toContain('本状右上に記載の当協会あてにお送りください');
    expect(l.text).toContain('今田 健太郎 様');
    expect(composed(letters[1]!).text).toContain('認定審査手数料（11,000円・税込）');
    expect(composed(letters[1]!).text).not.toMatch(/メール/);

    // The real sender against a real SMTP server: the mails go out, no letter does, and the letters stay to print.
    const transport = createTransport(a);
    const delivered = await deliverOutbox(a, transport).finally(() => transport.close?.());
    expect(delivered.failed).toBe(0);
    expect(sink!.received.map((r) => r.caseNumber)).toContain(mailed.number);
    expect(sink!.received.filter((r) => r.caseNumber === paper.number && !r.envelopeTo.includes('reviewer@conken.example.jp'))).toEqual([]);
    expect(sink!.received.flatMap((r) => r.envelopeTo)).not.toContain('');
    expect(a.outbox.outboxForCase(paper.id).filter((o) => o.audience === 'applicant').map((o) => [o.status, o.attempts])).toEqual(letters.map(() => ['letter', 0]));

    // The PDF: the name, the address, the case number and the notice's text; the font embedded; the same bytes again.
    const first = letters[0]!;
    const { pdf, filename } = await letterPdf(a, paper.number, first.id);
    expect(filename).toBe(`${paper.number}_${first.kind}_${first.id}.pdf`);
    const text = (await new PDFParse({ data: new Uint8Array(pdf) }).getText()).text;
    const mail = JSON.parse(a.outbox.outboxForCase(paper.id).find((o) => o.id === first.id)!.mail_json) as OutgoingMail;
    expect(text).toMatch(/^今田 健太郎\s+様$/m);
    // The sender block from mail-templates/letter.yaml, digits after Latin letters included (no Latin glyph forms).
    for (const s of ['TEL：03-5293-5661', '〒100-0005', '東京都千代田区丸の内1-2-3', paper.number, '一般社団法人 日本コンタクトセンター教育検定協会', japaneseDate(tokyoDate(new Date(first.created_at)))]) expect(text).toContain(s);
    expect(squash(text)).toContain(squash(mail.subject));
    expect(squash(text)).toContain(squash(mail.text));
    const raw = Buffer.from(pdf).toString('latin1');
    expect(raw).toMatch(/\/FontDescriptor[\s\S]*\/FontFile[23]? \d+ 0 R/);
    expect(Buffer.from((await letterPdf(a, paper.number, first.id)).pdf).equals(Buffer.from(pdf))).toBe(true);

    // Staff send a notice again: a transition like any other, so it is a letter too.
    resendNotice(a, paper.number, 'acknowledgement', 'staff:sato', NOW);
    const again = a.outbox.outboxForCase(paper.id).filter((o) => o.audience === 'applicant');
    expect(again.length).toBe(letters.length + 1);
    expect(again.at(-1)!.status).toBe('letter');
    expect(again.at(-1)!.rfc_message_id).toMatch(/\.acknowledgement\.2@/);

    // The digest names how many wait to be printed (a count, never a name).
    const facts = digestFacts(a, '2026-01-26T08:30', NOW);
    expect(facts.lettersToPrint).toBe(letters.length + 1);
    const digest = composeDigest(a, facts, '2026-01-26T08:30');
    expect(digest.text).toContain(`印刷して郵送する通知（メールアドレスのない郵送の申請者宛て）：${letters.length + 1}件`);
    expect(digest.text).not.toContain('今田');

    // Posted: once, recorded on the case's history; a mail or another case's letter is not a letter of this case.
    expect(markLetterPosted(a, paper.number, first.id, 'staff:sato', NOW)).toBe(true);
    expect(markLetterPosted(a, paper.number, first.id, 'staff:sato', NOW)).toBe(false);
    const posted = a.outbox.outboxForCase(paper.id).find((o) => o.id === first.id)!;
    expect([posted.status, posted.sent_at]).toEqual(['posted', NOW.toISOString()]);
    expect(a.cases.events(paper.id).filter((e) => e.type === 'letter.posted').map((e) => [e.actor, JSON.parse(e.data_json!).messageId])).toEqual([['staff:sato', first.rfc_message_id]]);
    expect(a.outbox.lettersWaitingCount()).toBe(letters.length);
    expect(() => markLetterPosted(a, mailed.number, mails[0]!.id, 'staff:sato')).toThrow(LetterNotFound);
    expect(() => markLetterPosted(a, mailed.number, first.id, 'staff:sato')).toThrow(LetterNotFound);
    await expect(letterPdf(a, paper.number, mails[0]!.id)).rejects.toThrow(LetterNotFound);

    // Staff correct the address read from the scan: the letters still to print go there, the posted one stays as it was.
    confirmField(a, paper.number, 'address', '東京都港区芝公園4-2-8', 'staff:sato');
    const after = a.outbox.outboxForCase(paper.id).filter((o) => o.audience === 'applicant');
    expect(after.filter((o) => o.status === 'letter').map((o) => letterRecipient(o)!.address)).toEqual(after.filter((o) => o.status === 'letter').map(() => '東京都港区芝公園4-2-8'));
    expect(letterRecipient(after.find((o) => o.id === first.id)!)!.address).toBe('東京都千代田区丸の内1-2-3サンプルビル5階');
    expect(a.cases.events(paper.id).some((e) => e.type === 'letter.readdressed')).toBe(true);
    const waitingId = after.find((o) => o.status === 'letter')!.id;
    expect((await new PDFParse({ data: new Uint8Array((await letterPdf(a, paper.number, waitingId)).pdf) }).getText()).text).toContain('東京都港区芝公園4-2-8');
  });

  it('without a form to read there is no address to write to: mail stays held and no letter is made', async () => {
    const a = await setup();
    const r = await receivePostal(a, { kind: 'renewal', receivedOn: '2026-01-21', files: [{ filename: 'scan.pdf', content: Buffer.from(PROOF.content) }] }, 'staff:sato', NOW);
    const row = a.cases.caseByNumber(r.cases[0]!.number!)!;
    expect([row.notices_suppressed, a.outbox.outboxForCase(row.id).length, a.outbox.lettersWaitingCount()]).toEqual([1, 0, 0]);
  });

  it('a long letter runs onto numbered pages; a PDF its mail would attach (the certificate) follows it, fonts embedded', async () => {
    const certificate = await renderCertificate(loadCertificateLayout(path.join(ROOT, 'mail-templates')), { name: '今田 健太郎', qualification: 'OMP', qualificationName: 'オペレーションマネジメントプロフェショナル', certificationNumber: 'OMP-2026-0001', validFrom: '2026-04-01', validTo: '2029-03-31', issuedOn: '2026-02-28' });
    const text = Array.from({ length: 50 }, (_, i) => `${i + 1}行目：審査の結果をお知らせします。`).join('\n');
    const pdf = await renderLetter(loadLetterLayout(path.join(ROOT, 'mail-templates')), { caseNumber: 'R-2026-000009', date: '2026-02-28', recipient: { postalCode: null, address: '大阪府大阪市北区1-1', name: '今田 健太郎' }, subject: '【コン検】審査結果のお知らせ', text }, [certificate]);
    const parsed = await new PDFParse({ data: new Uint8Array(pdf) }).getText();
    expect(parsed.pages.length).toBe(3);
    expect(parsed.pages[0]!.text).toContain('受付番号 R-2026-000009（1/2）');
    expect(parsed.pages[1]!.text).toContain('受付番号 R-2026-000009（2/2）');
    expect(parsed.pages[1]!.text).toContain('50行目：審査の結果をお知らせします。');
    expect(parsed.pages[2]!.text).toContain('OMP-2026-0001');
    // No postal code read: the recipient block begins with the address.
    expect(parsed.pages[0]!.text.trimStart()).toMatch(/^大阪府大阪市北区1-1\n今田 健太郎\s+様\n/);
    expect([...Buffer.from(pdf).toString('latin1').matchAll(/\/FontFile[23]? \d+ 0 R/g)].length).toBe(2);
  });

  it('the letter layout file: a mistake names the file and the key', () => {
    const dir = tempDir('conken-letter-');
    const shipped = readFileSync(path.join(ROOT, 'mail-templates', 'letter.yaml'), 'utf8');
    expect(loadLetterLayout(path.join(ROOT, 'mail-templates')).sender).toContain('一般社団法人 日本コンタクトセンター教育検定協会');
    expect(() => loadLetterLayout(dir)).toThrow(/letter\.yaml: missing/);
    writeFileSync(path.join(dir, 'letter.yaml'), shipped.replace('sender:', 'senders:'));
    expect(() => loadLetterLayout(dir)).toThrow(LetterError);
    expect(() => loadLetterLayout(dir)).toThrow(/letter\.yaml, key/);
    writeFileSync(path.join(dir, 'letter.yaml'), shipped.replaceAll('/usr/share/fonts/opentype/noto/', '/nowhere/'));
    expect(() => loadLetterLayout(dir)).toThrow(/install fonts-noto-cjk/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('wraps Japanese anywhere but keeps a Latin word whole and punctuation off the start of a line', () => {
    const measure = (s: string) => [...s].length;
    expect(wrapText('あいうえおかきくけこ', 4, measure)).toEqual(['あいうえ', 'おかきく', 'けこ']);
    expect(wrapText('あいう。えお', 3, measure)).toEqual(['あいう。', 'えお']);
    expect(wrapText('メール abc@example.jp へ', 16, measure)).toEqual(['メール', 'abc@example.jp へ']);
    expect(wrapText('一行目\n\n三行目', 10, measure)).toEqual(['一行目', '', '三行目']);
  });
});
