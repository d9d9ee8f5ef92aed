// The arithmetic of SPEC §4 and the values people type into the certification form, as pure functions.
import { describe, expect, it } from 'vitest';
import { computeExperience, unionMonths, monthIndex } from '../../src/validate/experience.ts';
import { parseYearMonth, parseYears, isOngoing } from '../../src/extract/values.ts';
import { addYears, firstValidityPeriod } from '../../src/shared/calendar.ts';
import { readExamReport, looksLikeExamReportName } from '../../src/extract/documents/exam-report.ts';
import { summariseCertification } from '../../src/outbound/summaries/certification.ts';
import type { ExperienceRow, SubstitutionRow } from '../../src/extract/forms/certification.ts';

const RULES = { minimumYears: 5, minimumFields: 2, requiredFieldMinimumYears: 2, maxSubstitutionYears: 2 };
const row = (field: number | null, from: string | null, to: string | null, ongoing = false): ExperienceRow =>
  ({ rowInGrid: 1, field, organization: 'x', from, to, ongoing, years: null, duties: null, invalid: {}, sources: {} });
const sub = (years: number): SubstitutionRow => ({ rowInGrid: 1, title: 't', obtainedOn: '2020-01', years, invalid: {}, sources: {} });

describe('months of experience', () => {
  it('counts months inclusively and merges overlaps and touching periods', () => {
    const m = (a: string, b: string): [number, number] => [monthIndex(a), monthIndex(b)];
    expect(unionMonths([m('2016-04', '2020-03')])).toBe(48);
    expect(unionMonths([m('2015-04', '2019-03'), m('2017-04', '2020-03')])).toBe(60);
    expect(unionMonths([m('2015-04', '2016-03'), m('2016-04', '2017-03')])).toBe(24);
    expect(unionMonths([m('2018-01', '2018-12'), m('2015-01', '2015-12')])).toBe(24);
    expect(unionMonths([])).toBe(0);
  });

  it('counts overlapping jobs once in the total and in the required fields, and shows the overlap per row', () => {
    const r = computeExperience([row(2, '2015-04', '2019-03'), row(4, '2017-04', '2020-03'), row(5, '2019-04', '2021-03')], [], '2026-02', [4, 5], RULES);
    expect(r.totalMonths).toBe(72);
    expect(r.requiredMonths).toBe(48);
    expect(r.fieldsCount).toBe(3);
    expect(r.rows.map((x) => x.overlapMonths)).toEqual([0, 24, 12]);
  });

  it('runs an ongoing job (至 現在) to the month of receipt and clamps a 至 in the future', () => {
    const r = computeExperience([row(4, '2024-03', null, true), row(2, '2025-01', '2027-12')], [], '2026-02', [4, 5], RULES);
    expect(r.rows.map((x) => [x.to, x.months])).toEqual([['2026-02', 24], ['2026-02', 14]]);
  });

  it('leaves out rows without a field or dates, reversed periods and periods starting after receipt', () => {
    const r = computeExperience([row(null, '2015-04', '2016-03'), row(3, '2019-04', '2018-03'), row(3, '2027-01', '2027-12'), row(1, '2015-04', null)], [], '2026-02', [4, 5], RULES);
    expect(r.rows.map((x) => x.excluded)).toEqual(['incomplete', 'reversed', 'future', 'incomplete']);
    expect(r.totalMonths).toBe(0);
  });

  it('adds at most two years of substitutions', () => {
    const r = computeExperience([row(2, '2022-03', '2026-02')], [sub(1.5), sub(1.5)], '2026-02', [4, 5], RULES);
    expect([r.substitutionClaimedMonths, r.substitutionCountedMonths, r.totalWithSubstitutionMonths]).toEqual([36, 24, 72]);
  });
});

