// Initial certification validation (SPEC §4, manual 004): the exam report (attached, at most 3 years
// old), the experience (5 years incl. at most 2 of substitutions, 2 fields, 2 years in a required
// field, overlaps once), the supervisor's certification, the oath, and the fields of the dictionary.
import type { z } from 'zod';
import { kindRulesBase, lazySchema, monthDay, zod } from '../config/rules.ts';
import { WORK_FIELDS, type CertificationApplication } from '../extract/forms/certification.ts';
import { addYears, firstValidityPeriod, type IsoDate } from '../shared/calendar.ts';
import { nfkc } from '../shared/japanese.ts';
import { checkFields, paymentKeyFrom } from './common.ts';
import { computeExperience, yearsOf } from './experience.ts';
import { finding, type Finding } from './findings.ts';
import type { FormValidator, SupportingDocument } from './validator.ts';

// Built on first use (zod loads then, not when the form kinds are imported: src/config/rules.ts).
function buildCertificationRulesSchema() {
  const z = zod();
  const fieldNumber = z.number().int().min(1).max(7);

  return kindRulesBase().extend({
    kind: z.literal('certification'),
    examReport: z.object({
      /** The report is valid this many years from its issue date (manual 004: 3). */
      validYears: z.number().int().positive(),
    }).strict(),
    experience: z.object({
      minimumYears: z.number().positive(),
      minimumFields: z.number().int().positive(),
      requiredFieldMinimumYears: z.number().positive(),
      maxSubstitutionYears: z.number().min(0),
      /** The qualification's required work fields (必須分野). */
      requiredFields: z.object({ OMP: z.array(fieldNumber).min(1), CAP: z.array(fieldNumber).min(1) }).strict(),
      /** Stated totals within this many years of ours are not reported to the reviewer (rounding). */
      statedTotalToleranceYears: z.number().min(0),
    }).strict(),
    firstValidity: z.object({
      fiscalYears: z.number().int().positive(),
      /** The renewal acceptance window in the last fiscal year (as rules/renewal.yaml). */
      renewalWindow: z.object({ from: monthDay(), to: monthDay() }).strict(),
    }).strict(),
  }).strict();
}
export const certificationRulesSchema = lazySchema(buildCertificationRulesSchema);
export type CertificationRules = z.infer<ReturnType<typeof buildCertificationRulesSchema>>;

/** Where each field sits on the certification form, where it differs from the shared wording. */
export const CERTIFICATION_FIELD_LABELS: Record<string, string> = {
  applicationDate: '（Ａ）資格認定申請書の「申請年月日」',
  passerNumber: '（Ａ）■申請者情報の「合格者番号」',
  examReportIssuedOn: '（Ａ）■申請者情報の「試験結果レポート（合格証明書）発行日」',
  qualification: '（Ａ）■申請者情報の「申請資格」',
  name: '（Ａ）■申請者情報の「氏名」',
  nameKana: '（Ａ）■申請者情報の「氏名（かな）」',
  company: '（Ａ）■申請者情報の「所属先会社名」',
  companyKana: '（Ａ）■申請者情報の「所属先会社名（かな）」',
  feeTransferDate: '（Ａ）■認定審査手数料の「認定審査手数料振込日」',
  feeTransferName: '（Ａ）■認定審査手数料の「認定審査手数料振込名義」',
  experience: '（Ｂ）業務経験証明書の「業務経験」の表',
  statedTotalYears: '（Ｂ）「業務経験年数合計」',
  statedRequiredFieldYears: '（Ｂ）「必須分野の経験年数」',
  'certifier.certifiedOn': '（Ｃ）上司もしくは監督者による証明の「証明日」',
  'certifier.organization': '（Ｃ）の「会社・組織名」',
  'certifier.title': '（Ｃ）の「所属・役職」',
  'certifier.name': '（Ｃ）の「証明者氏名」',
  'certifier.phone': '（Ｃ）の「連絡先電話番号」',
  oathAgreed: '（Ｄ）宣誓書の末尾の宣誓チェックボックス',
  oathDate: '（Ｄ）宣誓書の「宣誓日」',
};
const label = (field: string) => CERTIFICATION_FIELD_LABELS[field] ?? field;

