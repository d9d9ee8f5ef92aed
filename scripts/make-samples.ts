// Regenerates samples/: filled renewal forms (from the association's blank form), the mails that
// carry them, and a bank statement. Deterministic: the same bytes on every run.
//   node scripts/make-samples.ts
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillRenewalForm, truncatedDocx, unrelatedDocx, RENEWAL_TEMPLATE } from './lib/fill-renewal-form.ts';
import { buildMail, type MailSpec } from './lib/mail-builder.ts';
import { SAMPLE_FORMS, proofPdf } from './lib/sample-data.ts';
import { fillCertificationForm, CERTIFICATION_TEMPLATE } from './lib/fill-certification-form.ts';
import { CERTIFICATION_SAMPLES } from './lib/certification-samples.ts';
import { examReportDocx, toPdfs, toScanJpegs, toScanPng, toScannedPdf, type ExamReport } from './lib/exam-report.ts';
import { writeScanSamples } from './lib/scan-images.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'samples');
const template = readFileSync(RENEWAL_TEMPLATE);
for (const dir of ['forms', 'forms-pdf', 'scans', 'mails']) {
  rmSync(path.join(root, dir), { recursive: true, force: true });
  mkdirSync(path.join(root, dir), { recursive: true });
}
mkdirSync(path.join(root, 'statements'), { recursive: true }); // the bank formats are scripts/make-statements.ts's

const forms: Record<string, Uint8Array> = {};
for (const sample of SAMPLE_FORMS) {
  forms[sample.file] = fillRenewalForm(template, sample.fill);
  writeFileSync(path.join(root, 'forms', sample.file), forms[sample.file]!);
  writeFileSync(path.join(root, 'forms', sample.file.replace(/\.docx$/, '.expected.json')), `${JSON.stringify({ description: sample.description, expected: sample.expected, expectedFindings: sample.findings, expectedStatus: sample.status }, null, 2)}\n`);
}
forms['corrupt.docx'] = truncatedDocx(forms['renewal-complete.docx']!);
forms['not-our-form.docx'] = unrelatedDocx();
forms['proof-certificate.pdf'] = proofPdf();
for (const f of ['corrupt.docx', 'not-our-form.docx', 'proof-certificate.pdf']) writeFileSync(path.join(root, 'forms', f), forms[f]!);

// Certification forms and the exam result reports that go with them (PDFs printed by LibreOffice).
const certificationTemplate = readFileSync(CERTIFICATION_TEMPLATE);
for (const sample of CERTIFICATION_SAMPLES) {
  forms[sample.file] = fillCertificationForm(certificationTemplate, sample.fill);
  writeFileSync(path.join(root, 'forms', sample.file), forms[sample.file]!);
  writeFileSync(path.join(root, 'forms', sample.file.replace(/\.docx$/, '.expected.json')), `${JSON.stringify({ description: sample.description, expected: sample.expected, expectedFindings: sample.findings, expectedStatus: sample.status }, null, 2)}\n`);
}
// Each applicant's own report (the reader cross-checks its number with the form).
const sampleFill = (file: string) => CERTIFICATION_SAMPLES.find((x) => x.file === file)!.fill;
const reportOf = (file: string, qualification: 'OMP' | 'CAP' = 'OMP'): ExamReport => {
  const fill = sampleFill(file);
  return { passerNumber: fill.passerNumber!, name: fill.name!, qualification, examDate: '2025年6月22日', issuedOn: '2025年7月15日' };
};
const reports: Record<string, ExamReport> = {
  'exam-report-2025': reportOf('certification-complete.docx'),
  'exam-report-2025-yoshida': reportOf('certification-oath-unchecked.docx'),
  'exam-report-2025-nakamura': reportOf('certification-overlapping.docx'),
  'exam-report-2025-kato': reportOf('certification-typed-signature.docx'),
  'exam-report-2022-expired': { passerNumber: '2211330777', name: '古川 亮', qualification: 'OMP', examDate: '2022年10月30日', issuedOn: '2022年11月30日' },
};
const reportPdfs = toPdfs(Object.fromEntries(Object.entries(reports).map(([name, r]) => [name, examReportDocx(r)])));
for (const [name, pdf] of Object.entries(reportPdfs)) {
  forms[`${name}.pdf`] = pdf;
  writeFileSync(path.join(root, 'forms', `${name}.pdf`), pdf);
}
// A phone scan of Kato's report: no text layer (read by OCR once that lands; until then the reviewer is told).
forms['exam-report-2025-kato-scan.png'] = toScanPng(forms['exam-report-2025-kato.pdf']!);
writeFileSync(path.join(root, 'forms', 'exam-report-2025-kato-scan.png'), forms['exam-report-2025-kato-scan.png']);
// The same report scanned to PDF (images only, no text layer), as office scanners send it.
forms['exam-report-2025-kato-scan.pdf'] = toScannedPdf(forms['exam-report-2025-kato.pdf']!, 150);
writeFileSync(path.join(root, 'forms', 'exam-report-2025-kato-scan.pdf'), forms['exam-report-2025-kato-scan.pdf']);
forms['certification-expired-report.docx'] = fillCertificationForm(certificationTemplate, {
  ...CERTIFICATION_SAMPLES[0]!.fill, passerNumber: '2211330777', name: '古川 亮', nameKana: 'ふるかわ りょう', examReportIssuedOn: '2022年11月30日', feeTransferName: '0777フルカワリョウ',
});
writeFileSync(path.join(root, 'forms', 'certification-expired-report.docx'), forms['certification-expired-report.docx']);

