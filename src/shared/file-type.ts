// What a file really is, from its bytes (magic numbers), not from its name: applicants rename files,
// mail clients mangle names, and a .docx may be a .doc in disguise.
import { unzipSync } from 'fflate';

export type FileType =
  | 'docx' | 'xlsx' | 'pptx' | 'zip'
  | 'pdf' | 'jpeg' | 'png' | 'tiff' | 'gif' | 'heic' | 'webp' | 'bmp'
  | 'ole-encrypted' /* password-protected Office file */ | 'ole' /* .doc/.xls/.ppt */
  | 'zip-corrupt' /* starts like a zip (.docx, .zip) but cannot be opened: truncated or damaged */
  | 'empty' | 'unknown';

function startsWith(bytes: Uint8Array, magic: number[], offset = 0): boolean {
  if (bytes.length < offset + magic.length) return false;
  return magic.every((b, i) => bytes[offset + i] === b);
}

/** Entry names of a zip archive, without inflating anything; null when it is not a readable zip. */
export function zipEntryNames(bytes: Uint8Array): string[] | null {
  const names: string[] = [];
  try {
    unzipSync(bytes, { filter: (file) => { names.push(file.name); return false; } });
    return names;
  } catch {
    return null;
  }
}

function containsUtf16(bytes: Uint8Array, text: string): boolean {
  const needle = Buffer.from(text, 'utf16le');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(needle);
}

export function detectFileType(bytes: Uint8Array): FileType {
  if (bytes.length === 0) return 'empty';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    const names = zipEntryNames(bytes);
    if (names === null) return 'zip-corrupt';
    if (names.includes('word/document.xml')) return 'docx';
    if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
    if (names.some((n) => n.startsWith('ppt/'))) return 'pptx';
    return 'zip';
  }
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46])) return 'pdf';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (startsWith(bytes, [0x42, 0x4d])) return 'bmp';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (startsWith(bytes, [0x66, 0x74, 0x79, 0x70], 4)) {
    const brand = Buffer.from(bytes.subarray(8, 12)).toString('latin1');
    if (/^(heic|heix|hevc|heim|heis|mif1|msf1|avif)$/.test(brand)) return 'heic';
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    return containsUtf16(bytes, 'EncryptedPackage') ? 'ole-encrypted' : 'ole';
  }
  return 'unknown';
}

/** Human (Japanese) description of a file type for notices. */
export function describeFileType(type: FileType, filename: string): string {
  switch (type) {
    case 'ole': return /\.xls/i.test(filename) ? '旧形式のExcelファイル（.xls）' : '旧形式のWordファイル（.doc）';
    case 'ole-encrypted': return 'パスワード付きのファイル';
    case 'heic': return 'HEIC形式の画像';
    case 'xlsx': return 'Excelファイル';
    case 'pptx': return 'PowerPointファイル';
    case 'empty': return '空のファイル（0バイト）';
    case 'zip-corrupt': return 'ファイルが壊れているか途中で切れています';
    default: return '対応していない形式のファイル';
  }
}
