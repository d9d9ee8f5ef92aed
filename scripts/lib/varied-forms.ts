// A seeded generator of filled forms unlike the project's samples: other people, companies, addresses,
// dates, CPD and experience rows, and the ways applicants' Word files differ (typed font and size,
// full-width digits, wareki dates, a table row added or deleted). Used by scripts/make-varied-set.ts
// to make a set of forms that nothing was tuned on.
import type { Element } from '@xmldom/xmldom';
import { strFromU8, strToU8 } from 'fflate';
import { W, cellsOf, children, descendants, openDocx, rowsOf, saveDocx, squash, tables, textOf } from './docx-edit.ts';
import type { CpdRowFill, Grid, RenewalFill } from './fill-renewal-form.ts';
import type { CertificationFill, ExperienceFill } from './fill-certification-form.ts';
import { seeded } from './scan-images.ts';

/** mulberry32 (the scans' noise generator): the same forms from the same seed. */
export { seeded };

type Random = () => number;
const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Random, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

// None of these people, companies or places appear in samples/ or the held-apart sample.
const SURNAMES = [
  ['長谷川', 'はせがわ', 'hasegawa'], ['石井', 'いしい', 'ishii'], ['森本', 'もりもと', 'morimoto'], ['岡田', 'おかだ', 'okada'],
  ['西村', 'にしむら', 'nishimura'], ['福田', 'ふくだ', 'fukuda'], ['太田', 'おおた', 'ota'], ['三浦', 'みうら', 'miura'],
  ['藤井', 'ふじい', 'fujii'], ['松田', 'まつだ', 'matsuda'], ['原田', 'はらだ', 'harada'], ['野口', 'のぐち', 'noguchi'],
] as const;
const GIVEN = [
  ['悠斗', 'ゆうと', 'yuto'], ['千尋', 'ちひろ', 'chihiro'], ['和也', 'かずや', 'kazuya'], ['理恵', 'りえ', 'rie'],
  ['康平', 'こうへい', 'kohei'], ['真由美', 'まゆみ', 'mayumi'], ['隆', 'たかし', 'takashi'], ['沙織', 'さおり', 'saori'],
  ['健二', 'けんじ', 'kenji'], ['陽子', 'ようこ', 'yoko'],
] as const;
const COMPANIES = [
  ['株式会社ひかりコールソリューションズ', 'かぶしきがいしゃひかりこーるそりゅーしょんず', 'hikari-call.example.jp'],
  ['北海道カスタマーリレーション株式会社', 'ほっかいどうかすたまーりれーしょんかぶしきがいしゃ', 'hcr.example.co.jp'],
  ['株式会社みなとコンタクト', 'かぶしきがいしゃみなとこんたくと', 'minato-contact.example.jp'],
  ['九州テレマーケティング株式会社', 'きゅうしゅうてれまーけてぃんぐかぶしきがいしゃ', 'q-tm.example.ne.jp'],
  ['株式会社アオバ顧客サービス', 'かぶしきがいしゃあおばこきゃくさーびす', 'aoba-cs.example.jp'],
  ['中部インフォセンター株式会社', 'ちゅうぶいんふぉせんたーかぶしきがいしゃ', 'chubu-info.example.com'],
] as const;
const PLACES = [
  ['060-0042', '北海道札幌市中央区大通西4-6-1', '011'], ['812-0011', '福岡県福岡市博多区博多駅前3-9-12', '092'],
  ['450-0002', '愛知県名古屋市中村区名駅4-7-1', '052'], ['730-0011', '広島県広島市中区基町6-78', '082'],
  ['650-0021', '兵庫県神戸市中央区三宮町1-5-22', '078'], ['900-0015', '沖縄県那覇市久茂地2-8-3', '098'],
  ['260-0013', '千葉県千葉市中央区中央3-10-4', '043'], ['920-0853', '石川県金沢市本町2-15-1', '076'],
] as const;
const BUILDINGS = ['', '', ' 第二ビル3階', ' グリーンハイツ205号', ' 駅前タワー18F'];
const COURSES_A = ['コン検認定 センター運営基礎講座', 'コン検主催 品質モニタリング実践', 'コン検認定 フォーキャスト演習', 'コン検認定 顧客体験設計講座', 'コン検主催 リーダー育成プログラム'];
const COURSES_OTHER = ['外部セミナー 傾聴スキル', 'eラーニング 個人情報保護', '書籍によるチーム運営学習', '社外勉強会での発表', 'オンライン講座 KPI設計', '通信講座 ビジネス統計', '業界誌への寄稿'];
const DUTIES = ['問い合わせ窓口の運営', 'SVとして応対品質管理', 'シフト作成・要員管理', 'IVR・CTI導入', 'VOC分析と改善提案', '新人研修の企画'];
const TITLES = ['センター長', '運営部 部長', 'カスタマーサポート部 課長', '人事部長'];
const FONTS = ['IPAex明朝', 'IPAexゴシック', 'Noto Serif CJK JP', 'Noto Sans CJK JP', 'ＭＳ 明朝'] as const;
const SIZES_HALF_POINTS = [20, 21, 22, 23, 24];

