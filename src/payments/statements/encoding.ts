// Text encodings of what banks and the tools in between export: UTF-8 with or without a BOM, Shift_JIS
// (CP932), EUC-JP and ISO-2022-JP. Each decodes with the WHATWG decoders Node ships (ICU). A file is read in
// one encoding only, and only if it decodes cleanly in it: a byte that is not valid there, a control
// character or a private-use character (what a wrong guess or a lossy conversion leaves) rejects the file,
// naming its line — a statement decoded into mojibake would be stored under other fingerprints, and the
// correct file imported later would add the same transfers again.
//
// Which encoding: a BOM says UTF-8; text that is valid UTF-8 is UTF-8 (a Shift_JIS or EUC-JP statement
// almost never is); 7-bit text with escape sequences is ISO-2022-JP. Otherwise Shift_JIS and EUC-JP can
// both decode the same bytes without an error (half-width katakana in one are kanji in the other, e.g.
// ｺﾝﾀﾞ ↔ 室爵実酌), so both readings are scored: a header row that fits a known layout decides, else how
// much the text looks like a statement (kana, no half-width/full-width soup, no stray sound marks).
import { isUtf8 } from 'node:buffer';
import { StatementError } from './types.ts';

export type TextEncoding = 'UTF-8' | 'UTF-8 (BOM)' | 'Shift_JIS' | 'EUC-JP' | 'ISO-2022-JP';

const DECODER: Record<TextEncoding, string> = {
  'UTF-8': 'utf-8', 'UTF-8 (BOM)': 'utf-8', Shift_JIS: 'shift_jis', 'EUC-JP': 'euc-jp', 'ISO-2022-JP': 'iso-2022-jp',
};

/**
 * What no statement holds and what a failed or wrong decoding leaves: U+FFFD (an invalid byte sequence),
 * control characters other than tab and line breaks (C0, DEL, C1: EUC-JP reads stray bytes 0x80–0x8D as
 * C1), private-use characters (CP932's user-defined area, gaiji; also the supplementary private-use planes)
 * and noncharacters.
 */
const UNCLEAN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd\ue000-\uf8ff\ufffe\uffff]|[\udb80-\udbff][\udc00-\udfff]/;
const UNCLEAN_ALL = new RegExp(UNCLEAN.source, 'g');

const BOM = [0xef, 0xbb, 0xbf] as const;
const hasBom = (bytes: Uint8Array) => bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];

/** How much of the file is decoded to choose the encoding (whole lines of it). */
const SAMPLE_BYTES = 64 * 1024;
/** How much is decoded at a time when the whole file is converted (the file never becomes one string). */
const CHUNK_BYTES = 1024 * 1024;

/** Half-width katakana a sound mark (ﾞ ﾟ) may follow: ｳ, ｶ–ﾄ, ﾊ–ﾎ. */
const voicable = (c: number) => c === 0xff73 || (c >= 0xff76 && c <= 0xff84) || (c >= 0xff8a && c <= 0xff8e);

/**
 * How much a decoded text looks like a Japanese statement: kana (half- or full-width) and full-width forms
 * count for it; a sound mark after a letter that cannot take one, a switch between half-width katakana and
 * a full-width character within a word, and symbols (Greek, box drawing, …) count against it. Kanji are
 * neutral: headers and 摘要 hold them, and so does a misreading.
 */
export function plausibility(text: string): number {
  let score = 0;
  type Kind = 'ascii' | 'half' | 'full';
  let prevKind = 'ascii' as Kind;
  let prev = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let kind: Kind;
    if (c < 0x80) kind = 'ascii';
    else if (c >= 0xff61 && c <= 0xff9f) {
      kind = 'half';
      score += 1;
      if ((c === 0xff9e || c === 0xff9f) && !voicable(prev)) score -= 5;
    } else if ((c >= 0x3000 && c <= 0x30ff) || (c >= 0xff01 && c <= 0xff5e)) {
      kind = 'full';
      score += 1;
    } else if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) kind = 'full';
    else {
      kind = 'full';
      score -= 1;
    }
    if ((kind === 'half' && prevKind === 'full') || (kind === 'full' && prevKind === 'half')) score -= 2;
    prevKind = kind;
    prev = c;
  }
  return score;
}

