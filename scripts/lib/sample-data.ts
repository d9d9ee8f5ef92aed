// The people and forms of samples/: fictional applicants, each form exercising what SPEC §3 and the
// field dictionary describe, with the outcome we expect (received in January 2026, inside the window:
// period 2023-04-01 .. 2026-03-31; year 1 = FY2023, year 2 = FY2024, year 3 = FY2025).
import type { RenewalFill } from './fill-renewal-form.ts';

export const COMPLETE: RenewalFill = {
  applicationDate: '2026年1月20日',
  certificationNumber: 'OMP-2023-0123',
  name: '今田 健太郎',
  nameKana: 'こんだ けんたろう',
  qualification: { kind: 'delete-other', choose: 'OMP' },
  company: '株式会社サンプルコミュニケーションズ',
  companyKana: 'かぶしきがいしゃさんぷるこみゅにけーしょんず',
  feeTransferDate: '2026年1月15日',
  feeTransferName: '0123コンダケンタロウ',
  postalCode: '100-0005',
  address: '東京都千代田区丸の内1-2-3 サンプルビル5階',
  phone: '03-1234-5678',
  mobile: '090-1234-5678',
  email: 'k.konda@example.jp',
  cpd: {
    A: [
      { title: 'コン検認定 OMPリーダー研修', date: '2023年6月10日', hours: '6', points: '6' },
      { title: 'コン検主催 VOC活用セミナー', date: '2024/9/5', hours: '6', points: '6' },
      { title: 'コン検認定 WFM実践講座', date: '2025-05-20', hours: '8', points: '8' },
    ],
    'B-1': [{ title: '外部研修 コーチング基礎', date: '2023年11月2日', hours: '3', points: '3' }],
    'C-2': [{ title: '書籍によるCX学習', date: '2024年8月1日', hours: '4', points: '4' }],
    'C-3': [{ title: 'オンライン講座 データ分析', date: '2025年12月1日', hours: '3', points: '3' }],
    'D-3': [{ title: '業界団体勉強会の講師', date: '2025年10月15日', hours: '2', points: '2' }],
  },
  statedTotals: { A: '20', 'B-1': '3', 'C-2': '4', 'C-3': '3', 'D-3': '2' },
  ethics: 'checked',
};

