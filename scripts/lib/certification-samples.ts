// The certification samples: fictional passers applying for certification, each form exercising one
// criterion of SPEC §4, with the outcome we expect. Received in February 2026.
import type { CertificationFill } from './fill-certification-form.ts';

export const CERT_COMPLETE: CertificationFill = {
  applicationDate: '2026年2月10日',
  passerNumber: '2310450123',
  examReportIssuedOn: '2025年7月15日',
  qualification: { kind: 'delete-other', choose: 'OMP' },
  name: '検定 花子',
  nameKana: 'けんてい はなこ',
  company: '株式会社サンプルサポート',
  companyKana: 'かぶしきがいしゃさんぷるさぽーと',
  postalCode: '160-0023',
  address: '東京都新宿区西新宿1-2-3 サンプルタワー12階',
  phone: '03-2345-6789',
  mobile: '080-2345-6789',
  email: 'hanako.kentei@example.jp',
  feeTransferDate: '2026年2月9日',
  feeTransferName: '0123ケンテイハナコ',
  experience: [
    { field: '2', organization: '株式会社サンプルサポート', from: '2014年4月', to: '2018年3月', years: '4', duties: 'オペレーター、スーパーバイザーとして顧客対応' },
    { field: '4', organization: '株式会社サンプルサポート', from: '2018年4月', to: '現在', years: '7年11ヶ月', duties: 'センターの要員計画・品質管理' },
  ],
  statedTotalYears: '11.9',
  statedRequiredFieldYears: '7.9',
  certifier: { certifiedOn: '2026年2月5日', organization: '株式会社サンプルサポート', title: 'カスタマーサービス本部 本部長', name: '山田 一郎', signature: 'image', phone: '03-2345-0000' },
  oath: 'checked',
  oathDate: '2026年2月10日',
  applicantSignature: 'image',
};

export interface CertificationSample {
  file: string;
  description: string;
  fill: CertificationFill;
  /** Values a reader must extract (a subset of the field dictionary, normalised). */
  expected: Record<string, unknown>;
  /** Finding codes (code/audience) when received on 2026-02-10 with a valid exam report attached. */
  findings: string[];
  /** Status then, unpaid. */
  status: string;
}

const C = CERT_COMPLETE;

