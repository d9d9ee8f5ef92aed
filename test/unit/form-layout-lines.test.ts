// Which lines outside the tables of a scanned form are left unread as the form's printed text: only those
// between two tables confirmed as one known form's, in gaps of its layout that hold no value
// (gapsWithValues, from the blank form and the filled samples). Anything uncertain is read.
import { describe, expect, it } from 'vitest';
import { FORM_LAYOUTS, type FormLayouts, type LayoutMatch } from '../../src/extract/forms/layouts.ts';
import { printedLines } from '../../src/extract/readers/scan.ts';

const labelled = { rows: [[{ span: 1, right: 0.3, label: ['氏名'] }, { span: 1, right: 1, label: null }]] };
const valueOnly = { rows: [[{ span: 1, right: 1, label: null }]] };
// Tables 0, 1, 3 with printed labels, 2 a value-only table (an agreement box); the text before table 0
// holds a value (申請年月日).
const layouts: FormLayouts = {
  form: { source: 'x.docx', samples: 1, gapsWithValues: [0], tables: [labelled, labelled, valueOnly, labelled] },
  other: { source: 'y.docx', samples: 1, gapsWithValues: [], tables: [labelled, labelled] },
};

const box = (y: number) => ({ x0: 100, y0: y, x1: 900, y1: y + 40 });
const match = (table: number, kind = 'form'): LayoutMatch => ({ kind, table, rows: [0] });
const table = (y: number, m: LayoutMatch | LayoutMatch[] | null) => ({ y, matches: m === null ? [] : Array.isArray(m) ? m : [m] });

describe('lines outside the tables left unread', () => {
  it('leaves the lines between two confirmed tables of a form unread where its layout prints no value there', () => {
    const [title, date, between, after] = [box(100), box(200), box(900), box(2000)];
    const pages = [{ tables: [table(400, match(0)), table(1200, match(1))], wanted: [title, date, between, after] }];
    const skipped = printedLines(pages, layouts);
    expect([...skipped]).toEqual([between]);
  });

  it('follows the form across pages, and over a value-only table found between', () => {
    const [endOfPage1, page2, page3] = [box(3000), box(300), box(500)];
    const pages = [
      { tables: [table(400, match(1))], wanted: [endOfPage1] },
      { tables: [], wanted: [page2] },
      { tables: [table(200, null), table(1500, match(3))], wanted: [page3] },
    ];
    expect(printedLines(pages, layouts).size).toBe(3);
    // The value-only table not found: its text may be among the lines, which are then read.
    const missing = [pages[0]!, pages[1]!, { tables: [table(1500, match(3))], wanted: [page3] }];
    expect(printedLines(missing, layouts).size).toBe(0);
  });

  it('reads the lines where a table with printed labels is expected between but was not confirmed', () => {
    const line = box(900);
    const pages = [{ tables: [table(400, match(0)), table(700, null), table(1200, match(2))], wanted: [line] }];
    // Table 1 has labels: found but not confirmed (changed by a filler, or misread), so nothing is assumed.
    expect(printedLines([{ tables: [table(400, match(0)), table(1200, match(3))], wanted: [line] }], layouts).size).toBe(0);
    expect(printedLines(pages, layouts).size).toBe(0);
  });

  it('reads a table both forms have as either form\'s: the tables around it tell which', () => {
    const line = box(900);
    // Confirmed as the same table of both forms (it fills alike), then a table only one form has.
    const pages = [{ tables: [table(400, [match(1, 'other'), match(0)]), table(1200, match(1))], wanted: [line] }];
    expect(printedLines(pages, layouts).size).toBe(1);
    // Both readings in order, and one of them says the text can hold a value: read.
    const holds: FormLayouts = { ...layouts, other: { ...layouts.other!, gapsWithValues: [1] } };
    const both = [{ tables: [table(400, [match(0, 'other'), match(0)]), table(1200, [match(1, 'other'), match(1)])], wanted: [line] }];
    expect(printedLines(both, layouts).size).toBe(1);
    expect(printedLines(both, holds).size).toBe(0);
  });

  it('reads every line without a confirmed table on both sides, of two forms, or out of order', () => {
    const line = box(900);
    expect(printedLines([{ tables: [table(400, match(1))], wanted: [line] }], layouts).size).toBe(0);
    expect(printedLines([{ tables: [table(1200, match(1))], wanted: [line] }], layouts).size).toBe(0);
    expect(printedLines([{ tables: [table(400, match(0, 'other')), table(1200, match(1))], wanted: [line] }], layouts).size).toBe(0);
    expect(printedLines([{ tables: [table(400, match(1)), table(1200, match(0))], wanted: [line] }], layouts).size).toBe(0);
    // Nothing confirmed (no layouts, or an unknown form): every line is read, as before the layouts.
    expect(printedLines([{ tables: [table(400, null), table(1200, null)], wanted: [box(100), line] }], layouts).size).toBe(0);
  });

  it('knows from the forms which text around their tables can hold a value: 申請年月日 before the first table', () => {
    for (const kind of ['certification', 'renewal']) expect(FORM_LAYOUTS[kind]!.gapsWithValues).toEqual([0]);
  });
});