export type DateStyle = 'kanji' | 'wareki' | 'slash';

export interface Variation {
  font: (typeof FONTS)[number];
  /** Half-points, as Word stores them (20 = 10 pt). */
  size: number;
  fullWidthDigits: boolean;
  dates: DateStyle;
  /** A table row added (an empty row copied at the end of a grid) or one deleted (an empty entry row). */
  row: 'extra' | 'missing' | 'none';
}

const FW = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)).replace(/-/g, '－');

function dateText(v: Variation, y: number, m: number, d?: number): string {
  const digits = (s: string) => (v.fullWidthDigits ? FW(s) : s);
  if (v.dates === 'wareki') return digits(`令和${y - 2018 === 1 ? '元' : y - 2018}年${m}月${d === undefined ? '' : `${d}日`}`);
  if (v.dates === 'slash') return digits(d === undefined ? `${y}/${m}` : `${y}/${m}/${d}`);
  return digits(`${y}年${m}月${d === undefined ? '' : `${d}日`}`);
}

function person(r: Random) {
  const [s, sk, sr] = pick(r, SURNAMES);
  const [g, gk, gr] = pick(r, GIVEN);
  const [company, companyKana, domain] = pick(r, COMPANIES);
  const [postal, address, area] = pick(r, PLACES);
  return {
    name: `${s} ${g}`, nameKana: `${sk} ${gk}`, kanaKatakana: (sk + gk).replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60)),
    email: `${pick(r, [`${gr}.${sr}`, `${gr[0]}.${sr}`, `${sr}-${gr}`])}@${pick(r, [domain, 'mail.example.jp', 'example.ne.jp'])}`,
    company, companyKana, postal, address: address + pick(r, BUILDINGS),
    phone: `${area}-${int(r, 200, 899)}-${String(int(r, 0, 9999)).padStart(4, '0')}`,
    mobile: r() < 0.7 ? `${pick(r, ['090', '080', '070'])}-${int(r, 1000, 9999)}-${int(r, 1000, 9999)}` : '',
  };
}

export function variation(r: Random): Variation {
  return { font: pick(r, FONTS), size: pick(r, SIZES_HALF_POINTS), fullWidthDigits: r() < 0.35, dates: pick(r, ['kanji', 'wareki', 'slash'] as const), row: pick(r, ['extra', 'missing', 'none'] as const) };
}