// The filled forms as applicants export them to PDF (LibreOffice, as Word's "Save as PDF" would), and
// one printed and scanned (image-only PDF). The .expected.json beside each .docx holds for its PDF too.
// A representative few (each PDF carries its embedded CJK fonts: ~400 kB).
const filled = ['renewal-complete.docx', 'renewal-variants.docx', 'renewal-into-placeholder.docx', 'renewal-ethics-unchecked.docx',
  'certification-complete.docx', 'certification-wareki-fullwidth.docx', 'certification-overlapping.docx', 'certification-oath-unchecked.docx', 'certification-typed-signature.docx'];
const pdfs = toPdfs(Object.fromEntries(filled.map((file) => [file.replace(/\.docx$/, ''), forms[file]!])));
for (const [name, pdf] of Object.entries(pdfs)) {
  forms[`${name}.pdf`] = pdf;
  writeFileSync(path.join(root, 'forms-pdf', `${name}.pdf`), pdf);
}
forms['certification-complete-scan.pdf'] = toScannedPdf(pdfs['certification-complete']!);
// Photos of the pages that hold the fields, one file per page, as phone users send them (200 dpi, JPEG).
mkdirSync(path.join(root, 'scans'), { recursive: true });
const photos = toScanJpegs(pdfs['certification-complete']!, [2, 3, 4, 5, 6], 200);
photos.forEach((jpeg, i) => writeFileSync(path.join(root, 'scans', `certification-complete-p${i + 2}.jpg`), jpeg));
const examReportPhoto = toScanJpegs(forms['exam-report-2025.pdf']!, [1], 200)[0]!;
writeFileSync(path.join(root, 'forms-pdf', 'certification-complete-scan.pdf'), forms['certification-complete-scan.pdf']);

const jan = (day: number, hour = 10) => new Date(Date.UTC(2026, 0, day, hour - 9, 0, 0));
const docx = (file: string, as = file) => ({ filename: as, content: forms[file]! });
const proof = { filename: '受講証明書.pdf', content: forms['proof-certificate.pdf']!, contentType: 'application/pdf' };
const RENEWAL_SUBJECT = '【更新申請】プロフェッショナル更新申請書添付_260120';
const body = '一般社団法人 日本コンタクトセンター教育検定協会 御中\n\nお世話になっております。更新申請書を添付にてお送りします。\nよろしくお願いいたします。\n';

