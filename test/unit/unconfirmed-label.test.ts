// A staff finding for a value OCR could not read for sure names the place on the form in Japanese, rows
// by their list and number, and gives the field's code that `conken confirm` takes.
import { describe, expect, it } from 'vitest';
import type { ApplicationBase } from '../../src/extract/forms/form-kind.ts';
import { unconfirmedFindings } from '../../src/validate/unconfirmed.ts';

const source = (text: string, confidence: number) => ({ file: 'scan.pdf', location: 'ページ 3, 表 10, 行 3, 列 2', text, confidence });

describe('field.unconfirmed findings', () => {
  it('name a row value by its list and row, a form value by its label, each with its code', () => {
    const app = {
      kind: 'certification', companyKana: 'かぶしきがいしゃ',
      experience: [{ organization: '株式会社サンプル', sources: { organization: source('株式会社サンプル', 0.5) } }],
      sources: { companyKana: source('かぶしきがいしゃ', 0.4), name: source('検定 花子', 0.95) },
    } as unknown as ApplicationBase;
    const messages = unconfirmedFindings(app, 85).map((f) => [f.field, f.message]);
    expect(messages).toHaveLength(2);
    expect(messages.find(([f]) => f === 'experience[1].organization')?.[1]).toMatch(/^実務経験 1行目の勤務先（experience\[1\]\.organization）をOCRで確実に読み取れませんでした。読取値「株式会社サンプル」、信頼度 50%/);
    expect(messages.find(([f]) => f === 'companyKana')?.[1]).toMatch(/^（Ａ）申請者情報の「所属先会社名（かな）」（companyKana）をOCRで/);
  });
});
