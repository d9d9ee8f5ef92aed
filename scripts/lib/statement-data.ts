// The bank-statement samples of samples/statements/: fictional applicants (renewal cases, received in
// January 2026) and the transfers finance sees for them, each with the outcome SPEC §5 asks for. The
// same transfers appear in several formats and overlapping statements, as real uploads do.
import type { RenewalFill } from './fill-renewal-form.ts';
import { COMPLETE } from './sample-data.ts';

export interface Applicant {
  id: string;
  fill: Partial<RenewalFill>;
}

const person = (id: string, name: string, nameKana: string, certificationNumber: string, feeTransferName: string, email: string, extra: Partial<RenewalFill> = {}): Applicant =>
  ({ id, fill: { name, nameKana, certificationNumber, feeTransferName, email, ...extra } });
const TEST_SUPPORT = { company: '株式会社テストサポート', companyKana: 'かぶしきがいしゃてすとさぽーと' };

/** The applicants whose cases wait for these transfers (the complete sample's form with these changes). */
export const APPLICANTS: Applicant[] = [
  person('konda', '今田 健太郎', 'こんだ けんたろう', 'OMP-2023-0123', '0123コンダケンタロウ', COMPLETE.email!),
  person('watanabe', '渡辺 恵美', 'わたなべ えみ', 'CAP-2023-0321', '0321ワタナベエミ', 'e.watanabe@example.jp'),
  person('yamada', '山田 浩', 'やまだ ひろし', 'CAP-2023-0456', '0456ヤマダヒロシ', 'h.yamada@example.ne.jp'),
  person('kato', '加藤 翼', 'かとう つばさ', 'OMP-2023-0222', '0222カトウツバサ', 't.kato@example.jp'),
  person('hanako', '山田 花子', 'やまだ はなこ', 'OMP-2023-0777', '0777ヤマダハナコ', 'hanako.y@example.com'),
  person('haruka', '山田 はるか', 'やまだ はるか', 'CAP-2024-0777', '0777ヤマダハルカ', 'haruka.y@example.com'),
  person('yoshida', '吉田 直子', 'よしだ なおこ', 'OMP-2023-0789', '0789ヨシダナオコ', 'n.yoshida@example.jp'),
  person('kobayashi', '小林 亮', 'こばやし りょう', 'OMP-2023-0111', '0111コバヤシリョウ', 'r.kobayashi@example.jp'),
  person('tanaka', '田中 誠', 'たなか まこと', 'OMP-2023-0901', '0901タナカマコト', 's.tanaka@example.org', TEST_SUPPORT),
  person('ito', '伊藤 由美', 'いとう ゆみ', 'CAP-2023-0333', '0333イトウユミ', 'y.ito@example.jp', TEST_SUPPORT),
  person('nakamura', '中村 健', 'なかむら けん', 'OMP-2023-0444', '0444ナカムラケン', 'k.nakamura@example.jp', TEST_SUPPORT),
  person('sasaki-omp', '佐々木 美咲', 'ささき みさき', 'OMP-2022-0555', '0555ササキミサキ', 'm.sasaki@example.jp'),
  person('sasaki-cap', '佐々木 美咲', 'ささき みさき', 'CAP-2022-0556', '0556ササキミサキ', 'm.sasaki@example.jp', { qualification: { kind: 'delete-other', choose: 'CAP' } }),
];

export type Outcome =
  | { kind: 'matched'; applicant: string }
  | { kind: 'attention'; code: 'payment.ambiguous' | 'payment.amount-mismatch' | 'payment.bulk' | 'payment.duplicate'; candidates: string[] }
  | { kind: 'unmatched' }
  | { kind: 'debit' };

export interface Transfer {
  id: string;
  /** What the tricky case is. */
  note: string;
  date: string;
  amount: number;
  /** Half-width katakana, as the bank prints it. */
  name: string;
  direction: 'credit' | 'debit';
  outcome: Outcome;
  /** Which statements carry it. */
  in: ('furikomi' | 'nyushukkin' | 'mufg' | 'rakuten' | 'generic')[];
}

const ALL = ['furikomi', 'nyushukkin'] as const;