/** The first line of the bytes (at most 4 KiB), and a sample of whole lines from the first non-ASCII byte on. */
function samples(bytes: Uint8Array, firstHigh: number): { header: Uint8Array; body: Uint8Array } {
  const headerEnd = bytes.subarray(0, 4096).indexOf(0x0a);
  const header = bytes.subarray(0, headerEnd < 0 ? Math.min(bytes.length, 4096) : headerEnd);
  let start = firstHigh;
  while (start > 0 && bytes[start - 1] !== 0x0a) start--;
  let end = Math.min(bytes.length, start + SAMPLE_BYTES);
  if (end < bytes.length) {
    const lastBreak = bytes.subarray(start, end).lastIndexOf(0x0a);
    if (lastBreak > 0) end = start + lastBreak + 1;
  }
  return { header, body: bytes.subarray(start, end) };
}

function countUnclean(text: string): number {
  return text.match(UNCLEAN_ALL)?.length ?? 0;
}

export interface DetectEncodingOptions {
  /** Does this decoded first line fit a known statement layout? (The strongest sign of the right reading.) */
  headerFits?: (firstLine: string) => boolean;
}

/** The encoding of a statement's bytes (see the header comment); cleanliness is checked by toUtf8. */
export function detectEncoding(bytes: Uint8Array, options: DetectEncodingOptions = {}): TextEncoding {
  if (hasBom(bytes)) return 'UTF-8 (BOM)';
  let firstHigh = -1;
  let escape = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x80) {
      firstHigh = i;
      break;
    }
    if (b === 0x1b) escape = true;
  }
  if (firstHigh < 0) return escape ? 'ISO-2022-JP' : 'UTF-8';
  if (isUtf8(bytes)) return 'UTF-8'; // validated without decoding: no 50 MB string for a look
  const { header, body } = samples(bytes, firstHigh);
  const candidates: TextEncoding[] = ['UTF-8', 'Shift_JIS', 'EUC-JP'];
  let best: TextEncoding = 'Shift_JIS';
  let bestRank = -Infinity;
  for (const encoding of candidates) {
    const decoder = new TextDecoder(DECODER[encoding]);
    const head = decoder.decode(header);
    const text = decoder.decode(body);
    const fits = options.headerFits?.(head) ?? false;
    const rank = (fits ? 1e9 : 0) + plausibility(head) + plausibility(text) - 10 * (countUnclean(head) + countUnclean(text));
    if (rank > bestRank) [best, bestRank] = [encoding, rank];
  }
  return best;
}

/**
 * The text as UTF-8 bytes (without a BOM), for the CSV reader: converted a megabyte at a time, each piece
 * checked for what a clean decoding never yields. The first such character rejects the file with its line.
 */
export function toUtf8(bytes: Uint8Array, encoding: TextEncoding): Buffer {
  const body = encoding === 'UTF-8 (BOM)' ? bytes.subarray(3) : bytes;
  const decoder = new TextDecoder(DECODER[encoding]);
  const keep = encoding !== 'UTF-8' && encoding !== 'UTF-8 (BOM)';
  const pieces: Buffer[] = [];
  let line = 1;
  for (let at = 0; at < body.length || at === 0; at += CHUNK_BYTES) {
    const last = at + CHUNK_BYTES >= body.length;
    const text = decoder.decode(body.subarray(at, at + CHUNK_BYTES), { stream: !last });
    const bad = UNCLEAN.exec(text);
    if (bad) {
      throw new StatementError(`${line + countBreaks(text, bad.index)}行目: ${encoding.replace(' (BOM)', '')}として読めない文字（文字化け・制御文字・外字など）があります。銀行からダウンロードしたままのファイルをお使いください`);
    }
    line += countBreaks(text, text.length);
    if (keep) pieces.push(Buffer.from(text, 'utf8'));
    if (last) break;
  }
  return keep ? Buffer.concat(pieces) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function countBreaks(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The text of a statement and its encoding, checked as toUtf8 checks it. */
export function decodeText(bytes: Uint8Array, options: DetectEncodingOptions = {}): { text: string; encoding: TextEncoding } {
  const encoding = detectEncoding(bytes, options);
  return { text: toUtf8(bytes, encoding).toString('utf8'), encoding };
}