/** A renewal for the period 2023-04-01 .. 2026-03-31, applied for in February or March 2026. */
export function renewalFill(r: Random, v: Variation, qualification: 'OMP' | 'CAP' | 'BOTH'): RenewalFill {
  const p = person(r);
  const digits = (s: string) => (v.fullWidthDigits ? FW(s) : s);
  const num = String(int(r, 1000, 9999));
  const applied = [2026, pick(r, [2, 3]), int(r, 1, 27)] as const;
  const paid = [2026, applied[1], Math.max(1, applied[2] - int(r, 0, 4))] as const;
  const fyDate = (fy: number): [number, number, number] => {
    const m = int(r, 4, 15);
    return [fy + (m > 12 ? 1 : 0), m > 12 ? m - 12 : m, int(r, 1, 28)];
  };
  const row = (title: string, fy: number): CpdRowFill => {
    const [y, m, d] = fyDate(fy);
    const h = String(int(r, 1, 6));
    return { title, date: dateText(v, y, m, d), hours: digits(h), points: digits(h) };
  };
  const cpd: Partial<Record<Grid, CpdRowFill[]>> = {};
  const aCount = v.row === 'extra' ? 4 : int(r, 2, 3); // the A grid has three entry rows: a fourth is added
  const courses = [...COURSES_A].sort(() => r() - 0.5);
  cpd.A = Array.from({ length: aCount }, (_, i) => row(courses[i]!, 2023 + (i % 3)));
  const others = [...COURSES_OTHER].sort(() => r() - 0.5);
  const grids: Grid[] = ['B-1', 'B-2', 'B-3', 'C-1', 'C-2', 'C-3', 'D-1', 'D-2', 'D-3'];
  for (const g of [...grids].sort(() => r() - 0.5).slice(0, int(r, 2, 3))) cpd[g] = [row(others.pop()!, 2022 + Number(g.slice(2)))];
  const statedTotals = Object.fromEntries(Object.entries(cpd).map(([g, rows]) => [g, digits(String(rows.reduce((s, x) => s + Number(x.points!.replace(/[０-９]/g, (c) => String(c.charCodeAt(0) - 0xff10))), 0)))]));
  return {
    applicationDate: dateText(v, ...applied), certificationNumber: digits(`${qualification === 'CAP' ? 'CAP' : 'OMP'}-${pick(r, ['2023', '2020', '23'])}-${num}`),
    name: p.name, nameKana: p.nameKana,
    qualification: qualification === 'BOTH' ? { kind: 'mark-both', mark: pick(r, ['●', '○']) } : pick(r, [{ kind: 'delete-other', choose: qualification }, { kind: 'mark', choose: qualification, mark: pick(r, ['○', '●', '■']) }] as const),
    company: p.company, companyKana: p.companyKana, feeTransferDate: dateText(v, ...paid), feeTransferName: `${digits(num)}${p.kanaKatakana}`,
    postalCode: p.postal, address: v.fullWidthDigits ? FW(p.address) : p.address, phone: digits(p.phone), mobile: digits(p.mobile), email: p.email,
    cpd, statedTotals, ethics: r() < 0.8 ? 'checked' : { typed: pick(r, ['☑', '✓']) },
  };
}

