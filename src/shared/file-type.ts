// What a file really is, from its bytes (magic numbers), not from its name: applicants rename files,
// mail clients mangle names, and a .docx may be a .doc in disguise. Shared by intake (which archives to
// open) and extraction (which reader to use); it only looks at headers and never inflates anything.
import { crc32 } from 'node:zlib';

export type FileType =
  | 'docx' | 'xlsx' | 'pptx' | 'zip'
  /** An OpenDocument file (.odt, .ods, .odp …): a zip whose `mimetype` entry says so. */
  | 'opendocument'
  /** Another Office Open XML package ([Content_Types].xml) that is not Word, Excel or PowerPoint (.vsdx, .xps …). */
  | 'office-other'
  | 'pdf' | 'jpeg' | 'png' | 'tiff' | 'gif' | 'heic' | 'webp' | 'bmp'
  | 'ole-encrypted' /* password-protected Office file */ | 'ole' /* .doc/.xls/.ppt */
  | 'zip-corrupt' /* starts like a zip (.docx, .zip) but cannot be opened: truncated or damaged */
  | 'empty' | 'unknown';

function startsWith(bytes: Uint8Array, magic: number[], offset = 0): boolean {
  if (bytes.length < offset + magic.length) return false;
  return magic.every((b, i) => bytes[offset + i] === b);
}

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  /** As declared by the archive (it may lie; readers bound what they inflate). */
  size: number;
  /** Where the entry's data starts. */
  dataOffset: number;
  /** Encrypted with a password (general-purpose flag bit 0). */
  encrypted: boolean;
  /** CRC-32 of the uncompressed data, as recorded. */
  crc: number;
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 2 ** 32;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** More entries than any archive we accept, checked before the directory is walked (a lying count). */
const MAX_DIRECTORY_ENTRIES = 100_000;

/**
 * The entries of a zip archive from its central directory, every record's signature and bounds checked
 * (and each entry's local header): null when the archive is damaged. A mangled file whose directory
 * only looks like one (fflate reads whatever is there) is damaged here, not an archive of many files.
 */
export function zipEntries(bytes: Uint8Array): ZipEntry[] | null {
  let end = -1;
  for (let e = bytes.length - 22; e >= 0 && bytes.length - e <= 65557; e--) {
    if (u32(bytes, e) === 0x06054b50) { end = e; break; }
  }
  if (end < 0) return null;
  let count = u16(bytes, end + 10);
  let offset = u32(bytes, end + 16);
  if (end >= 20 && u32(bytes, end - 20) === 0x07064b50) {
    const z = u64(bytes, end - 12);
    if (z + 56 > bytes.length || u32(bytes, z) !== 0x06064b50) return null;
    count = u64(bytes, z + 32);
    offset = u64(bytes, z + 48);
  }
  if (count > MAX_DIRECTORY_ENTRIES || count * 46 > bytes.length) return null;
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (offset + 46 > bytes.length || u32(bytes, offset) !== 0x02014b50) return null;
    const flags = u16(bytes, offset + 8);
    const method = u16(bytes, offset + 10);
    let compressedSize = u32(bytes, offset + 20);
    let size = u32(bytes, offset + 24);
    const nameLength = u16(bytes, offset + 28);
    const extraLength = u16(bytes, offset + 30);
    const commentLength = u16(bytes, offset + 32);
    let local = u32(bytes, offset + 42);
    const next = offset + 46 + nameLength + extraLength + commentLength;
    if (next > bytes.length) return null;
    const nameBytes = bytes.subarray(offset + 46, offset + 46 + nameLength);
    // Zip64: the sizes and offset that overflow 32 bits are in the 0x0001 extra field, in this order.
    for (let x = offset + 46 + nameLength; x + 4 <= offset + 46 + nameLength + extraLength;) {
      const id = u16(bytes, x);
      const len = u16(bytes, x + 2);
      if (id === 0x0001) {
        let p = x + 4;
        if (size === 0xffffffff) { size = u64(bytes, p); p += 8; }
        if (compressedSize === 0xffffffff) { compressedSize = u64(bytes, p); p += 8; }
        if (local === 0xffffffff) local = u64(bytes, p);
      }
      x += 4 + len;
    }
    if (local + 30 > bytes.length || u32(bytes, local) !== 0x04034b50) return null;
    const dataOffset = local + 30 + u16(bytes, local + 26) + u16(bytes, local + 28);
    if (dataOffset + compressedSize > bytes.length) return null;
    // Names without the UTF-8 flag are kept as Latin-1 (as fflate gives them); callers re-decode Shift_JIS.
    const name = flags & 0x800 ? utf8.decode(nameBytes) : latin1.decode(nameBytes);
    entries.push({ name, method, compressedSize, size, dataOffset, encrypted: (flags & 1) === 1, crc: u32(bytes, offset + 16) });
    offset = next;
  }
  return entries;
}

