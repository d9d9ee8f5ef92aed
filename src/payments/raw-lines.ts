// The source lines of an import's new payments, kept for the audit trail as one compressed blob per
// import (payment_imports.raw_lines), in payment-id order (an import's payments have consecutive ids).
// A 100,000-row statement has ≈ 9 million characters of lines: as a JSON array they cost a stringify of
// every line and ≈ 10 MB of database pages at the commit; packed here they cost a join (or, for a Zengin
// file, a copy of its record bytes) and a fast deflate, and take ≈ 1 MB.
// Layout before deflating (little-endian): u8 encoding (0: the lines as UTF-8 text, lengths in UTF-16 code
// units; 1: JIS8 bytes, one character per byte, as a Zengin file holds them), u32 count, then per line an
// i32 length (-1 for a row without a source line), then the lines, joined.
import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import type { StatementRow } from './statements/types.ts';

const TEXT = 0;
const JIS8 = 1;
const JIS8_DECODER = new TextDecoder('shift_jis');

function pack(encoding: number, lengths: readonly number[], body: Buffer): Buffer {
  const head = Buffer.alloc(5 + 4 * lengths.length);
  head.writeUInt8(encoding, 0);
  head.writeUInt32LE(lengths.length, 1);
  for (let i = 0; i < lengths.length; i++) head.writeInt32LE(lengths[i]!, 5 + 4 * i);
  // Level 1: the lines are padded, repetitive records; a higher level buys a few per cent for several times the time.
  return deflateRawSync(Buffer.concat([head, body]), { level: constants.Z_BEST_SPEED });
}

/** Text lines (null where a row has none), trailing blanks dropped. */
export function packRawLines(lines: readonly (string | null)[]): Buffer {
  const trimmed = lines.map((l) => (l === null ? null : l.trimEnd()));
  return pack(TEXT, trimmed.map((l) => (l === null ? -1 : l.length)), Buffer.from(trimmed.filter((l) => l !== null).join(''), 'utf8'));
}

/** Fixed-length records of a file, given where each starts, as the file's own bytes, trailing blanks dropped. */
export function packRawRecords(bytes: Uint8Array, starts: readonly number[], recordLength: number): Buffer {
  const body = Buffer.allocUnsafe(starts.length * recordLength);
  const lengths: number[] = new Array(starts.length);
  let at = 0;
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    let end = start + recordLength;
    while (end > start && bytes[end - 1] === 0x20) end--;
    body.set(bytes.subarray(start, end), at);
    lengths[i] = end - start;
    at += end - start;
  }
  return pack(JIS8, lengths, body.subarray(0, at));
}

/** The source lines of new payments (rows in id order): the records' bytes when the statement gives them, else the text lines. */
export function packStatementLines(rows: readonly StatementRow[], source?: { bytes: Uint8Array; recordLength: number }): Buffer {
  if (source && rows.every((r) => r.rawAt !== undefined)) return packRawRecords(source.bytes, rows.map((r) => r.rawAt!), source.recordLength);
  return packRawLines(rows.map((r) => r.raw ?? null));
}

/** Every line of a packed blob (null where a row had none). */
export function unpackRawLines(blob: Uint8Array): (string | null)[] {
  const data = inflateRawSync(blob);
  const encoding = data.readUInt8(0);
  const count = data.readUInt32LE(1);
  const body = data.subarray(5 + 4 * count);
  const text = encoding === JIS8 ? JIS8_DECODER.decode(body) : body.toString('utf8');
  const lines: (string | null)[] = new Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const length = data.readInt32LE(5 + 4 * i);
    if (length < 0) lines[i] = null;
    else {
      lines[i] = text.slice(at, at + length);
      at += length;
    }
  }
  if (at !== text.length) throw new Error('raw lines: the lengths do not add up to the text');
  return lines;
}