const mails: [string, MailSpec][] = [
  ['01-complete-omp.eml', { from: '今田 健太郎 <k.konda@example.jp>', subject: RENEWAL_SUBJECT, date: jan(20), messageId: 'sample-01@example.jp', text: body, attachments: [docx('renewal-complete.docx', '更新申請書_今田健太郎.docx'), proof] }],
  ['02-missing-fields-iso2022jp.eml', { from: 'h.yamada@example.ne.jp', subject: '［更新申請］プロフェッショナル更新申請書添付_20260121', date: jan(21), messageId: 'sample-02@example.ne.jp', text: body, charset: 'iso-2022-jp', attachments: [docx('renewal-missing-fields.docx', '更新申請書_山田.docx'), proof] }],
  ['03-cpd-under-30-rfc2231.eml', { from: 'Hanako Yamada <hanako.y@example.com>', subject: '【更新申請】プロフェッショナル更新申請書添付 260121', date: jan(21, 15), messageId: 'sample-03@example.com', text: body, attachments: [docx('renewal-cpd-under-30.docx', '更新申請書_山田花子（CPD報告）.docx'), proof] }],
  ['04-two-forms.eml', { from: '今田 健太郎 <k.konda@example.jp>', subject: 'FW: ［更新申請］プロフェッショナル更新申請書添付＿２６０１２２', date: jan(22), messageId: 'sample-04@example.jp', text: 'OMPとCAPの2資格分を送ります。\n', attachments: [docx('renewal-cap-complete.docx', 'CAP更新申請書.docx'), docx('renewal-into-placeholder.docx', 'OMP更新申請書.docx'), proof] }],
  ['05-reply-to-notice.eml', { from: 'h.yamada@example.ne.jp', subject: 'Re: 【コン検】申請書類の不足・修正のお願い（受付番号 R-2026-000002）', date: jan(23), messageId: 'sample-05@example.ne.jp', inReplyTo: 'R-2026-000002.missing-items.1@conken-intake.local', references: ['sample-02@example.ne.jp', 'R-2026-000002.missing-items.1@conken-intake.local'], text: 'ご指摘の箇所を修正しました。\n', attachments: [docx('renewal-missing-fields-corrected.docx', '更新申請書_山田_修正版.docx')] }],
  ['06-unrelated.eml', { from: 'news@callcenter-news.example', subject: 'コンタクトセンター通信 2026年1月号', date: jan(23, 12), messageId: 'sample-06@callcenter-news.example', text: '今月のトピック…\n', headers: { 'List-Id': '<news.callcenter-news.example>', Precedence: 'bulk' } }],
  ['07-near-miss.eml', { from: 's.tanaka@example.org', subject: '【更新申請】プロフェッショナル更親申請書添fu', date: jan(24), messageId: 'sample-07@example.org', text: body, attachments: [docx('renewal-both-qualifications.docx', 'koushin.docx')] }],
  ['08-auto-reply.eml', { from: 'k.konda@example.jp', subject: `自動応答: ${RENEWAL_SUBJECT}`, date: jan(24, 13), messageId: 'sample-08@example.jp', text: '不在のため、1月26日以降に返信します。\n', headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' } }],
  ['09-corrupt-docx.eml', { from: 'm.suzuki@example.jp', subject: RENEWAL_SUBJECT, date: jan(25), messageId: 'sample-09@example.jp', text: body, attachments: [docx('corrupt.docx', '更新申請書.docx')] }],
  ['10-not-our-form.eml', { from: 'a.sato@example.jp', subject: RENEWAL_SUBJECT, date: jan(25, 11), messageId: 'sample-10@example.jp', text: body, attachments: [docx('not-our-form.docx', '申請書.docx')] }],
  ['11-unsupported-attachment.eml', { from: 'y.ito@example.jp', subject: RENEWAL_SUBJECT, date: jan(25, 12), messageId: 'sample-11@example.jp', text: body, attachments: [
    { filename: '更新申請書.doc', content: Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504, 0x20)]), contentType: 'application/msword' },
    { filename: 'IMG_0001.HEIC', content: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(64)]), contentType: 'image/heic' },
  ] }],
  ['13-ethics-unchecked.eml', { from: 'r.kobayashi@example.jp', subject: RENEWAL_SUBJECT, date: jan(26), messageId: 'sample-13@example.jp', text: body, attachments: [docx('renewal-ethics-unchecked.docx'), proof] }],
  ['14-out-of-period.eml', { from: 't.kato@example.jp', subject: RENEWAL_SUBJECT, date: jan(26, 11), messageId: 'sample-14@example.jp', text: body, attachments: [docx('renewal-out-of-period.docx'), proof] }],
  ['15-caps-exceeded.eml', { from: 'n.yoshida@example.jp', subject: RENEWAL_SUBJECT, date: jan(26, 12), messageId: 'sample-15@example.jp', text: body, attachments: [docx('renewal-caps-exceeded.docx'), proof] }],
  ['16-both-qualifications.eml', { from: 's.tanaka@example.org', subject: RENEWAL_SUBJECT, date: jan(27), messageId: 'sample-16@example.org', text: body, attachments: [docx('renewal-both-qualifications.docx'), proof] }],
  ['17-variants.eml', { from: 'e.watanabe@example.jp', subject: 'Re: 【更新申請】プロフェッショナル更新申請書添付', date: jan(27, 11), messageId: 'sample-17@example.jp', text: body, attachments: [docx('renewal-variants.docx'), proof] }],
];
const feb = (day: number, hour = 10) => new Date(Date.UTC(2026, 1, day, hour - 9, 0, 0));
const CERT_SUBJECT = '【認定申請】プロフェッショナル認定申請書添付_260210';
const certBody = '一般社団法人 日本コンタクトセンター教育検定協会 御中\n\n資格認定申請書と試験結果レポートのコピーを添付にてお送りします。\nよろしくお願いいたします。\n';
const report = (file: string, as: string) => ({ filename: as, content: forms[file]!, contentType: file.endsWith('.png') ? 'image/png' : 'application/pdf' });
mails.push(
  ['18-certification-complete.eml', { from: '検定 花子 <hanako.kentei@example.jp>', subject: CERT_SUBJECT, date: feb(10), messageId: 'sample-18@example.jp', text: certBody, attachments: [docx('certification-complete.docx', '資格認定申請フォーム_検定花子.docx'), report('exam-report-2025.pdf', '試験結果レポート.pdf')] }],
  ['19-certification-oath-unchecked.eml', { from: 'n.yoshida@example.ne.jp', subject: CERT_SUBJECT, date: feb(10, 11), messageId: 'sample-19@example.ne.jp', text: certBody, attachments: [docx('certification-oath-unchecked.docx', '認定申請.docx'), report('exam-report-2025-yoshida.pdf', 'scan0001.pdf')] }],
  ['20-certification-no-exam-report.eml', { from: 'makoto.kobayashi@example.jp', subject: CERT_SUBJECT, date: feb(11), messageId: 'sample-20@example.jp', text: '申請書を送ります。\n', attachments: [docx('certification-wareki-fullwidth.docx', '資格認定申請フォーム.docx')] }],
  ['21-certification-scanned-report.eml', { from: 'm.kato@example.jp', subject: CERT_SUBJECT, date: feb(11, 14), messageId: 'sample-21@example.jp', text: certBody, attachments: [docx('certification-typed-signature.docx', '資格認定申請フォーム_加藤.docx'), report('exam-report-2025-kato-scan.png', 'IMG_2041.png')] }],
  ['22-certification-under-renewal-subject.eml', { from: 'y.nakamura@example.jp', subject: RENEWAL_SUBJECT, date: feb(12), messageId: 'sample-22@example.jp', text: '申請書を添付します（件名を間違えていたらすみません）。\n', attachments: [docx('certification-overlapping.docx', '申請書.docx'), report('exam-report-2025-nakamura.pdf', '試験結果レポート_中村.pdf')] }],
  ['24-certification-as-pdf.eml', { from: '中村 由美 <y.nakamura@example.jp>', subject: CERT_SUBJECT, date: feb(13), messageId: 'sample-24@example.jp', text: certBody, attachments: [report('certification-overlapping.pdf', '資格認定申請フォーム_中村.pdf'), report('exam-report-2025-nakamura.pdf', '試験結果レポート.pdf')] }],
  ['25-certification-scanned-form.eml', { from: '検定 花子 <hanako.kentei@example.jp>', subject: CERT_SUBJECT, date: feb(13, 11), messageId: 'sample-25@example.jp', text: '印刷して署名したものをスキャンしました。\n', attachments: [report('certification-complete-scan.pdf', 'scan_20260213.pdf'), report('exam-report-2025.pdf', '試験結果レポート.pdf')] }],
  // One photo per page, attached in the wrong order, with the exam report as a photo too.
  ['26-certification-photos.eml', { from: '検定 花子 <hanako.kentei@example.jp>', subject: CERT_SUBJECT, date: feb(14), messageId: 'sample-26@example.jp', text: 'スマートフォンで撮影した申請書を送ります。\n', attachments: [
    ...[1, 0, 2, 4, 3].map((page) => ({ filename: `IMG_01${page + 2}0.jpg`, content: photos[page]!, contentType: 'image/jpeg' })),
    { filename: 'IMG_0200.jpg', content: examReportPhoto, contentType: 'image/jpeg' }] }],
  ['23-certification-expired-report.eml', { from: 'r.furukawa@example.jp', subject: CERT_SUBJECT, date: feb(12, 15), messageId: 'sample-23@example.jp', text: certBody, attachments: [docx('certification-expired-report.docx', '資格認定申請フォーム_古川.docx'), report('exam-report-2022-expired.pdf', '試験結果レポート_古川.pdf')] }],
);
for (const [file, spec] of mails) writeFileSync(path.join(root, 'mails', file), await buildMail(spec));
// A mail a broken mailer could hand us: no header/body separation, a multipart without its boundary.
writeFileSync(path.join(root, 'mails', '12-malformed.eml'), Buffer.from([
  'From: broken@example.jp', 'Subject: =?UTF-8?B?44CQ5pu05paw55Sz6KuL44CR?=broken', 'Date: Sun, 25 Jan 2026 13:00:00 +0900', 'Message-ID: <sample-12@example.jp>',
  'MIME-Version: 1.0', 'Content-Type: multipart/mixed', 'Content-Transfer-Encoding: base64', '\u0000\u0001garbage', '--nothing', 'Content-Type: application/octet-stream; name="x.docx"', '', '!!!not base64!!!', '',
].join('\r\n'), 'latin1'));