/** A certification applied for in February or March 2026, two or three jobs (the last one possibly ongoing). */
export function certificationFill(r: Random, v: Variation, qualification: 'OMP' | 'CAP'): CertificationFill {
  const p = person(r);
  const digits = (s: string) => (v.fullWidthDigits ? FW(s) : s);
  const applied = [2026, pick(r, [2, 3]), int(r, 1, 27)] as const;
  const jobs = v.row === 'extra' ? 4 : v.row === 'missing' ? 1 : int(r, 2, 3); // the grid has three entry rows
  let year = 2026 - jobs * 3 - int(r, 0, 3);
  let month = pick(r, [4, 10]);
  const experience: ExperienceFill[] = [];
  const fields = [...(qualification === 'OMP' ? [4, 2, 5, 1, 3] : [6, 7, 2, 3, 1])];
  let total = 0;
  for (let i = 0; i < jobs; i++) {
    const years = jobs === 1 ? 6 : int(r, 2, 3);
    const [fy, fm] = [year, month];
    year += years;
    const [ty, tm] = month === 1 ? [year - 1, 12] : [year, month - 1];
    total += years;
    experience.push({
      field: digits(String(fields[i % fields.length])), organization: i === jobs - 1 ? p.company : pick(r, COMPANIES.filter((c) => c[0] !== p.company))[0],
      from: dateText(v, fy, fm), to: dateText(v, ty, tm), years: digits(String(years)), duties: pick(r, DUTIES),
      periodStyle: r() < 0.25 ? 'one-line' : 'lines',
    });
  }
  const [cs, , csr] = pick(r, SURNAMES);
  const [cg] = pick(r, GIVEN);
  const passer = `${String(int(r, 23, 25))}${String(int(r, 1, 12)).padStart(2, '0')}${String(int(r, 1000, 9999))}`;
  void csr;
  return {
    applicationDate: dateText(v, ...applied), passerNumber: digits(passer), examReportIssuedOn: dateText(v, 2025, int(r, 1, 11), int(r, 1, 28)),
    qualification: pick(r, [{ kind: 'delete-other', choose: qualification }, { kind: 'mark', choose: qualification, mark: pick(r, ['○', '●']) }] as const),
    name: p.name, nameKana: p.nameKana, company: p.company, companyKana: p.companyKana, postalCode: p.postal, address: v.fullWidthDigits ? FW(p.address) : p.address,
    phone: digits(p.phone), mobile: digits(p.mobile), email: p.email, feeTransferDate: dateText(v, 2026, applied[1], Math.max(1, applied[2] - 1)),
    feeTransferName: `${digits(passer.slice(-4))}${p.kanaKatakana}`, experience, statedTotalYears: digits(String(total)),
    statedRequiredFieldYears: digits(String(experience.filter((e) => (qualification === 'OMP' ? /[4４]/ : /[6６7７]/).test(e.field!)).reduce((s, e) => s + Number(e.years!.replace(/[０-９]/g, (c) => String(c.charCodeAt(0) - 0xff10))), 0))),
    certifier: { certifiedOn: dateText(v, 2026, applied[1], Math.max(1, applied[2] - 3)), organization: p.company, title: pick(r, TITLES), name: `${cs} ${cg}`, signature: 'image', phone: digits(p.phone.replace(/\d{4}$/, '0000')) },
    oath: 'checked', oathDate: dateText(v, ...applied), applicantSignature: 'image',
  };
}

/**
 * What the applicant's Word did to the typed values: every run the filler typed (a run without its own
 * properties) gets the applicant's font and size, and the document default font changes with it; with
 * `row: 'missing'` an empty entry row of a grid is deleted (renewal: the first CPD grid with one to spare).
 */
export function applyVariation(docx: Uint8Array, v: Variation, kind: 'renewal' | 'certification'): Uint8Array {
  const { files, doc } = openDocx(docx);
  for (const r of descendants(doc, 'r')) {
    if (children(r, 'rPr').length > 0) continue;
    const rPr = doc.createElementNS(W, 'w:rPr');
    const fonts = doc.createElementNS(W, 'w:rFonts');
    for (const a of ['ascii', 'eastAsia', 'hAnsi']) fonts.setAttributeNS(W, `w:${a}`, v.font);
    rPr.appendChild(fonts);
    for (const tag of ['sz', 'szCs']) {
      const sz = doc.createElementNS(W, `w:${tag}`);
      sz.setAttributeNS(W, 'w:val', String(v.size));
      rPr.appendChild(sz);
    }
    r.insertBefore(rPr, r.firstChild);
  }
  if (v.row === 'missing' && kind === 'renewal') {
    // The first CPD grid (B-1 …) whose entry rows are all empty and more than one: one of them deleted.
    const grid = tables(doc).find((t) => /^[BCD]-\d/.test(squash(textOf(cellsOf(rowsOf(t)[0]!)[0]!))) && rowsOf(t).slice(2, -1).length > 1
      && rowsOf(t).slice(2, -1).every((row) => cellsOf(row).every((c, i) => i === 1 || squash(textOf(c)) === '')));
    const rows = grid ? rowsOf(grid).slice(2, -1) : [];
    if (rows.length > 1) grid!.removeChild(rows.at(-1)! as Element);
  }
  const styles = strFromU8(files['word/styles.xml']!).replace(/(<w:rPrDefault><w:rPr><w:rFonts )[^>]*\/>/, `$1w:ascii="${v.font}" w:eastAsia="${v.font}" w:hAnsi="${v.font}" w:cs="Times New Roman"/>`);
  return saveDocx(files, doc, { 'word/styles.xml': strToU8(styles) });
}