describe('values of the certification form', () => {
  it.each([
    ['2016年4月', '2016-04'], ['2016/4', '2016-04'], ['2016-04', '2016-04'], ['２０１６年４月', '2016-04'], ['平成28年4月', '2016-04'],
    ['令和元年9月', '2019-09'], ['H28.4', '2016-04'], ['自　2016　年　4　月', '2016-04'], ['201604', '2016-04'], ['2016年4月1日', '2016-04'],
  ])('month %s → %s', (text, expected) => expect(parseYearMonth(text)).toEqual({ ok: true, value: expected }));

  it('keeps the printed placeholder empty and refuses what is not a month', () => {
    expect(parseYearMonth('至　　　年　　月')).toEqual({ ok: false, empty: true });
    // A speck on a scanned blank, read as a stop or a quote, is no date (the row stays blank).
    for (const blank of ['自。 年月', '至、 年 月', '自 ’ 年 。 月']) expect(parseYearMonth(blank), blank).toEqual({ ok: false, empty: true });
    expect(parseYearMonth('自 ー 年 月')).toMatchObject({ ok: false, empty: false });
    expect(parseYearMonth('2016年13月')).toMatchObject({ ok: false, empty: false });
    expect(parseYearMonth('春頃')).toMatchObject({ ok: false, empty: false });
  });

  it.each([['6', 6], ['3.5', 3.5], ['3年6ヶ月', 3.5], ['３年６ヶ月', 3.5], ['42ヶ月', 3.5], ['1年6カ月', 1.5], ['2年間', 2]])('years %s → %s', (text, expected) =>
    expect(parseYears(text)).toEqual({ ok: true, value: expected }));

  it('reads 至 現在 and its variants as ongoing', () => {
    expect(['至　現在', '現在', '在職中', '現在に至る'].map(isOngoing)).toEqual([true, true, true, true]);
    expect(isOngoing('至 2020年3月')).toBe(false);
  });
});

describe('validity of the exam report and the first certification', () => {
  it('the report is valid for three years from its issue date', () => {
    expect(addYears('2025-07-15', 3)).toBe('2028-07-15');
    expect(addYears('2024-02-29', 3)).toBe('2027-02-28');
  });

  it('the first validity starts on the 1 April after the issue date and runs three fiscal years', () => {
    expect(firstValidityPeriod('2025-07-15', 3, '01-01', '02-end')).toEqual({ start: '2026-04-01', end: '2029-03-31', renewalWindow: { start: '2029-01-01', end: '2029-02-28' } });
    expect(firstValidityPeriod('2025-03-31', 3, '01-01', '02-end').start).toBe('2025-04-01');
    expect(firstValidityPeriod('2025-04-01', 3, '01-01', '02-end').start).toBe('2026-04-01');
  });
});

describe('recognising the exam result report by its text', () => {
  it('reads the issue date (also in wareki) and the passer number', () => {
    expect(readExamReport('試験結果レポート\n合格者番号：23-1045-0123\n結果：合格\n発行日　令和7年7月15日')).toMatchObject({ issuedOn: '2025-07-15', passerNumber: '2310450123' });
  });

  it('is not the application form, which mentions the report too', () => {
    expect(readExamReport('資格認定申請フォーム\n合格証明書（試験結果レポート）のコピーを添えて…\n合格者番号')).toBeNull();
  });

  it('is not a certificate of attendance', () => {
    expect(readExamReport('受講証明書\n講座名：リーダー研修\n修了日：2025年6月1日')).toBeNull();
  });

  it('tells a photo of the report by its name only when its content cannot be read', () => {
    expect(['試験結果レポート.jpg', 'exam_result.png', 'goukaku.jpeg'].map(looksLikeExamReportName)).toEqual([true, true, true]);
    expect(looksLikeExamReportName('IMG_0001.jpg')).toBe(false);
  });
});

describe('the reviewer timeline', () => {
  it('draws each field per fiscal half-year and marks overlaps with ▲', () => {
    const experience = [row(2, '2015-04', '2019-03'), row(4, '2017-04', '2020-03')];
    const exp = computeExperience(experience, [], '2026-02', [4, 5], RULES);
    const summary = summariseCertification({ kind: 'certification', experience, substitutions: [], certifier: {}, statedTotalYears: 7 } as never, { experience: exp });
    const body = summary.sections!.find((s) => s.title.startsWith('業務経験'))!.body;
    expect(body).toMatch(/２．カスタマーサービス　+■{8}・{2}/);
    expect(body).toMatch(/４．オペレーション★　+・{4}■{6}/);
    expect(body).toMatch(/全体（▲は重複）　+■{4}▲{4}■{2}/);
    expect(body).toContain('うち24か月は他の行と重複');
  });
});
