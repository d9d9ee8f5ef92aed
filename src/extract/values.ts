// Parsers for the values people type into the forms. Each takes the raw text of a cell and returns the
// normalised value, or a reason when the text is there but cannot be read (→ field.invalid).
import { cleanValue, nfkc, stripSpaces } from '../shared/japanese.ts';
import { ERA_PATTERN, eraToGregorian, isoDate, isRealDate, type IsoDate } from '../shared/calendar.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; empty: true } | { ok: false; empty: false; reason: string };

const EMPTY = { ok: false, empty: true } as const;
const invalid = (reason: string) => ({ ok: false, empty: false, reason }) as const;

/** Text with the form's printed placeholders (年 月 日, 時間) and decoration removed. */
/**
 * A blank date as OCR reads it may keep a speck as a stop or a quote (自。 年月, 。年。月。日): marks no digit
 * or era is read as leave a blank a blank. (ー and - are not among them: a 1 may read as ー.)
 */
function isSpecks(t: string): boolean {
  return /^[。、，,．.・'"`‘’“”_]+$/.test(t.replace(/[年月日]/g, ''));
}

/**
 * A printed placeholder (年月日, 年月, 時間) with one of its characters misread by OCR (年 → 午 or 二, 間 → 問):
 * a blank cell, not a value the applicant typed. Only when no digit was read; the placeholder's own
 * characters must still make up most of it.
 */
function isMisreadPlaceholder(t: string, placeholder: string): boolean {
  if (/\d/.test(t) || t.length !== placeholder.length || placeholder.length < 2) return false;
  let differ = 0;
  for (let i = 0; i < t.length; i++) if (t[i] !== placeholder[i]) differ++;
  return differ === 1;
}

function compact(text: string): string {
  return stripSpaces(nfkc(text));
}

/**
 * Dates as people write them: 2025年4月1日, 2025/4/1, 2025-04-01, 2025.4.1, 令和7年4月1日, R7.4.1, 令和元年,
 * full-width digits, digits typed into the form's `　年　月　日` placeholder, or typed before it.
 * A bare one- or two-digit year is read as Reiwa when small (7年 → 令和7年) and as 20yy otherwise.
 */
export function parseDate(text: string): Parsed<IsoDate> {
  let t = compact(text).replace(/元年/g, '1年');
  // A placeholder left behind after the typed date ("2025/4/1年月日") or an untouched one.
  t = t.replace(/年月日$/, '').replace(/[()（）]/g, '');
  if (t === '' || /^[年月日]*$/.test(t) || isSpecks(t) || isMisreadPlaceholder(t, '年月日')) return EMPTY;
  const era = new RegExp(`^(${ERA_PATTERN})\\.?(\\d{1,2})[年./-](\\d{1,2})[月./-](\\d{1,2})日?$`);
  const greg = /^(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?$/;
  const short = /^(\d{1,2})[年./-](\d{1,2})[月./-](\d{1,2})日?$/;
  const packed = /^(\d{4})(\d{2})(\d{2})$/;
  let y: number | undefined;
  let m: number | undefined;
  let d: number | undefined;
  let match: RegExpMatchArray | null;
  if ((match = t.match(era))) {
    y = eraToGregorian(match[1]!, Number(match[2]));
    m = Number(match[3]);
    d = Number(match[4]);
  } else if ((match = t.match(greg)) || (match = t.match(packed))) {
    y = Number(match[1]);
    m = Number(match[2]);
    d = Number(match[3]);
  } else if ((match = t.match(short))) {
    const n = Number(match[1]);
    y = n <= 20 ? 2018 + n : 2000 + n;
    m = Number(match[2]);
    d = Number(match[3]);
  }
  if (y === undefined || m === undefined || d === undefined) return invalid(`日付として読めません: ${text.trim()}`);
  if (!isRealDate(y, m, d)) return invalid(`存在しない日付です: ${text.trim()}`);
  return { ok: true, value: isoDate(y, m, d) };
}

/** A year and month (YYYY-MM). */
export type YearMonth = string;

/**
 * Months as people write them in the experience grid: 2016年4月, 2016/4, 2016-04, 2016.4, 201604,
 * 平成28年4月, 令和元年9月, H28.4, full-width digits, or typed into the form's `　年　月` placeholder (with
 * its 自/至 prefix). A day, if given, is ignored.
 */
export function parseYearMonth(text: string): Parsed<YearMonth> {
  let t = compact(text).replace(/元年/g, '1年').replace(/^[自至~〜～:：]/, '');
  t = t.replace(/年月(日)?$/, '').replace(/[()（）]/g, '').replace(/(?:末|頃|ごろ|まで|迄|から|より|入社|退社|着任|現任)+$/, '');
  if (t === '' || /^[年月日]*$/.test(t) || isSpecks(t) || isMisreadPlaceholder(t, '年月')) return EMPTY;
  const era = new RegExp(`^(${ERA_PATTERN})\\.?(\\d{1,2})[年./-](\\d{1,2})(?:月|[./-]\\d{1,2}日?)?(?:\\d{1,2}日)?$`);
  const greg = /^(\d{4})[年./-](\d{1,2})(?:月|[./-]\d{1,2}日?)?(?:\d{1,2}日)?$/;
  const packed = /^(\d{4})(\d{2})$/;
  let match: RegExpMatchArray | null;
  let y: number | undefined;
  let m: number | undefined;
  if ((match = t.match(era))) {
    y = eraToGregorian(match[1]!, Number(match[2]));
    m = Number(match[3]);
  } else if ((match = t.match(greg)) || (match = t.match(packed))) {
    y = Number(match[1]);
    m = Number(match[2]);
  }
  if (y === undefined || m === undefined) return invalid(`年月として読めません: ${text.trim()}`);
  if (m < 1 || m > 12 || y < 1900 || y > 2100) return invalid(`存在しない年月です: ${text.trim()}`);
  return { ok: true, value: `${y}-${String(m).padStart(2, '0')}` };
}

/** 至 written as 現在 (or 在職中, 継続中, 今): the period runs up to the date of receipt. */
export function isOngoing(text: string): boolean {
  return /^(?:至)?(?:現在|現在まで|在職中|継続中|今|今日|現職|現在に至る)(?:年月)?$/.test(compact(text));
}

/** Years as 6, 3.5, 6年, 3年6ヶ月, ３年６ヶ月, 3年6か月, 42ヶ月, 0.5年, 3年半, 約3年. The printed 年 placeholder alone is empty. */
export function parseYears(text: string): Parsed<number> {
  const t = compact(text).replace(/[ヵケカかヶか]?月間?|ヶ月|カ月|か月|ケ月|ヵ月/g, 'か月');
  if (t === '' || t === '年') return EMPTY;
  let match: RegExpMatchArray | null;
  if ((match = t.match(/^約?(\d+(?:\.\d+)?)(?:年間?)?$/))) return { ok: true, value: Number(match[1]) };
  if ((match = t.match(/^約?(\d+)年半$/))) return { ok: true, value: Number(match[1]) + 0.5 };
  if ((match = t.match(/^約?(?:(\d+)年間?)?(\d+)か月(?:年)?$/))) {
    const months = Number(match[1] ?? 0) * 12 + Number(match[2]);
    return { ok: true, value: Math.round((months / 12) * 100) / 100 };
  }
  return invalid(`年数として読めません: ${text.trim()}`);
}

/** Hours as 6, 6時間, ６ｈ, 1.5, 1時間30分, 90分. The printed 時間 placeholder alone is empty. */
export function parseHours(text: string): Parsed<number> {
  const t = compact(text).toLowerCase();
  if (t === '' || t === '時間' || isMisreadPlaceholder(t, '時間')) return EMPTY;
  let match: RegExpMatchArray | null;
  if ((match = t.match(/^(\d+(?:\.\d+)?)(?:(?:時間|h|hr|hrs|hours?)(?:(\d{1,2})分)?)?(?:時間)?$/))) {
    const hours = Number(match[1]) + (match[2] ? Number(match[2]) / 60 : 0);
    return { ok: true, value: Math.round(hours * 100) / 100 };
  }
  if ((match = t.match(/^(\d+)(?:分|min|mins|minutes?)(?:時間)?$/))) {
    return { ok: true, value: Math.round((Number(match[1]) / 60) * 100) / 100 };
  }
  return invalid(`時間数として読めません: ${text.trim()}`);
}

/** CPD points or a stated total: 5, ５, 5ポイント, 5pt, 5P, 2.5. */
export function parseNumber(text: string): Parsed<number> {
  const t = compact(text).toLowerCase().replace(/,/g, '');
  if (t === '') return EMPTY;
  const match = t.match(/^(\d+(?:\.\d+)?)(?:ポイント|point|points|pts?|p|点)?$/);
  if (!match) return invalid(`数値として読めません: ${text.trim()}`);
  return { ok: true, value: Number(match[1]) };
}

/** A Japanese postal code: 7 digits, any hyphen or dash between 3 and 4. */
export function parsePostalCode(text: string): Parsed<string> {
  // 一 (the kanji for one) is how OCR often reads the dash between the digits.
  const t = compact(text).replace(/〒/g, '');
  if (t === '' || /^[-ー－‐−]$/.test(t)) return EMPTY;
  const match = t.match(/^(\d{3})[-ー－‐−―一]?(\d{4})$/);
  if (!match) return invalid(`郵便番号として読めません: ${text.trim()}`);
  return { ok: true, value: `${match[1]}-${match[2]}` };
}

export function isPlausibleEmail(text: string): boolean {
  return /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(text);
}

export function normaliseEmail(text: string): string {
  return stripSpaces(nfkc(text)).replace(/＠/g, '@');
}

/** Phone numbers keep their digits and hyphens; plausible when 10 or 11 digits (domestic). */
export function normalisePhone(text: string): string {
  return cleanValue(text).replace(/[ー－‐−―]/g, '-').replace(/\s+/g, '');
}

export function isPlausiblePhone(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  return /^[0-9()+-]+$/.test(text) && digits.length >= 10 && digits.length <= 11;
}

/** Characters people put in front of (or instead of) a choice to mark it. */
export const CHOICE_MARKS = '○〇◯●◎◉⦿■▣☑☒✓✔✅★☆*＊✕×xX→⇒';
/** Characters that look like marks but say "not chosen". */
export const EMPTY_MARKS = '☐□◇△・·';

export function leadingMark(text: string): string | null {
  // Bullets as Word draws them: ·, or the Symbol font's private-use bullet (U+F0B7) a PDF keeps.
  const t = text.trim().replace(/^[·・•\uf0a7\uf0b7\uf076\uf0d8\s\u3000]+/, '');
  const first = [...t][0];
  if (first && CHOICE_MARKS.includes(first)) return first;
  return null;
}