/**
 * Whether inflated entries are what the directory recorded (size and CRC-32): fflate neither checks nor
 * inflates beyond the declared size, so an archive that lies about a size would give a cut-off file.
 */
export function entriesIntact(entries: readonly ZipEntry[], files: Record<string, Uint8Array>): boolean {
  for (const e of entries) {
    const data = files[e.name];
    if (data === undefined) continue;
    if (data.length !== e.size || crc32(data) !== e.crc) return false;
  }
  return true;
}

/** Entry names of a zip archive, without inflating anything; null when it is not a readable zip. */
export function zipEntryNames(bytes: Uint8Array): string[] | null {
  return zipEntries(bytes)?.map((e) => e.name) ?? null;
}

function containsUtf16(bytes: Uint8Array, text: string): boolean {
  const needle = Buffer.from(text, 'utf16le');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(needle);
}

/** The type of a zip from its entries: an office package of some kind, or a plain archive. */
function zipKind(bytes: Uint8Array, entries: ZipEntry[]): FileType {
  const names = entries.map((e) => e.name);
  if (names.includes('word/document.xml')) return 'docx';
  if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
  if (names.some((n) => n.startsWith('ppt/'))) return 'pptx';
  // OpenDocument: the `mimetype` entry is stored uncompressed and names the kind of document.
  const mimetype = entries.find((e) => e.name === 'mimetype');
  if (mimetype && mimetype.method === 0 && mimetype.compressedSize < 200) {
    const text = latin1.decode(bytes.subarray(mimetype.dataOffset, mimetype.dataOffset + mimetype.compressedSize));
    if (text.startsWith('application/vnd.oasis.opendocument')) return 'opendocument';
  }
  if (names.includes('content.xml') && names.includes('META-INF/manifest.xml')) return 'opendocument';
  if (names.includes('[Content_Types].xml')) return 'office-other';
  return 'zip';
}

export function detectFileType(bytes: Uint8Array): FileType {
  if (bytes.length === 0) return 'empty';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    const entries = zipEntries(bytes);
    return entries === null ? 'zip-corrupt' : zipKind(bytes, entries);
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

/** Human (Japanese) description of a file type, for staff. */
export function describeFileType(type: FileType, filename: string): string {
  switch (type) {
    case 'ole': return /\.xls/i.test(filename) ? '旧形式のExcelファイル（.xls）' : '旧形式のWordファイル（.doc）';
    case 'ole-encrypted': return 'パスワード付きのファイル';
    case 'heic': return 'HEIC形式の画像';
    case 'xlsx': return 'Excelファイル';
    case 'pptx': return 'PowerPointファイル';
    case 'opendocument': return 'OpenDocument形式のファイル（.odt など）';
    case 'office-other': return 'Word・Excel・PowerPoint以外のOffice形式のファイル';
    case 'empty': return '空のファイル（0バイト）';
    case 'zip-corrupt': return 'ファイルが壊れているか途中で切れています';
    default: return '対応していない形式のファイル';
  }
}

/**
 * Why a file could not be used, in the four kinds an applicant is told about (one plain sentence each);
 * staff are given the technical reason beside it.
 */
export type FileProblem = 'unsupported' | 'damaged' | 'protected' | 'too-large';

/** The problem of a file whose type alone says it cannot be read. */
export function problemOfType(type: FileType): FileProblem | null {
  switch (type) {
    case 'empty': case 'zip-corrupt': return 'damaged';
    case 'ole-encrypted': return 'protected';
    default: return null;
  }
}
