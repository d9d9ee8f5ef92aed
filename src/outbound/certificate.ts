// The certificate (認定書) as a PDF, from a layout staff edit (mail-templates/certificate.yaml), not code.
// pdf-lib draws it; the Japanese font (Debian's fonts-noto-cjk, a .ttc collection of CFF fonts) is cut
// down to the characters printed by harfbuzz (subset-font) before pdf-lib embeds it, because fontkit's own
// CFF subsetting writes a font file PDF readers reject (poppler: "Embedded font file may be invalid").
import { existsSync, readFileSync } from 'node:fs';
import Mustache from 'mustache';
import { PDFDocument, rgb } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';
import subsetFont from 'subset-font';
import { CERTIFICATE_LAYOUT_FILE, CertificateError, type CertificateFacts, type CertificateLayout } from './certificate-layout.ts';

export { CERTIFICATE_LAYOUT_FILE, CertificateError, checkCertificateLayout, loadCertificateLayout, type CertificateFacts, type CertificateLayout, type CertificateLayoutCheck } from './certificate-layout.ts';

/** 2026-04-01 → 2026年4月1日 */
export function japaneseDate(iso: string): string {
  return iso.replace(/^(\d{4})-(\d{2})-(\d{2})$/, (_, y: string, m: string, d: string) => `${y}年${Number(m)}月${Number(d)}日`);
}

/** One font of a .ttc collection as a standalone font file (harfbuzz's subsetter reads single fonts). */
export function fontFromCollection(bytes: Buffer, index: number): Buffer {
  if (bytes.toString('latin1', 0, 4) !== 'ttcf') return bytes;
  const count = bytes.readUInt32BE(8);
  if (index >= count) throw new CertificateError(CERTIFICATE_LAYOUT_FILE, `key font.index: the font collection has ${count} fonts; index ${index} does not exist`);
  const at = bytes.readUInt32BE(12 + 4 * index);
  const numTables = bytes.readUInt16BE(at + 4);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const r = at + 12 + 16 * i;
    return { record: r, offset: bytes.readUInt32BE(r + 8), length: bytes.readUInt32BE(r + 12) };
  });
  const headerSize = 12 + 16 * numTables;
  const out = Buffer.alloc(headerSize + tables.reduce((n, t) => n + ((t.length + 3) & ~3), 0));
  bytes.copy(out, 0, at, at + 12);
  let pos = headerSize;
  tables.forEach((t, i) => {
    // Same tag, checksum and length; the offset is where the table now lies in the single font.
    bytes.copy(out, 12 + 16 * i, t.record, t.record + 8);
    out.writeUInt32BE(pos, 12 + 16 * i + 8);
    out.writeUInt32BE(t.length, 12 + 16 * i + 12);
    bytes.copy(out, pos, t.offset, t.offset + t.length);
    pos += (t.length + 3) & ~3;
  });
  return out;
}

// The extracted font is ~17 MB: read once per process, not once per certificate.
const fonts = new Map<string, Buffer>();
function fontBytes(layout: CertificateLayout): Buffer {
  const file = layout.font.files.find((f) => existsSync(f));
  if (!file) throw new CertificateError(CERTIFICATE_LAYOUT_FILE, `none of the font files exists (${layout.font.files.join(', ')}); install fonts-noto-cjk`);
  const key = `${file}#${layout.font.index}`;
  let bytes = fonts.get(key);
  if (!bytes) fonts.set(key, (bytes = fontFromCollection(readFileSync(file), layout.font.index)));
  return bytes;
}

/** The certificate's PDF: each line of the layout with the facts filled in, the font subset embedded. */
export async function renderCertificate(layout: CertificateLayout, facts: CertificateFacts): Promise<Uint8Array> {
  const view = { ...facts, validFrom: japaneseDate(facts.validFrom), validTo: japaneseDate(facts.validTo), issuedOn: japaneseDate(facts.issuedOn) };
  const lines = layout.lines
    .map((l) => ({ ...l, text: Mustache.render(l.text, view, undefined, { escape: (s: unknown) => String(s) }).trim() }))
    .filter((l) => l.text !== '');
  const characters = [...new Set(lines.map((l) => l.text).join(''))].join('');
  const subset = await subsetFont(fontBytes(layout), characters, { targetFormat: 'sfnt' });
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle(`認定書 ${facts.certificationNumber}`);
  doc.setCreator('conken-intake');
  // Fixed dates keep the same facts' certificate byte-for-byte the same (the content store dedupes by hash).
  const issued = new Date(`${facts.issuedOn}T00:00:00+09:00`);
  doc.setCreationDate(issued);
  doc.setModificationDate(issued);
  // Already cut to the printed characters: embedded as it is.
  const font = await doc.embedFont(subset, { subset: false });
  const page = doc.addPage([layout.page.width, layout.page.height]);
  if (layout.border) {
    const m = layout.border.margin;
    page.drawRectangle({ x: m, y: m, width: layout.page.width - 2 * m, height: layout.page.height - 2 * m, borderWidth: layout.border.width, borderColor: rgb(0.55, 0.45, 0.2) });
  }
  for (const l of lines) {
    const width = font.widthOfTextAtSize(l.text, l.size);
    const x = l.x === 'center' ? (layout.page.width - width) / 2 : l.x;
    page.drawText(l.text, { x, y: layout.page.height - l.top, size: l.size, font, color: rgb(0, 0, 0) });
  }
  // Without object streams the font's dictionaries stay readable in the file (and checkable by a test).
  return doc.save({ useObjectStreams: false });
}
