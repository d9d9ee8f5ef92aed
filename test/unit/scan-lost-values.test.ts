import { describe, expect, it } from 'vitest';
import { agreementTable, readAddress } from '../../src/extract/forms/common-fields.ts';
import type { Cell, DocumentModel } from '../../src/extract/document.ts';
import type { ApplicationBase } from '../../src/extract/forms/form-kind.ts';
import { restoreLostValues, unconfirmUnparsed } from '../../src/extract/extract-scan.ts';
import { DISAGREEMENT_CONFIDENCE } from '../../src/extract/ocr/reread-values.ts';
import { paragraph } from '../../src/extract/readers/scan.ts';

function cell(lines: string[]): Cell {
  return { paragraphs: lines.map((t) => paragraph(t, '表 1, 行 1, 列 2', 0.9)), text: lines.join('\n'), colSpan: 1, images: 0, location: '表 1, 行 1, 列 2' };
}

describe('readAddress on a scan', () => {
  it('a postal code whose closing bracket OCR lost leaves no bracket in front of the address', () => {
    const read = readAddress(cell(['(〒980-0811', '宮城県仙台市青葉区一番町1-1-1']));
    expect(read.postalCode).toBe('980-0811');
    expect(read.address).toBe('宮城県仙台市青葉区一番町1-1-1');
  });
  it('with both brackets, or none, the address is the same', () => {
    expect(readAddress(cell(['（〒100－0005）東京都千代田区丸の内1-1'])).address).toBe('東京都千代田区丸の内1-1');
    expect(readAddress(cell(['〒100-0005 東京都千代田区丸の内1-1'])).address).toBe('東京都千代田区丸の内1-1');
    expect(readAddress(cell(['東京都千代田区丸の内1-1 (〒100-0005)'])).address).toBe('東京都千代田区丸の内1-1');
  });
});

describe('restoreLostValues', () => {
  const source = (location: string) => ({ file: 'scan.pdf', location, text: '', confidence: 0.9 });
  function doc(cells: Cell[]): DocumentModel {
    return { file: 'scan.pdf', format: 'image', blocks: [{ kind: 'table', location: '表 1', rows: [cells] }] };
  }
  it('a value the second reading lost gets the first reading back, unconfirmed; a value still read is left alone', () => {
    const period = { ...cell(['自2015年4月', '至2019年3月']), location: '表 1, 行 1, 列 3' };
    const name = { ...cell(['藤田勝']), location: '表 1, 行 1, 列 2' };
    const before = new Map([[period.location, { paragraphs: period.paragraphs, text: period.text }], [name.location, { paragraphs: name.paragraphs, text: name.text }]]);
    const first = { kind: 'x', name: '藤田勝', experience: [{ from: '2015-04', to: '2019-03', sources: { period: source(period.location) } }], sources: { name: source(name.location) } } as unknown as ApplicationBase;
    // The second model read 至 as 友: the period no longer parses, and the row lost both ends.
    const readAgain = { ...cell(['自2015年4月', '友2019年3月']), location: period.location };
    const nameAgain = { ...cell(['藤田勝']), location: name.location };
    const scan = doc([nameAgain, readAgain]);
    const second = { kind: 'x', name: '藤田勝', experience: [{ from: null, to: null, sources: { period: source(period.location) } }], sources: { name: source(name.location) } } as unknown as ApplicationBase;
    expect(restoreLostValues(scan, before, first, second)).toBe(true);
    expect(readAgain.text).toBe('自2015年4月\n至2019年3月');
    expect(readAgain.paragraphs.map((p) => p.confidence)).toEqual([DISAGREEMENT_CONFIDENCE, DISAGREEMENT_CONFIDENCE]);
    expect(nameAgain.paragraphs[0]!.confidence).toBe(0.9);
  });
  it('a row renumbered because a misread blank before it is gone is not lost: its cells keep the second reading', () => {
    // The first reading took a blank row's printed 年月日 (read 和正月日) for a CPD row: the real row was cpd[2].
    // The second reading reads the blank as blank, and the real row is cpd[1].
    const blank = { ...cell(['和正月', '日']), location: '表 5, 行 3, 列 2' };
    const title = { ...cell(['通信講座ビジネス統計']), location: '表 5, 行 4, 列 1' };
    const before = new Map([[blank.location, { paragraphs: blank.paragraphs, text: blank.text }], [title.location, { paragraphs: title.paragraphs, text: title.text }]]);
    const first = { kind: 'x', cpd: [{ completedOn: '和正月日', sources: { completedOn: source(blank.location) } }, { title: '通信講座ビジネス統計', sources: { title: source(title.location) } }], sources: {} } as unknown as ApplicationBase;
    const titleAgain = { ...cell(['通信講座ビジネス統計']), location: title.location };
    const blankAgain = { ...cell(['年月', '日']), location: blank.location };
    const second = { kind: 'x', cpd: [{ title: '通信講座ビジネス統計', sources: { title: source(title.location) } }], sources: {} } as unknown as ApplicationBase;
    restoreLostValues(doc([blankAgain, titleAgain]), before, first, second);
    expect(titleAgain.paragraphs[0]!.confidence).toBe(0.9);
    expect(titleAgain.text).toBe('通信講座ビジネス統計');
  });
  it('nothing lost, nothing given back', () => {
    const name = { ...cell(['藤田勝']), location: '表 1, 行 1, 列 2' };
    const app = { kind: 'x', name: '藤田勝', sources: { name: source(name.location) } } as unknown as ApplicationBase;
    expect(restoreLostValues(doc([name]), new Map([[name.location, { paragraphs: name.paragraphs, text: name.text }]]), app, app)).toBe(false);
  });
});

