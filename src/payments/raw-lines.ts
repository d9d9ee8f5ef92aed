// The source lines of an import's new payments, kept for the audit trail as one compressed blob per
// import (payment_imports.raw_lines), in payment-id order (an import's payments have consecutive ids).
// A 100,000-row statement has ≈ 9 million characters of lines: as a JSON array they cost a stringify of
// every line and ≈ 10 MB of database pages at the commit; packed here they cost a join and a fast deflate,
// and take ≈ 0.5 MB. Layout before deflating (little-endian): u32 count, then per line an i32 length in
// UTF-16 code units (-1 for a row without a source line), then the lines' text, joined, as UTF-8.
import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';

export function packRawLines(lines: readonly (string | null)[]): Buffer {
  const head = Buffer.alloc(4 + 4 * lines.length);
  head.writeUInt32LE(lines.length, 0);
  for (let i = 0; i < lines.length; i++) head.writeInt32LE(lines[i] === null ? -1 : lines[i]!.length, 4 + 4 * i);
  const text = Buffer.from(lines.filter((l) => l !== null).join(''), 'utf8');
  // Level 1: the lines are padded, repetitive records; a higher level buys a few per cent for several times the time.
  return deflateRawSync(Buffer.concat([head, text]), { level: constants.Z_BEST_SPEED });
}

/** Every line of a packed blob (null where a row had none). */
export function unpackRawLines(blob: Uint8Array): (string | null)[] {
  const data = inflateRawSync(blob);
  const count = data.readUInt32LE(0);
  const text = data.subarray(4 + 4 * count).toString('utf8');
  const lines: (string | null)[] = new Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const length = data.readInt32LE(4 + 4 * i);
    if (length < 0) lines[i] = null;
    else {
      lines[i] = text.slice(at, at + length);
      at += length;
    }
  }
  if (at !== text.length) throw new Error('raw lines: the lengths do not add up to the text');
  return lines;
}