const EXPERIENCE_COLUMNS = { field: '分野の番号', from: '期間の「自」', to: '期間の「至」', years: '年数' } as const;
// The exam report's date may come from the report itself; the certifier's name and organisation are certifier.missing.
const HANDLED_HERE = ['qualification', 'oathAgreed', 'experience', 'examReportIssuedOn', 'certifier.name', 'certifier.organization'];

const ym = (s: string) => s.replace(/^(\d{4})-(\d{2})$/, (_, y, m) => `${y}年${Number(m)}月`);
const digits = (s: string | null) => (s ? nfkc(s).replace(/\D/g, '') : '');

interface ExamReportUse {
  issuedOn: IsoDate | null;
  source: 'report' | 'form' | null;
  expiresOn: IsoDate | null;
  evidence: string;
}

/**
 * A supporting file that may be the report although it was not recognised as one: a picture or a scan
 * (content not read), or a PDF whose text did not say it is (a copy cut or laid out otherwise). Word and
 * spreadsheet files are never the association's report.
 */
function mayBeReport(d: SupportingDocument): boolean {
  if (d.facts.kind === 'exam-report') return true;
  return !/\.(?:docx?|xlsx?|csv|txt|odt)$/i.test(d.filename);
}

function checkExamReport(app: CertificationApplication, documents: readonly SupportingDocument[], received: IsoDate, rules: CertificationRules, findings: Finding[]): ExamReportUse {
  const reports = documents.filter((d) => d.facts.kind === 'exam-report');
  const read = reports.find((d) => d.facts.kind === 'exam-report' && d.facts.read);
  const formDate = app.examReportIssuedOn;
  let issuedOn: IsoDate | null = formDate;
  let source: ExamReportUse['source'] = formDate ? 'form' : null;
  let evidence = formDate ? `申請書の記載（${formDate}）` : '発行日不明';

  if (read && read.facts.kind === 'exam-report' && read.facts.read) {
    const r = read.facts;
    if (r.issuedOn) {
      issuedOn = r.issuedOn;
      source = 'report';
      evidence = `添付「${read.filename}」の${r.evidence}`;
      if (formDate && formDate !== r.issuedOn) {
        findings.push(finding('exam-report.mismatch', 'reviewer', `試験結果レポート「${read.filename}」の発行日（${r.issuedOn}）と申請書の記載（${formDate}）が異なります。レポートの日付で有効期限を判定しました。`, { field: 'examReportIssuedOn' }));
      }
    } else {
      findings.push(finding('exam-report.unread', 'reviewer', `試験結果レポート「${read.filename}」から発行日を読み取れませんでした。申請書記載の発行日（${formDate ?? '未記入'}）で判定しています。`, { field: 'examReportIssuedOn' }));
    }
    if (r.passerNumber && app.passerNumber && !digits(r.passerNumber).endsWith(digits(app.passerNumber)) && !digits(app.passerNumber).endsWith(digits(r.passerNumber))) {
      findings.push(finding('exam-report.mismatch', 'reviewer', `試験結果レポートの番号（${r.passerNumber}）と申請書の合格者番号（${app.passerNumber}）が一致しません。`, { field: 'passerNumber' }));
    }
    if (r.qualification && app.qualification && r.qualification !== app.qualification) {
      findings.push(finding('exam-report.mismatch', 'reviewer', `試験結果レポートは${r.qualification}の試験ですが、申請資格は${app.qualification}です。`, { field: 'qualification' }));
    }
  } else if (reports.length > 0 || documents.some(mayBeReport)) {
    // A PDF or picture we could not read as the report (a photo OCR cannot tell, a copy laid out
    // otherwise): maybe it is the report. Telling the applicant it is missing could be false, so staff
    // look at the file first; the applicant hears only what staff decide (exam-report.missing follows
    // from a later evaluation if the file is something else).
    const which = [...reports, ...documents.filter((d) => d.facts.kind !== 'exam-report' && mayBeReport(d))].map((d) => `「${d.filename}」`).join('、');
    findings.push(finding('exam-report.unread', 'staff', `試験結果レポート（合格証明書）を添付ファイルから自動で確認できませんでした（添付${which}）。添付が試験結果レポートか確認し、発行日（申請書の記載: ${formDate ?? '未記入'}）を確かめてください。申請者にはまだ何も伝えていません。`, { field: 'examReportIssuedOn' }));
  } else {
    findings.push(finding('exam-report.missing', 'applicant', '合格証明書（試験結果レポート）のコピーが添付されていません。PDFまたは画像（スキャン・写真）でこの返信に添付してお送りください。', { field: 'examReport' }));
  }

  if (source !== 'report' && !formDate) {
    findings.push(app.invalid.examReportIssuedOn
      ? finding('field.invalid', 'applicant', `${label('examReportIssuedOn')}を読み取れませんでした（${app.invalid.examReportIssuedOn}）。正しい形式でご記入ください。`, { field: 'examReportIssuedOn' })
      : finding('field.missing', 'applicant', `${label('examReportIssuedOn')}が未記入です。ご記入ください。`, { field: 'examReportIssuedOn' }));
  }
  const expiresOn = issuedOn ? addYears(issuedOn, rules.examReport.validYears) : null;
  if (issuedOn && issuedOn > received) {
    findings.push(finding('field.invalid', 'applicant', `${label('examReportIssuedOn')}（${issuedOn}）が受付日（${received}）より後になっています。試験結果レポートの発行日をご確認ください。`, { field: 'examReportIssuedOn' }));
  } else if (expiresOn && received >= expiresOn) {
    findings.push(finding('exam-report.expired', 'applicant', `試験結果レポート（合格証明書）の発行日は${issuedOn}で、有効期間（発行日から${rules.examReport.validYears}年間、${expiresOn}の前日まで）を過ぎています。有効期間を過ぎた合格証明書では資格認定申請ができません。協会までお問い合わせください。`, { field: 'examReportIssuedOn' }));
  }
  return { issuedOn, source, expiresOn, evidence };
}

