// Writers for the statement samples: Zengin 200-byte records (JIS8), bank CSVs in Shift_JIS, UTF-8 CSVs.
import Encoding from 'encoding-japanese';

/** ASCII and half-width katakana to JIS8 bytes (one byte each); anything else is a mistake in the sample. */
export function jis8Bytes(text: string): number[] {
  return [...text].map((ch) => {
    const c = ch.codePointAt(0)!;
    if (c >= 0x20 && c <= 0x7e) return c;
    if (c >= 0xff61 && c <= 0xff9f) return 0xa1 + c - 0xff61;
    throw new Error(`not a JIS8 character: ${ch}`);
  });
}

export const N = (value: number | string, length: number) => {
  const s = String(value);
  if (s.length > length) throw new Error(`${s} longer than ${length}`);
  return s.padStart(length, '0');
};
export const C = (value: string, length: number) => {
  const s = [...value].slice(0, length).join('');
  return s + ' '.repeat(length - [...s].length);
};

export function record(fields: string[]): number[] {
  const bytes = jis8Bytes(fields.join(''));
  if (bytes.length !== 200) throw new Error(`record of ${bytes.length} bytes`);
  return bytes;
}

/** YYMMDD: Reiwa (和暦) or Gregorian. */
export function yymmdd(iso: string, era: 'reiwa' | 'gregorian'): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return `${N(era === 'reiwa' ? y - 2018 : y % 100, 2)}${N(m, 2)}${N(d, 2)}`;
}

export function joinRecords(records: number[][], lineBreaks: boolean): Buffer {
  return Buffer.from(records.flatMap((r) => (lineBreaks ? [...r, 0x0d, 0x0a] : r)));
}

export function shiftJis(text: string): Buffer {
  return Buffer.from(Encoding.convert(Encoding.stringToCode(text), { to: 'SJIS', from: 'UNICODE' }));
}

/** Half-width katakana to full-width (what web CSVs often show). */
export function fullWidth(text: string): string {
  return text.normalize('NFKC');
}