/** '2023年6月10日', '2024/9/5', '2025-05-20' → ISO, for typing the same dates into the placeholders. */
function isoOf(date: string): string {
  const [y, m, d] = date.match(/\d+/g)!.map(Number);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export interface SampleForm {
  file: string;
  description: string;
  fill: RenewalFill;
  /** Values a reader must extract (a subset of the field dictionary, normalised). */
  expected: Record<string, unknown>;
  findings: string[];
  status: string;
}

const yamada: RenewalFill = {
  ...COMPLETE,
  certificationNumber: 'CAP-2023-0456', name: '山田 浩', nameKana: '', qualification: { kind: 'mark', choose: 'CAP', mark: '○' },
  feeTransferName: '0456ヤマダヒロシ', postalCode: undefined, address: '大阪府大阪市北区梅田2-4-9', phone: '', mobile: '', email: '',
};

export const SAMPLE_FORMS: SampleForm[] = [
  {
    file: 'renewal-complete.docx', description: 'Complete OMP renewal (CAP line deleted), 32 points, dates in three styles, proof attached in its mail.',
    fill: COMPLETE,
    expected: {
      applicationDate: '2026-01-20', certificationNumber: 'OMP-2023-0123', name: '今田 健太郎', nameKana: 'こんだ けんたろう', qualification: 'OMP',
      company: '株式会社サンプルコミュニケーションズ', feeTransferDate: '2026-01-15', feeTransferName: '0123コンダケンタロウ', postalCode: '100-0005',
      address: '東京都千代田区丸の内1-2-3 サンプルビル5階', phone: '03-1234-5678', mobile: '090-1234-5678', email: 'k.konda@example.jp', ethicsAgreed: true,
      cpd: [
        { category: 'A', year: null, title: 'コン検認定 OMPリーダー研修', completedOn: '2023-06-10', hours: 6, points: 6 },
        { category: 'A', year: null, title: 'コン検主催 VOC活用セミナー', completedOn: '2024-09-05', hours: 6, points: 6 },
        { category: 'A', year: null, title: 'コン検認定 WFM実践講座', completedOn: '2025-05-20', hours: 8, points: 8 },
        { category: 'B', year: 1, title: '外部研修 コーチング基礎', completedOn: '2023-11-02', hours: 3, points: 3 },
        { category: 'C', year: 2, title: '書籍によるCX学習', completedOn: '2024-08-01', hours: 4, points: 4 },
        { category: 'C', year: 3, title: 'オンライン講座 データ分析', completedOn: '2025-12-01', hours: 3, points: 3 },
        { category: 'D', year: 3, title: '業界団体勉強会の講師', completedOn: '2025-10-15', hours: 2, points: 2 },
      ],
      cpdStatedTotals: { A: 20, B1: 3, B2: null, B3: null, C1: null, C2: 4, C3: 3, D1: null, D2: null, D3: 2 },
    },
    findings: [], status: 'awaiting-payment',
  },
  {
    file: 'renewal-missing-fields.docx', description: 'CAP marked ○; name kana, postal code, both phones and e-mail left empty.',
    fill: yamada, expected: { qualification: 'CAP', nameKana: null, postalCode: null, phone: null, mobile: null, email: null, address: '大阪府大阪市北区梅田2-4-9' },
    findings: ['field.missing'], status: 'missing-items',
  },
  {
    file: 'renewal-missing-fields-corrected.docx', description: 'The same applicant\'s corrected form, sent as a reply to the notice.',
    fill: { ...yamada, nameKana: 'やまだ ひろし', postalCode: '530-0001', phone: '06-6123-4567', email: 'h.yamada@example.ne.jp' },
    expected: { qualification: 'CAP', nameKana: 'やまだ ひろし', postalCode: '530-0001', phone: '06-6123-4567', mobile: null, email: 'h.yamada@example.ne.jp' },
    findings: [], status: 'awaiting-payment',
  },
  {
    file: 'renewal-cpd-under-30.docx', description: 'Everything right but only 22 countable points.',
    fill: { ...COMPLETE, name: '山田 花子', nameKana: 'やまだ はなこ', certificationNumber: 'OMP-2023-0777', feeTransferName: '0777ヤマダハナコ', email: 'hanako.y@example.com',
      cpd: { ...COMPLETE.cpd, A: [{ title: 'コン検認定 OMPリーダー研修', date: '2023年6月10日', hours: '6', points: '6' }, { title: 'コン検主催 VOC活用セミナー', date: '2024/9/5', hours: '4', points: '4' }] },
      statedTotals: { A: '10', 'B-1': '3', 'C-2': '4', 'C-3': '3', 'D-3': '2' } },
    expected: { qualification: 'OMP', ethicsAgreed: true }, findings: ['cpd.insufficient'], status: 'missing-items',
  },
  {
    file: 'renewal-caps-exceeded.docx', description: 'B-1 claims 8, C-2 two rows of 4, D-3 6: each capped at 5; the stated totals are the uncapped sums.',
    fill: { ...COMPLETE, name: '吉田 直子', nameKana: 'よしだ なおこ', certificationNumber: 'OMP-2023-0789', feeTransferName: '0789ヨシダナオコ', email: 'n.yoshida@example.jp',
      cpd: { A: COMPLETE.cpd!.A!, 'B-1': [{ title: '外部研修 交渉術', date: '2023年9月1日', hours: '8', points: '8' }],
        'C-2': [{ title: '通信講座 統計', date: '2024年6月1日', hours: '4', points: '4' }, { title: '通信講座 心理学', date: '2024年10月1日', hours: '4', points: '4' }],
        'D-3': [{ title: '業界誌への寄稿', date: '2025年7月7日', hours: '6', points: '6' }] },
      statedTotals: { A: '20', 'B-1': '8', 'C-2': '8', 'D-3': '6' } },
    expected: { cpdStatedTotals: { A: 20, B1: 8, B2: null, B3: null, C1: null, C2: 8, C3: null, D1: null, D2: null, D3: 6 } },
    findings: ['cpd.cap-applied', 'cpd.stated-total-mismatch'], status: 'awaiting-payment',
  },
  {
    file: 'renewal-both-qualifications.docx', description: 'Both qualification lines marked ●.',
    fill: { ...COMPLETE, name: '田中 誠', nameKana: 'たなか まこと', certificationNumber: 'OMP-2023-0901', feeTransferName: '0901タナカマコト', email: 's.tanaka@example.org', qualification: { kind: 'mark-both', mark: '●' } },
    expected: { qualification: null, qualificationMarked: ['OMP', 'CAP'] }, findings: ['qualification.multiple'], status: 'missing-items',
  },
  {
    file: 'renewal-ethics-unchecked.docx', description: 'The ethics agreement checkbox left ☐.',
    fill: { ...COMPLETE, name: '小林 亮', nameKana: 'こばやし りょう', certificationNumber: 'OMP-2023-0111', feeTransferName: '0111コバヤシリョウ', email: 'r.kobayashi@example.jp', ethics: 'unchecked' },
    expected: { ethicsAgreed: false }, findings: ['ethics.not-agreed'], status: 'missing-items',
  },
  {
    file: 'renewal-out-of-period.docx', description: 'A B-1 row dated in year 2, an A row before the period, a C-3 row after the application date; 30 valid points remain.',
    fill: { ...COMPLETE, name: '加藤 翼', nameKana: 'かとう つばさ', certificationNumber: 'OMP-2023-0222', feeTransferName: '0222カトウツバサ', email: 't.kato@example.jp',
      cpd: {
        A: [...COMPLETE.cpd!.A!, { title: 'コン検認定 旧講座', date: '2022年10月1日', hours: '5', points: '5' }, { title: 'コン検認定 品質管理講座', date: '2025年2月3日', hours: '4', points: '4' }],
        'B-1': [{ title: '外部研修 リーダーシップ', date: '2024年6月1日', hours: '3', points: '3' }],
        'C-2': COMPLETE.cpd!['C-2']!, 'C-3': [{ title: 'オンライン講座 AI活用', date: '2026年2月10日', hours: '2', points: '2' }], 'D-3': COMPLETE.cpd!['D-3']!,
      },
      statedTotals: {} },
    expected: {}, findings: ['cpd.row-out-of-period'], status: 'missing-items',
  },
  {
    file: 'renewal-variants.docx', description: '令和 and R7.4.1 dates, full-width digits, hours as ６ｈ / 1.5 / 6時間, CAP chosen with ■, the checkbox replaced by a typed ☑, line breaks in name and address.',
    fill: {
      applicationDate: '令和８年１月２０日', certificationNumber: 'ＣＡＰ－２０２３－０３２１', name: '渡辺\n恵美 ', nameKana: ' わたなべ　えみ', qualification: { kind: 'mark', choose: 'CAP', mark: '■' },
      company: '株式会社テストサポート', companyKana: 'かぶしきがいしゃてすとさぽーと', feeTransferDate: 'R8.1.26', feeTransferName: '０３２１ワタナベエミ', postalCode: '150-0002',
      address: '東京都渋谷区渋谷２－１５－１\nテストタワー１２階', mobile: '０８０－９８７６－５４３２', email: 'ｅ．ｗａｔａｎａｂｅ＠ｅｘａｍｐｌｅ．ｊｐ',
      cpd: {
        A: [{ title: 'コン検認定 CAP設計講座', date: '令和5年7月1日', hours: '６ｈ', points: '６' }, { title: 'コン検主催 ICT研修', date: 'R6.11.20', hours: '1.5', points: '1.5' },
          { title: 'コン検認定 アーキテクチャ演習', date: '２０２５年６月１日', hours: '6時間', points: '6' }, { title: 'コン検認定 セキュリティ講座', date: '令和7年9月9日', hours: '8', points: '8' }],
        'B-2': [{ title: 'クラウドPBX研修', date: '令和6年5月15日', hours: '５', points: '５' }],
        'D-1': [{ title: '地域勉強会の運営', date: 'R5.12.1', hours: '４', points: '４' }],
      },
      ethics: { typed: '☑' },
    },
    expected: {
      applicationDate: '2026-01-20', certificationNumber: 'CAP-2023-0321', name: '渡辺 恵美', nameKana: 'わたなべ えみ', qualification: 'CAP', feeTransferDate: '2026-01-26',
      feeTransferName: '0321ワタナベエミ', postalCode: '150-0002', address: '東京都渋谷区渋谷2-15-1 テストタワー12階', mobile: '080-9876-5432', phone: null,
      email: 'e.watanabe@example.jp', ethicsAgreed: true,
      cpd: [
        { category: 'A', year: null, title: 'コン検認定 CAP設計講座', completedOn: '2023-07-01', hours: 6, points: 6 },
        { category: 'A', year: null, title: 'コン検主催 ICT研修', completedOn: '2024-11-20', hours: 1.5, points: 1.5 },
        { category: 'A', year: null, title: 'コン検認定 アーキテクチャ演習', completedOn: '2025-06-01', hours: 6, points: 6 },
        { category: 'A', year: null, title: 'コン検認定 セキュリティ講座', completedOn: '2025-09-09', hours: 8, points: 8 },
        { category: 'B', year: 2, title: 'クラウドPBX研修', completedOn: '2024-05-15', hours: 5, points: 5 },
        { category: 'D', year: 1, title: '地域勉強会の運営', completedOn: '2023-12-01', hours: 4, points: 4 },
      ],
    },
    findings: [], status: 'awaiting-payment',
  },
  {
    file: 'renewal-into-placeholder.docx', description: 'Dates typed into the form\'s 年・月・日 gaps; OMP chosen by making it bold.',
    fill: { ...COMPLETE, name: '佐々木 美咲', nameKana: 'ささき みさき', certificationNumber: 'OMP-2022-0555', feeTransferName: '0555ササキミサキ', email: 'm.sasaki@example.jp', qualification: { kind: 'bold', choose: 'OMP' },
      cpd: Object.fromEntries(Object.entries(COMPLETE.cpd!).map(([g, rows]) => [g, rows.map((r) => ({ ...r, date: isoOf(r.date!), dateStyle: 'into-placeholder' as const }))])) },
    expected: { qualification: 'OMP', name: '佐々木 美咲' }, findings: [], status: 'awaiting-payment',
  },
  {
    file: 'renewal-cap-complete.docx', description: 'The same applicant\'s CAP renewal (OMP line deleted), sent in one mail with the OMP form.',
    fill: { ...COMPLETE, name: '佐々木 美咲', nameKana: 'ささき みさき', certificationNumber: 'CAP-2022-0556', feeTransferName: '0556ササキミサキ', email: 'm.sasaki@example.jp', qualification: { kind: 'delete-other', choose: 'CAP' } },
    expected: { qualification: 'CAP' }, findings: [], status: 'awaiting-payment',
  },
];

/** A small valid one-page PDF standing in for a scanned 受講証明書 (certificate of attendance). */
export function proofPdf(): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = 'BT /F1 18 Tf 72 760 Td (Certificate of attendance) Tj 0 -30 Td /F1 12 Tf (Course: Contact centre leadership, 6 hours, 2023-06-10) Tj ET';
  objects[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