export const TRANSFERS: Transfer[] = [
  { id: 'exact', note: 'exact key and amount', date: '2026-01-15', amount: 11000, name: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', direction: 'credit', outcome: { kind: 'matched', applicant: 'konda' }, in: [...ALL, 'mufg'] },
  { id: 'spaces', note: 'half-width with spaces', date: '2026-01-15', amount: 11000, name: '0321 ﾜﾀﾅﾍﾞ ｴﾐ', direction: 'credit', outcome: { kind: 'matched', applicant: 'watanabe' }, in: [...ALL, 'mufg'] },
  { id: 'no-digits', note: 'no digits: the name alone is not a key', date: '2026-01-16', amount: 11000, name: 'ﾔﾏﾀﾞ ﾋﾛｼ', direction: 'credit', outcome: { kind: 'attention', code: 'payment.ambiguous', candidates: ['yamada'] }, in: [...ALL, 'rakuten'] },
  { id: 'typo', note: 'a typo in the name (ｷ for ｻ)', date: '2026-01-16', amount: 11000, name: '0222ｶﾄｳﾂﾊﾞｷ', direction: 'credit', outcome: { kind: 'attention', code: 'payment.ambiguous', candidates: ['kato'] }, in: [...ALL, 'rakuten'] },
  { id: 'shared-digits', note: 'digits shared by two applicants, name cut short', date: '2026-01-19', amount: 11000, name: '0777ﾔﾏﾀﾞ', direction: 'credit', outcome: { kind: 'attention', code: 'payment.ambiguous', candidates: ['hanako', 'haruka'] }, in: [...ALL, 'generic'] },
  { id: 'without-tax', note: '10,000 instead of 11,000', date: '2026-01-19', amount: 10000, name: '0789ﾖｼﾀﾞﾅｵｺ', direction: 'credit', outcome: { kind: 'attention', code: 'payment.amount-mismatch', candidates: ['yoshida'] }, in: [...ALL, 'generic'] },
  { id: 'fee-deducted', note: 'bank fee (440) deducted', date: '2026-01-20', amount: 10560, name: '0111ｺﾊﾞﾔｼﾘﾖｳ', direction: 'credit', outcome: { kind: 'attention', code: 'payment.amount-mismatch', candidates: ['kobayashi'] }, in: [...ALL, 'mufg'] },
  { id: 'bulk', note: 'one company paying for three people', date: '2026-01-20', amount: 33000, name: 'ｶ)ﾃｽﾄｻﾎﾟｰﾄ', direction: 'credit', outcome: { kind: 'attention', code: 'payment.bulk', candidates: ['ito', 'nakamura', 'tanaka'] }, in: [...ALL, 'mufg'] },
  { id: 'two-qualifications-1', note: 'two identical transfers on one day (one person, two qualifications): the first', date: '2026-01-21', amount: 11000, name: '0555ｻｻｷﾐｻｷ', direction: 'credit', outcome: { kind: 'matched', applicant: 'sasaki-omp' }, in: [...ALL, 'generic'] },
  { id: 'two-qualifications-2', note: 'the identical second transfer stays a payment of its own', date: '2026-01-21', amount: 11000, name: '0555ｻｻｷﾐｻｷ', direction: 'credit', outcome: { kind: 'attention', code: 'payment.duplicate', candidates: ['sasaki-cap', 'sasaki-omp'] }, in: [...ALL, 'generic'] },
  { id: 'second-payment', note: 'a second payment for a case already paid', date: '2026-01-27', amount: 11000, name: '0123ｺﾝﾀﾞｹﾝﾀﾛｳ', direction: 'credit', outcome: { kind: 'attention', code: 'payment.duplicate', candidates: ['konda'] }, in: ['nyushukkin', 'mufg', 'rakuten'] },
  { id: 'unrelated', note: 'an unrelated deposit', date: '2026-01-22', amount: 50000, name: 'ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ', direction: 'credit', outcome: { kind: 'unmatched' }, in: ['nyushukkin', 'mufg'] },
  { id: 'interest', note: 'interest, no name', date: '2026-01-26', amount: 12, name: 'ﾘｿｸ', direction: 'credit', outcome: { kind: 'unmatched' }, in: ['nyushukkin', 'rakuten'] },
  { id: 'withdrawal', note: 'a withdrawal (bank charges)', date: '2026-01-23', amount: 440, name: 'ﾃｽｳﾘﾖｳ', direction: 'debit', outcome: { kind: 'debit' }, in: ['nyushukkin', 'mufg', 'rakuten'] },
];
