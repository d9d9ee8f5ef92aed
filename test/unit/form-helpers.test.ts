import { describe, expect, it } from 'vitest';
import type { Cell, Table } from '../../src/extract/document.ts';
import { labelValueCells, valueByLabelLine, valueFor } from '../../src/extract/forms/form-helpers.ts';

function cell(lines: string[], confidence: number): Cell {
  return {
    paragraphs: lines.map((text) => ({ kind: 'paragraph' as const, text, runs: [], listItem: false, location: 'x', confidence })),
    text: lines.join('\n'), colSpan: 1, images: 0, location: lines[0] ?? '',
  };
}

function table(rows: [string[], string][], confidence: number): Table {
  return { kind: 'table', location: 't', rows: rows.map(([label, value]) => [cell(label, confidence), cell([value], confidence)]) };
}

const FEE_ROWS: [string[], string][] = [
  [['認定審査手数料振込日'], '2026年1月15日'],
  [['認定審査手数料振込名義', '（合格者番号下4桁＋氏名）'], '0123コンケンタロウ'],
];

describe('valueFor', () => {
  it('in a Word or text-PDF form a near label is another label: the exact or longer label is taken', () => {
    const cells = labelValueCells(table([[['認定審査手数料振込日'], '2026年1月15日'], [['認定審査手数料振込名義（合格者番号下4桁＋氏名）'], '0123コンケンタロウ']], 1));
    expect(valueFor(cells, '認定審査手数料振込名義')?.text).toBe('0123コンケンタロウ');
    expect(valueFor(cells, '認定審査手数料振込日')?.text).toBe('2026年1月15日');
  });

  it('on a scan a misread label is its own row, not a longer label that starts the same', () => {
    const cells = labelValueCells(table([[['所属先会仕名'], '株式会社サンプル'], [['所属先会社名（かな）'], 'かぶしきがいしゃさんぷる']], 0.9));
    expect(valueFor(cells, '所属先会社名')?.text).toBe('株式会社サンプル');
    expect(valueFor(cells, '所属先会社名（かな）')?.text).toBe('かぶしきがいしゃさんぷる');
  });

  it('on a scan the closest of two near labels wins', () => {
    const cells = labelValueCells(table([FEE_ROWS[0]!, [['認定番査手数料振込名義'], '0123コンケンタロウ']], 0.9));
    expect(valueFor(cells, '認定審査手数料振込名義')?.text).toBe('0123コンケンタロウ');
    expect(valueFor(cells, '認定審査手数料振込日')?.text).toBe('2026年1月15日');
  });
});

describe('valueByLabelLine', () => {
  it('finds the signature row by its second label line when OCR garbled 署名', () => {
    const t = table([[['宣鶴日'], '2026年2月10日'], [['賭名', '（自署）'], '（署名）']], 0.6);
    expect(valueByLabelLine(t, '（自署）')?.text).toBe('（署名）');
    expect(valueByLabelLine(t, '（押印）')).toBeUndefined();
  });
});