export const CERTIFICATION_SAMPLES: CertificationSample[] = [
  {
    file: 'certification-complete.docx',
    description: 'Complete OMP certification: two jobs (one ongoing, 至 現在), signatures pasted as images, oath ticked.',
    fill: C,
    expected: {
      passerNumber: '2310450123', examReportIssuedOn: '2025-07-15', qualification: 'OMP', nameKana: 'けんてい はなこ', postalCode: '160-0023',
      experience: [{ field: 2, from: '2014-04', to: '2018-03', ongoing: false, years: 4 }, { field: 4, from: '2018-04', to: null, ongoing: true, years: 7.92 }],
      statedTotalYears: 11.9, certifier: { certifiedOn: '2026-02-05', name: '山田 一郎', signed: true, signature: 'image' }, oathAgreed: true, oathDate: '2026-02-10', applicantSigned: true,
    },
    findings: [],
    status: 'awaiting-payment',
  },
  {
    file: 'certification-total-short.docx',
    description: 'Three years of experience plus one year of substitution: under five years.',
    fill: {
      ...C, passerNumber: '2310450201', name: '佐々木 翔', nameKana: 'ささき しょう', feeTransferName: '0201ササキショウ',
      experience: [
        { field: '2', organization: '株式会社テストコール', from: '2022年4月', to: '2023年3月', years: '1', duties: 'オペレーター' },
        { field: '4', organization: '株式会社テストコール', from: '2023年4月', to: '現在', years: '2年11ヶ月', duties: 'シフト管理' },
      ],
      substitutions: [{ title: 'COPC CX Standard 研修修了', obtainedOn: '2022年10月', years: '1' }],
      statedTotalYears: '4.9', statedRequiredFieldYears: '2.9',
    },
    expected: { experience: [{ field: 2, from: '2022-04', to: '2023-03' }, { field: 4, from: '2023-04', ongoing: true }], substitutions: [{ title: 'COPC CX Standard 研修修了', obtainedOn: '2022-10', years: 1 }] },
    findings: ['experience.total-short/applicant'],
    status: 'missing-items',
  },
  {
    file: 'certification-one-field.docx',
    description: 'Six years, all in field 4: fewer than two distinct fields.',
    fill: {
      ...C, passerNumber: '2310450302', name: '高橋 美咲', nameKana: 'たかはし みさき', feeTransferName: '0302タカハシミサキ',
      experience: [
        { field: '4', organization: '株式会社ワンフィールド', from: '2016年4月', to: '2019年3月', years: '3', duties: 'SV' },
        { field: '4', organization: '株式会社ワンフィールド', from: '2019年4月', to: '2022年3月', years: '3', duties: 'マネージャー' },
      ],
      statedTotalYears: '6', statedRequiredFieldYears: '6',
    },
    expected: { experience: [{ field: 4, from: '2016-04', to: '2019-03' }, { field: 4, from: '2019-04', to: '2022-03' }] },
    findings: ['experience.fields-too-few/applicant'],
    status: 'missing-items',
  },
  {
    file: 'certification-required-field-short.docx',
    description: 'OMP with six years in fields 1–3 and one year in field 5: under two years in a required field.',
    fill: {
      ...C, passerNumber: '2310450403', name: '伊藤 大輔', nameKana: 'いとう だいすけ', feeTransferName: '0403イトウダイスケ',
      experience: [
        { field: '1', organization: '株式会社ストラテジー', from: '2015年4月', to: '2018年3月', years: '3', duties: '戦略立案' },
        { field: '3', organization: '株式会社ストラテジー', from: '2018年4月', to: '2021年3月', years: '3', duties: 'CRM' },
        { field: '5', organization: '株式会社ストラテジー', from: '2021年4月', to: '2022年3月', years: '1', duties: '採用・研修' },
      ],
      statedTotalYears: '7', statedRequiredFieldYears: '1',
    },
    expected: { experience: [{ field: 1 }, { field: 3 }, { field: 5, from: '2021-04', to: '2022-03' }], statedRequiredFieldYears: 1 },
    findings: ['experience.required-field-short/applicant'],
    status: 'missing-items',
  },
  {
    file: 'certification-overlapping.docx',
    description: 'Two jobs held at the same time (2017–2019 overlap counted once) and the stated total adds them up twice.',
    fill: {
      ...C, passerNumber: '2310450504', name: '中村 由美', nameKana: 'なかむら ゆみ', feeTransferName: '0504ナカムラユミ',
      experience: [
        { field: '2', organization: '株式会社オーバーラップ', from: '2015年4月', to: '2019年3月', years: '4', duties: '顧客対応' },
        { field: '4', organization: '有限会社サイドジョブ', from: '2017年4月', to: '2020年3月', years: '3', duties: '要員計画（兼務）' },
        { field: '5', organization: '株式会社オーバーラップ', from: '2020年4月', to: '2021年3月', years: '1', duties: '研修講師' },
      ],
      statedTotalYears: '8', statedRequiredFieldYears: '4',
    },
    expected: { experience: [{ field: 2, from: '2015-04', to: '2019-03' }, { field: 4, from: '2017-04', to: '2020-03' }, { field: 5 }], statedTotalYears: 8 },
    findings: ['experience.stated-total-mismatch/reviewer'],
    status: 'awaiting-payment',
  },
  {
    file: 'certification-wareki-fullwidth.docx',
    description: 'CAP marked with ○; wareki months (平成・令和元年), full-width digits, a period typed on one line, 年 and ヶ月.',
    fill: {
      ...C, passerNumber: '２３１０４５０６０５', name: '小林 誠', nameKana: 'コバヤシ マコト', qualification: { kind: 'mark', choose: 'CAP', mark: '○' },
      examReportIssuedOn: '令和7年7月15日', feeTransferName: '０６０５コバヤシマコト', applicationDate: '令和８年２月１０日',
      experience: [
        { field: '６', organization: '株式会社和暦システムズ', from: '平成２６年４月', to: '令和元年９月', years: '５年６ヶ月', duties: 'センター設計' },
        { field: '7', organization: '株式会社和暦システムズ', from: '令和元年10月', to: '令和3年3月', periodStyle: 'one-line', years: '1.5', duties: 'CTI構築' },
        { field: '２', organization: '株式会社和暦システムズ', from: 'R3.4', to: '現在', years: '４年１１ヶ月', duties: '顧客対応品質' },
      ],
      statedTotalYears: '１１．９', statedRequiredFieldYears: '７',
    },
    expected: {
      passerNumber: '2310450605', qualification: 'CAP', examReportIssuedOn: '2025-07-15', applicationDate: '2026-02-10',
      experience: [{ field: 6, from: '2014-04', to: '2019-09', years: 5.5 }, { field: 7, from: '2019-10', to: '2021-03', years: 1.5 }, { field: 2, from: '2021-04', ongoing: true, years: 4.92 }],
      statedTotalYears: 11.9, statedRequiredFieldYears: 7,
    },
    findings: [],
    status: 'awaiting-payment',
  },
  {
    file: 'certification-typed-signature.docx',
    description: 'The supervisor typed their name into the signature cell: counted as signed, flagged for the reviewer.',
    fill: { ...C, passerNumber: '2310450706', name: '加藤 恵', nameKana: 'かとう めぐみ', feeTransferName: '0706カトウメグミ', certifier: { ...C.certifier, signature: { typed: '山田 一郎' } } },
    expected: { certifier: { signed: true, signature: 'typed' }, applicantSigned: true },
    findings: ['signature.typed/reviewer'],
    status: 'awaiting-payment',
  },
  {
    file: 'certification-oath-unchecked.docx',
    description: 'Oath checkbox left unchecked and the applicant did not sign part (D).',
    fill: { ...C, passerNumber: '2310450807', name: '吉田 直樹', nameKana: 'よしだ なおき', feeTransferName: '0807ヨシダナオキ', oath: 'unchecked', applicantSignature: 'none' },
    expected: { oathAgreed: false, applicantSigned: false },
    findings: ['oath.not-agreed/applicant', 'oath.unsigned/applicant'],
    status: 'missing-items',
  },
  {
    file: 'certification-no-certifier.docx',
    description: 'Part (C) left blank: no supervisor certification and no signature.',
    fill: { ...C, passerNumber: '2310450908', name: '山本 彩', nameKana: 'やまもと あや', feeTransferName: '0908ヤマモトアヤ', certifier: {} },
    expected: { certifier: { certifiedOn: null, organization: null, name: null, signed: false } },
    findings: ['field.missing/applicant', 'field.missing/reviewer', 'field.missing/reviewer', 'certifier.missing/applicant', 'certifier.unsigned/applicant'],
    status: 'missing-items',
  },
  {
    file: 'certification-substitution-over-limit.docx',
    description: 'Four years of experience and three years of substitutions claimed: only two count (6 years in all).',
    fill: {
      ...C, passerNumber: '2310451009', name: '松本 拓也', nameKana: 'まつもと たくや', feeTransferName: '1009マツモトタクヤ',
      experience: [
        { field: '2', organization: '株式会社サブスティチュート', from: '2022年3月', to: '2024年2月', years: '2', duties: '顧客対応' },
        { field: '5', organization: '株式会社サブスティチュート', from: '2024年3月', to: '2026年2月', years: '2', duties: '研修企画' },
      ],
      substitutions: [
        { title: 'コールセンター管理者検定', obtainedOn: '2021年6月', years: '1.5' },
        { title: 'ITIL Foundation', obtainedOn: '2023年1月', years: '1.5' },
      ],
      statedTotalYears: '6', statedRequiredFieldYears: '2',
    },
    expected: { substitutions: [{ years: 1.5 }, { years: 1.5 }] },
    findings: ['substitution.over-limit/reviewer'],
    status: 'awaiting-payment',
  },
];
