// The known forms' layouts (src/extract/forms/layouts.json): generated from the blank forms and the filled
// samples, never stale, and matched to the tables found on a scanned page by their shape alone (the scan
// reader then confirms a match by reading labels: form-layout-scan.test.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAYOUTS_FILE, layoutsJson, makeFormLayouts } from '../../scripts/make-form-layouts.ts';
import { FORM_LAYOUTS, layoutCell, layoutMatches, type FoundRow, type LayoutTable } from '../../src/extract/forms/layouts.ts';

const cert = FORM_LAYOUTS.certification!;
const renewal = FORM_LAYOUTS.renewal!;

/** A found table exactly as the layout table's rows `from`..`to` (what findTables gives on a straight scan). */
function foundRows(table: LayoutTable, from = 0, to = table.rows.length): FoundRow[] {
  return table.rows.slice(from, to).map((row) => row.map((c) => ({ span: c.span, right: c.right })));
}

function labelText(table: LayoutTable, r: number, c: number): string | undefined {
  return table.rows[r]![c]!.label?.join('\n');
}

describe('form layouts', () => {
  it('regenerating them from the blank forms and the samples gives the committed file', async () => {
    const made = layoutsJson(await makeFormLayouts());
    expect(made).toBe(readFileSync(LAYOUTS_FILE, 'utf8'));
  }, 60_000);

  it('takes printed labels as labels, and anything a filler writes, ticks or leaves blank as a value', () => {
    const applicant = cert.tables[0]!;
    expect(labelText(applicant, 0, 0)).toBe('合格者番号');
    expect(applicant.rows[0]![1]!.label).toBeNull();
    // 申請資格's options: a filler deletes the one not applied for.
    expect(labelText(applicant, 2, 0)).toBe('申請資格');
    expect(applicant.rows[2]![1]!.label).toBeNull();
    const experience = cert.tables.find((t) => labelText(t, 0, 0)?.startsWith('業務経験'))!;
    // The header 年数 is a label; 自　年　月 / 至　年　月 and a lone 年 are blanks to write into.
    expect(labelText(experience, 1, 3)).toBe('年数');
    expect(experience.rows[2]!.every((c) => c.label === null)).toBe(true);
    // The agreement with its checkbox is a value (ticked or not).
    expect(cert.tables.filter((t) => t.rows.length === 1 && t.rows[0]!.length === 1).every((t) => t.rows[0]![0]!.label === null)).toBe(true);
    // A CPD grid: its title, headers and 合計 label are labels; the date blanks and 時間 are values.
    const b1 = renewal.tables.find((t) => labelText(t, 0, 0)?.startsWith('B-1'))!;
    expect(b1.rows[1]!.map((c) => c.label?.[0])).toEqual(['受講講座・研修名', '研修修了日', '学習（受講）時間', 'CPDポイント']);
    expect(b1.rows[2]!.every((c) => c.label === null)).toBe(true);
    expect(labelText(b1, b1.rows.length - 1, 0)).toBe('合計（上限5ポイント）');
    // Column ends come from the form's column widths.
    expect(applicant.rows[0]![0]!.right).toBeCloseTo(0.322, 3);
  });

  it('matches a found table to its layout table, whole or split by a page break', () => {
    const applicant = cert.tables[0]!;
    const whole = layoutMatches(foundRows(applicant));
    expect(whole.some((m) => m.kind === 'certification' && m.table === 0 && m.rows.join() === '0,1,2,3,4,5,6')).toBe(true);
    // Rows 4..7 alone (the rest on the page before): among the candidates at that offset, and the cells
    // stand for the right labels there.
    const tail = layoutMatches(foundRows(applicant, 3));
    const right = tail.find((m) => m.kind === 'certification' && m.table === 0 && m.rows[0] === 3);
    expect(right).toBeDefined();
    expect(layoutCell(right!, 0, 0).label).toEqual(['氏名']);
  });

  it('lets value rows be added or left out, but not label rows', () => {
    const b1 = renewal.tables.find((t) => labelText(t, 0, 0)?.startsWith('B-1'))!;
    const index = renewal.tables.indexOf(b1);
    const rows = foundRows(b1);
    const valueRow = rows[2]!;
    // Two more CPD rows added by the filler; one deleted.
    const added = [...rows.slice(0, 3), valueRow, valueRow, ...rows.slice(3)];
    const fewer = [...rows.slice(0, 2), ...rows.slice(3)];
    for (const found of [added, fewer]) {
      const match = layoutMatches(found).find((m) => m.kind === 'renewal' && m.table === index);
      expect(match).toBeDefined();
      expect(layoutCell(match!, found.length - 1, 0).label).toEqual(['合計（上限5ポイント）']);
    }
    // A label row added in the middle of a label | value table: no layout has that shape from its first row.
    const applicant = cert.tables[0]!;
    const inserted = foundRows(applicant);
    inserted.splice(3, 0, inserted[3]!);
    expect(layoutMatches(inserted).some((m) => m.kind === 'certification' && m.table === 0 && m.rows[0] === 0)).toBe(false);
  });

  it('finds nothing for a table of another shape, or columns far from the layout', () => {
    expect(layoutMatches([[{ span: 1, right: 0.5 }, { span: 1, right: 1 }], [{ span: 1, right: 0.5 }, { span: 1, right: 1 }]])).toEqual([]);
    expect(layoutMatches([[{ span: 1, right: 0.2 }, { span: 2, right: 1 }]])).toEqual([]);
    // Value rows only (the second page of a split experience table): their shape is also the header
    // row's, so the only candidates take the first for the header, which reading it refutes.
    const experience = cert.tables.find((t) => labelText(t, 0, 0)?.startsWith('業務経験'))!;
    const matches = layoutMatches(foundRows(experience, 4));
    expect(matches.length).toBeGreaterThan(0);
    expect(matches.every((m) => m.kind === 'certification' && m.rows[0] === 1 && m.rows.slice(1).every((r) => r > 1))).toBe(true);
  });
});