export const certificationValidator: FormValidator<CertificationApplication, CertificationRules> = {
  kind: 'certification',
  get rulesSchema() { return certificationRulesSchema(); },

  validate(app, rules, ctx) {
    const findings: Finding[] = checkFields(app, rules, HANDLED_HERE, CERTIFICATION_FIELD_LABELS, ctx.channel);

    if (app.qualificationMarked.length > 1) {
      findings.push(finding('qualification.multiple', 'applicant', `${label('qualification')}でOMPとCAPの両方が選ばれています。申請書は1資格につき1通です。申請する資格を1つだけ残し、もう一方を削除してください。`, { field: 'qualification' }));
    } else if (app.qualification === null) {
      findings.push(finding('qualification.none', 'applicant', `${label('qualification')}でOMPとCAPのどちらを申請するかが分かりません。申請する資格を1つだけ残し、もう一方を削除してください。`, { field: 'qualification' }));
    }
    if (app.applicationDate && app.applicationDate > ctx.received) {
      findings.push(finding('field.invalid', 'applicant', `${label('applicationDate')}（${app.applicationDate}）が受付日（${ctx.received}）より後になっています。日付をご確認ください。`, { field: 'applicationDate' }));
    }

    const examReport = checkExamReport(app, ctx.documents, ctx.received, rules, findings);

    // Experience, from the calendar.
    const requiredFields = app.qualification ? rules.experience.requiredFields[app.qualification] : [];
    const exp = computeExperience(app.experience, app.substitutions, ctx.received.slice(0, 7), requiredFields, rules.experience);
    if (app.experience.length === 0) {
      findings.push(finding('field.missing', 'applicant', `${label('experience')}が未記入です。「業務の7分野」に該当する業務経験を、分野の番号・会社名・期間とともにご記入ください。`, { field: 'experience' }));
    }
    app.experience.forEach((row, i) => {
      const where = `${label('experience')}の${row.rowInGrid}行目${row.organization ? `（${row.organization}）` : ''}`;
      for (const [column, reason] of Object.entries(row.invalid)) {
        findings.push(finding('field.invalid', 'applicant', `${where}の${EXPERIENCE_COLUMNS[column as keyof typeof EXPERIENCE_COLUMNS]}を読み取れませんでした（${reason}）。`, { field: `experience.${column}`, row: i + 1 }));
      }
      const res = exp.rows[i]!;
      if (res.excluded === 'incomplete') {
        const missing = [row.field === null && !row.invalid.field ? '分野の番号（1〜7）' : null, row.from === null && !row.invalid.from ? '期間の「自」（年月）' : null, row.to === null && !row.ongoing && !row.invalid.to ? '期間の「至」（年月、在職中なら「現在」）' : null].filter(Boolean);
        if (missing.length > 0) findings.push(finding('experience.row-incomplete', 'applicant', `${where}に${missing.join('・')}の記入がありません。ご記入ください（記入がない行は経験年数に数えられません）。`, { field: 'experience', row: i + 1 }));
      } else if (res.excluded === 'reversed') {
        findings.push(finding('field.invalid', 'applicant', `${where}の期間は「自」（${ym(row.from!)}）が「至」（${ym(row.to!)}）より後になっています。期間をご確認ください。`, { field: 'experience.to', row: i + 1 }));
      } else if (res.excluded === 'future') {
        findings.push(finding('field.invalid', 'applicant', `${where}の期間の「自」（${ym(row.from!)}）が受付日より後になっています。期間をご確認ください。`, { field: 'experience.from', row: i + 1 }));
      }
    });
    app.substitutions.forEach((row, i) => {
      for (const [column, reason] of Object.entries(row.invalid)) {
        findings.push(finding('field.invalid', 'applicant', `（Ｂ）「資格取得・研修受講による代替」の${row.rowInGrid}行目の${column === 'years' ? '代替年数' : '取得・修了年月'}を読み取れませんでした（${reason}）。`, { field: `substitutions.${column}`, row: i + 1 }));
      }
    });

    const minMonths = rules.experience.minimumYears * 12;
    const subsCap = rules.experience.maxSubstitutionYears;
    if (app.experience.length > 0 && exp.totalWithSubstitutionMonths < minMonths) {
      findings.push(finding('experience.total-short', 'applicant', `「業務の7分野」に該当する業務経験が、期間から計算して${yearsOf(exp.totalMonths)}年（重複する期間は1回だけ数えます）${exp.substitutionCountedMonths > 0 ? `、資格取得・研修受講による代替${yearsOf(exp.substitutionCountedMonths)}年を加えて${yearsOf(exp.totalWithSubstitutionMonths)}年` : ''}です。${rules.experience.minimumYears}年以上が必要です（代替は最大${subsCap}年）。記入漏れの経験があれば追記してください。`, { field: 'experience' }));
    }
    if (app.experience.length > 0 && exp.fieldsCount < rules.experience.minimumFields) {
      findings.push(finding('experience.fields-too-few', 'applicant', `業務経験の分野が${exp.fieldsCount}分野（${exp.byField.map((f) => `${f.field}.${WORK_FIELDS[f.field]}`).join('、') || 'なし'}）です。「業務の7分野」のうち${rules.experience.minimumFields}分野以上での経験が必要です。他の分野の経験があれば追記してください。`, { field: 'experience' }));
    }
    if (app.experience.length > 0 && app.qualification && exp.requiredMonths < rules.experience.requiredFieldMinimumYears * 12) {
      findings.push(finding('experience.required-field-short', 'applicant', `${app.qualification}の必須分野（${requiredFields.map((f) => `${f}.${WORK_FIELDS[f]}`).join('、')}）での業務経験が${yearsOf(exp.requiredMonths)}年です。${rules.experience.requiredFieldMinimumYears}年以上が必要です。`, { field: 'experience' }));
    }
    if (exp.substitutionClaimedMonths > exp.substitutionCountedMonths) {
      findings.push(finding('substitution.over-limit', 'reviewer', `資格取得・研修受講による代替が${yearsOf(exp.substitutionClaimedMonths)}年申告されています。算入は最大${subsCap}年です。`, { field: 'substitutions' }));
    }
    const tolerance = rules.experience.statedTotalToleranceYears;
    const totalYears = exp.totalWithSubstitutionMonths / 12;
    if (app.statedTotalYears !== null && Math.abs(app.statedTotalYears - totalYears) > tolerance) {
      findings.push(finding('experience.stated-total-mismatch', 'reviewer', `業務経験年数合計の記載は${app.statedTotalYears}年ですが、期間から計算すると${yearsOf(exp.totalWithSubstitutionMonths)}年です（重複を除き、代替を含む。計算を採用）。`, { field: 'statedTotalYears' }));
    }
    if (app.statedRequiredFieldYears !== null && app.qualification && Math.abs(app.statedRequiredFieldYears - exp.requiredMonths / 12) > tolerance) {
      findings.push(finding('experience.stated-total-mismatch', 'reviewer', `必須分野の経験年数の記載は${app.statedRequiredFieldYears}年ですが、計算では${yearsOf(exp.requiredMonths)}年です（計算を採用）。`, { field: 'statedRequiredFieldYears' }));
    }

    // (C) The supervisor's certification.
    const c = app.certifier;
    if (!c.name || !c.organization) {
      const missing = [!c.organization ? '会社・組織名' : null, !c.name ? '証明者氏名' : null].filter(Boolean).join('・');
      findings.push(finding('certifier.missing', 'applicant', `（Ｃ）上司もしくは監督者による証明の${missing}が未記入です。業務経験を積んだ企業・組織の上司または監督者に、証明欄の記入と自署をお願いしてください。`, { field: 'certifier' }));
    }
    if (!c.signed) {
      findings.push(finding('certifier.unsigned', 'applicant', '（Ｃ）上司もしくは監督者による証明の「署名（自署）」がありません。証明者ご本人の署名（印刷して自署したもののスキャン、または署名の画像）をお願いします。', { field: 'certifier.signed' }));
    } else if (c.signature === 'typed') {
      findings.push(finding('signature.typed', 'reviewer', '（Ｃ）証明者の署名欄は手書きではなく文字入力です。証明として扱えるか確認してください。', { field: 'certifier.signed' }));
    }

    // (D) The oath.
    if (!app.oathAgreed) {
      findings.push(finding('oath.not-agreed', 'applicant', `${label('oathAgreed')}にチェックがありません。内容をご確認のうえ、チェックを入れてください。`, { field: 'oathAgreed' }));
    }
    if (!app.applicantSigned) {
      findings.push(finding('oath.unsigned', 'applicant', '（Ｄ）宣誓書の「署名（自署）」がありません。ご本人の署名（印刷して自署したもののスキャン、または署名の画像）をお願いします。', { field: 'applicantSigned' }));
    } else if (app.applicantSignature === 'typed') {
      findings.push(finding('signature.typed', 'reviewer', '（Ｄ）宣誓書の署名欄は手書きではなく文字入力です。', { field: 'applicantSigned' }));
    }

    const validity = examReport.issuedOn
      ? firstValidityPeriod(examReport.issuedOn, rules.firstValidity.fiscalYears, rules.firstValidity.renewalWindow.from, rules.firstValidity.renewalWindow.to)
      : null;
    return { findings, computed: { experience: exp, examReport, firstValidity: validity } };
  },

  paymentKey(app) {
    return paymentKeyFrom(app.passerNumber, app.feeTransferName, app.nameKana);
  },
};