writeFileSync(path.join(root, 'statements', 'payments.csv'), [
  'date,amount,transfer_name',
  `2026-01-15,11000,${'0123ｺﾝﾀﾞｹﾝﾀﾛｳ'}`, // mail 01: exact key and amount → matched
  '2026-01-16,11000,0456ﾔﾏﾀﾞﾋﾛｼ', // mail 02's person, before the corrected form arrives
  '2026-01-18,10000,0789ﾖｼﾀﾞﾅｵｺ', // wrong amount (10,000 without tax): never matched automatically
  '2026-01-19,50000,ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ', // unrelated deposit
  '2026-01-20,-3000,ﾃｽｳﾘﾖｳ', // a withdrawal: ignored
  `2026-01-27,11000,${'0321ﾜﾀﾅﾍﾞｴﾐ'}`, // mail 17 (variants): matched
  `2026-02-09,11000,${'0123ｹﾝﾃｲﾊﾅｺ'}`, // mail 18 (certification): matched, same digits as mail 01 but another name
  '',
].join('\n'));

process.stdout.write(`samples written to ${root}: ${readdirSync(path.join(root, 'forms')).length} files in forms/, ${readdirSync(path.join(root, 'forms-pdf')).length} in forms-pdf/, ${mails.length + 1} mails, 1 statement\n`);

// Scans and phone photos of the field pages, made from the PDF exports just written (npm run samples:scans
// remakes only these, from the committed PDFs).
const scanFiles = await writeScanSamples(root);
process.stdout.write(`${scanFiles.length} scan samples written to ${path.join(root, 'scans')}\n`);
