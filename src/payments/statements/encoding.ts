// Text encodings of what banks export: UTF-8 with or without a BOM, Shift_JIS / CP932. Detection with
// encoding-japanese; a file that is neither is rejected, never decoded into mojibake.
import Encoding from 'encoding-japanese';
import { StatementError } from './types.ts';

export type TextEncoding = 'UTF-8' | 'UTF-8 (BOM)' | 'Shift_JIS';

export function decodeText(bytes: Uint8Array): { text: string; encoding: TextEncoding } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(3)), encoding: 'UTF-8 (BOM)' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'UTF-8' };
  } catch {
    // not UTF-8: Shift_JIS / CP932 is the other encoding Japanese banks export
  }
  const detected = Encoding.detect(bytes, ['SJIS', 'EUCJP', 'JIS']);
  if (detected !== 'SJIS') throw new StatementError(`文字コードを判別できません（UTF-8でもShift_JISでもありません${detected ? `: ${detected}` : ''}）`);
  // CP932 (Windows' Shift_JIS) is what banks mean by Shift_JIS; TextDecoder's shift_jis is the WHATWG CP932.
  return { text: new TextDecoder('shift_jis').decode(bytes), encoding: 'Shift_JIS' };
}
