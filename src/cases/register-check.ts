// A renewal checked against the register of holders (SPEC §8 register.*): the 認定番号 must be a holder's,
// of this qualification, with the holder's name, active, and a validity that ends in the fiscal year of
// the application. Pure: the register's entry comes in with the evaluation's facts (src/app/register.ts
// reads it), so the transition stays a function of its input. An unknown number is for staff (the register
// may be incomplete), never a notice that accuses the applicant; a changed name is for the reviewer.
import { finding, type Finding } from '../validate/findings.ts';
import { fiscalYearOf, fiscalYearRange, type IsoDate } from '../shared/calendar.ts';
import { holderStatusOn } from './holder-status.ts';

/** The register's entry for the number a renewal gives (null: the register does not know it). */
export interface RegisterFacts {
  certificationNumber: string;
  holder: { qualification: string; name: string; nameKana: string | null; validFrom: IsoDate; validTo: IsoDate; status: string } | null;
}

// Old and new forms of kanji people's names are written in either way (異体字): compared as the same.
const VARIANTS: Record<string, string> = {
  髙: '高', 﨑: '崎', 嵜: '崎', 邊: '辺', 邉: '辺', 齋: '斎', 齊: '斉', 濱: '浜', 澤: '沢', 櫻: '桜', 廣: '広', 德: '徳', 惠: '恵', 眞: '真',
  國: '国', 藏: '蔵', 實: '実', 壽: '寿', 榮: '栄', 團: '団', 瀨: '瀬', 龍: '竜', 學: '学', 條: '条', 萬: '万', 與: '与', 冨: '富', 槇: '槙',
};

/** A name compared by content: width, spaces and kanji variants do not count; katakana read as hiragana. */
export function comparableName(name: string): string {
  return [...name.normalize('NFKC').replace(/[\s\u3000・･]/g, '')]
    .map((c) => VARIANTS[c] ?? c)
    .map((c) => (c >= '\u30a1' && c <= '\u30f6' ? String.fromCharCode(c.charCodeAt(0) - 0x60) : c))
    .join('');
}

function parts(name: string): string[] {
  return name.normalize('NFKC').trim().split(/[\s\u3000]+/).filter(Boolean);
}

export function registerFindings(application: { qualification?: unknown; name?: unknown; nameKana?: unknown }, facts: RegisterFacts, received: IsoDate): Finding[] {
  const number = facts.certificationNumber;
  const h = facts.holder;
  if (!h) {
    return [finding('register.unknown-number', 'staff', `認定番号 ${number} は認定者名簿にありません（名簿が未整備の可能性があります）。認定者であることを確認してください。`, { field: 'certificationNumber' })];
  }
  const out: Finding[] = [];
  if (typeof application.qualification === 'string' && application.qualification !== h.qualification) {
    out.push(finding('register.qualification-mismatch', 'staff', `認定番号 ${number} は名簿では ${h.qualification} の認定ですが、申請書では ${application.qualification} の更新です。`, { field: 'qualification' }));
  }
  const name = typeof application.name === 'string' ? application.name : '';
  const kana = typeof application.nameKana === 'string' ? application.nameKana : '';
  if (name && comparableName(name) !== comparableName(h.name)) {
    const [formSurname, ...formGiven] = parts(name);
    const [holderSurname, ...holderGiven] = parts(h.name);
    const givenSame = formGiven.length > 0 && comparableName(formGiven.join('')) === comparableName(holderGiven.join(''));
    const kanaSame = !!kana && !!h.nameKana && comparableName(kana) === comparableName(h.nameKana);
    const why = givenSame && formSurname !== holderSurname ? '姓が変わった可能性があります（婚姻等）' : kanaSame ? 'よみがなは一致しています（表記の違いの可能性）' : '別人でないか確認してください';
    out.push(finding('register.name-mismatch', 'reviewer', `申請書の氏名「${name}」が認定者名簿の氏名「${h.name}」（認定番号 ${number}）と異なります。${why}。`, { field: 'name' }));
  }
  // The holder's state on the day of receipt, by the register's one rule ('expired' from the dates).
  const state = holderStatusOn(h.status === 'lapsed' || h.status === 'revoked' ? h.status : 'active', h.validTo, received);
  if (state === 'lapsed' || state === 'revoked') {
    out.push(finding('register.not-active', 'staff', `認定番号 ${number} は名簿で${state === 'revoked' ? '認定取消' : '失効'}となっています（有効期間 ${h.validFrom}〜${h.validTo}）。`, { field: 'certificationNumber' }));
  } else {
    const fy = fiscalYearOf(received);
    const endFy = fiscalYearOf(h.validTo);
    // Expired (the validity ended before receipt, its renewal window passed) or ending in another year.
    if (state === 'expired' || endFy !== fy) {
      const current = fiscalYearRange(fy);
      const what = state === 'expired' ? `有効期間が ${h.validTo} に満了した後（期限切れ）の更新申請です` : endFy > fy ? '有効期限の年度より前の更新申請です（早すぎる申請）' : '有効期限を過ぎた後の更新申請です（失効後）';
      out.push(finding('register.validity-mismatch', 'staff', `${what}。名簿の有効期間は ${h.validFrom}〜${h.validTo}、受付日 ${received} の年度は ${current.start}〜${current.end} です。`, { field: 'certificationNumber' }));
    }
  }
  return out;
}