describe('unconfirmUnparsed', () => {
  it('a scanned value the form cannot take is for a person to see, the application\'s and a row\'s period alike', () => {
    const source = (text: string) => ({ file: 'scan.pdf', location: 'ページ 2, 2行目', text, confidence: 0.9 });
    const app = {
      kind: 'renewal', applicationDate: null, name: '福田康平',
      invalid: { applicationDate: '日付として読めません: 2026 年?月12 日' },
      sources: { applicationDate: source('2026 年?月12 日'), name: source('福田康平') },
      experience: [{ from: '2018-04', to: null, invalid: { to: '日付として読めません' }, sources: { period: source('自 2018/4 至 2 0 2 173'), organization: source('株式会社サンプル') } }],
    } as unknown as ApplicationBase;
    unconfirmUnparsed(app);
    expect(app.sources.applicationDate!.confidence).toBe(DISAGREEMENT_CONFIDENCE);
    expect(app.sources.name!.confidence).toBe(0.9);
    const row = (app as unknown as { experience: { sources: Record<string, { confidence: number }> }[] }).experience[0]!;
    expect(row.sources.period!.confidence).toBe(DISAGREEMENT_CONFIDENCE);
    expect(row.sources.organization!.confidence).toBe(0.9);
  });
});

describe('agreementTable', () => {
  const table = (text: string, location: string) => ({ kind: 'table' as const, location, rows: [[{ ...cell([text]), location: `${location}, 行 1, 列 1` }]] });
  const doc = (texts: string[]): DocumentModel => ({ file: 'scan.pdf', format: 'image', blocks: texts.map((t, i) => table(t, `表 ${i + 1}`)) });
  it('finds the agreement by its last words, or by its printed start where a scan misread them', () => {
    expect(agreementTable(doc(['ご自宅住所', '☒ 上記の倫理綱領・職業倫理規定ならびに、継続教育・学習方針を理解し、順守することに同意します。']), '同意します')?.location).toBe('表 2');
    expect(agreementTable(doc(['ご自宅住所', '☒ 上記の倫理綱領・職業倫理規定ならびに、継続教育・学習方針 (CPD) を理解し、\n順守することに同意しまず。']), '同意します')?.location).toBe('表 2');
    expect(agreementTable(doc(['☐ 上記の倫理綱領…を順守することを宣誓しまず']), '宣誓します')?.location).toBe('表 1');
  });
  it('finds no agreement in a form without one', () => {
    expect(agreementTable(doc(['ご自宅住所', '※当フォームにて申請いただいた場合には、上記利用目的に同意されたものとみなします。']), '同意します')).toBeUndefined();
  });
});
