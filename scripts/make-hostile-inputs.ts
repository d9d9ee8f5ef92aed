// Hostile attachments, generated (never committed as binaries): the inputs of the unseen run of issue 19
// that killed, hung or confused the intake, rebuilt from their description. Used by
// test/integration/hostile-files.test.ts; `node scripts/make-hostile-inputs.ts <folder>` writes them out
// to try by hand (`conken extract <file>`).
//
// Huge outputs are made cheaply: a chunk deflated with a full flush is a run of byte-aligned blocks that
// do not refer to anything before them, so repeating those bytes N times inflates to the chunk N times.
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';

interface RawEntry {
  name: string;
  /** The entry's data as stored (already deflated when method is 8). */
  data: Uint8Array;
  method: 0 | 8;
  /** Declared uncompressed size and CRC (may lie). */
  size: number;
  crc: number;
  /** General-purpose flags besides UTF-8 (bit 0: encrypted). */
  flags?: number;
}

/** A zip written by hand, so that entries can be broken or lie about their size. */
export function writeZip(entries: RawEntry[]): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800 | (e.flags ?? 0), 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x800 | (e.flags ?? 0), 8);
    header.writeUInt16LE(e.method, 10);
    header.writeUInt32LE(e.crc >>> 0, 16);
    header.writeUInt32LE(e.data.length, 20);
    header.writeUInt32LE(e.size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    parts.push(local, name, Buffer.from(e.data));
    central.push(header, name);
    offset += 30 + name.length + e.data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, directory, end]));
}

/** An honest deflated entry. */
function entry(name: string, content: string | Uint8Array): RawEntry {
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  return { name, data: deflateRawSync(data), method: 8, size: data.length, crc: crc32(data) };
}

/** A deflated entry that inflates to `chunk` repeated `times` times, made without building the whole. */
function repeatedEntry(name: string, head: string, unit: string, count: number, tail: string): RawEntry {
  // Units gathered into ~1 MB chunks: a chunk deflates to a few KB (one unit alone would not compress).
  const perChunk = Math.max(1, Math.min(count, Math.floor(1048576 / Buffer.byteLength(unit))));
  const times = Math.floor(count / perChunk);
  const chunk = Buffer.from(unit.repeat(perChunk));
  const parts = [Buffer.from(head), ...Array.from({ length: times }, () => chunk), Buffer.from(unit.repeat(count % perChunk)), Buffer.from(tail)];
  const blocks = new Map<Buffer, Buffer>();
  const data: Buffer[] = [];
  let crc = 0;
  let size = 0;
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    // The same chunk deflates to the same bytes: deflated once, repeated.
    const block = blocks.get(part) ?? deflateRawSync(part, { finishFlush: last ? constants.Z_FINISH : constants.Z_FULL_FLUSH });
    if (!last) blocks.set(part, block);
    data.push(block);
    crc = crc32(part, crc);
    size += part.length;
  });
  return { name, data: Buffer.concat(data), method: 8, size, crc };
}

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const CONTENT_TYPES = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
  + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
  + '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
const RELS = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
  + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>';
const DOC_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ${W}><w:body>`;
const DOC_TAIL = '</w:body></w:document>';
/** One paragraph as Word writes it (about 300 bytes). */
const PARAGRAPH = '<w:p><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="MS 明朝" w:hAnsi="MS 明朝"/><w:sz w:val="21"/></w:rPr>'
  + '<w:t>継続教育の記録：研修の名称、受講日、時間、ポイントを記入します。</w:t></w:r></w:p>';

function docx(document: RawEntry, before: RawEntry[] = []): Uint8Array {
  return writeZip([...before, entry('[Content_Types].xml', CONTENT_TYPES), entry('_rels/.rels', RELS), document]);
}

/** A valid .docx whose word/document.xml is about `mb` MB of ordinary paragraphs (no entity tricks). */
export function hugeXmlDocx(mb = 60): Uint8Array {
  const times = Math.ceil((mb * 1048576) / Buffer.byteLength(PARAGRAPH));
  return docx(repeatedEntry('word/document.xml', DOC_HEAD, PARAGRAPH, times, DOC_TAIL));
}

/** A .docx of `paragraphs` minimal paragraphs (3 elements each): the densest XML a form could be (memory grows with elements). */
export function denseXmlDocx(paragraphs = 130_000): Uint8Array {
  return docx(repeatedEntry('word/document.xml', DOC_HEAD, '<w:p><w:r><w:t>x</w:t></w:r></w:p>', paragraphs, DOC_TAIL));
}

/** A .docx with a broken entry (deflate data that is not deflate) ahead of a real 400 MB document.xml. */
export function brokenEntryThenHugeDocx(mb = 400): Uint8Array {
  const broken: RawEntry = { name: 'customXml/item1.xml', data: new Uint8Array(64).fill(0xff), method: 8, size: 100, crc: 0 };
  const times = Math.ceil((mb * 1048576) / Buffer.byteLength(PARAGRAPH));
  return docx(repeatedEntry('word/document.xml', DOC_HEAD, PARAGRAPH, times, DOC_TAIL), [broken]);
}

/** A .docx that refers to an entity nobody declared (&lol9;): xmldom throws "entity not found". */
export function entityErrorDocx(): Uint8Array {
  return docx(entry('word/document.xml', `${DOC_HEAD}<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>${DOC_TAIL}`));
}

/** A .docx whose XML nests `depth` elements deep: recursive parsers run out of stack. */
export function deepNestingDocx(depth = 50_000): Uint8Array {
  const open = '<w:sdt><w:sdtContent>';
  const close = '</w:sdtContent></w:sdt>';
  return docx(entry('word/document.xml', `${DOC_HEAD}${open.repeat(depth)}<w:p><w:r><w:t>x</w:t></w:r></w:p>${close.repeat(depth)}${DOC_TAIL}`));
}

/** A package whose document.xml declares a smaller size than it inflates to (JSZip: "uncompressed data size mismatch"). */
export function sizeMismatchDocx(): Uint8Array {
  const real = entry('word/document.xml', `${DOC_HEAD}${PARAGRAPH.repeat(50)}${DOC_TAIL}`);
  return docx({ ...real, size: Math.floor(real.size / 3) });
}

/** A plain .zip archive whose entry lies about its size. */
export function sizeMismatchZip(): Uint8Array {
  const real = entry('申請書.txt', 'あいうえお'.repeat(1000));
  return writeZip([{ ...real, size: 100 }]);
}

/** A .zip of `files` small files (more than the intake opens). */
export function manyFilesZip(files = 60): Uint8Array {
  return writeZip(Array.from({ length: files }, (_, i) => entry(`file${i}.txt`, `${i}`)));
}

/** A password-protected .zip (ZipCrypto: the entry's data is not deflate data without the key). */
export function encryptedZip(): Uint8Array {
  const data = new Uint8Array(40).map((_, i) => (i * 73 + 11) & 0xff);
  return writeZip([{ name: '申請書.docx', data, method: 8, size: 1000, crc: 0x12345678, flags: 1 }]);
}

/** An OpenDocument text (.odt) as LibreOffice saves it: seven entries, `mimetype` first and stored. */
export function odt(): Uint8Array {
  const mimetype = Buffer.from('application/vnd.oasis.opendocument.text');
  return writeZip([
    { name: 'mimetype', data: mimetype, method: 0, size: mimetype.length, crc: crc32(mimetype) },
    entry('content.xml', '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"><office:body><office:text>更新申請書</office:text></office:body></office:document-content>'),
    entry('styles.xml', '<?xml version="1.0" encoding="UTF-8"?><office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'),
    entry('meta.xml', '<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'),
    entry('settings.xml', '<?xml version="1.0" encoding="UTF-8"?><office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'),
    entry('Thumbnails/thumbnail.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    entry('META-INF/manifest.xml', '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'),
  ]);
}

/** An OpenDocument spreadsheet (.ods) and an Office Open XML package that is not Word (a Visio .vsdx). */
export function otherOfficeFile(kind: 'ods' | 'vsdx'): Uint8Array {
  if (kind === 'ods') {
    const mimetype = Buffer.from('application/vnd.oasis.opendocument.spreadsheet');
    return writeZip([
      { name: 'mimetype', data: mimetype, method: 0, size: mimetype.length, crc: crc32(mimetype) },
      entry('content.xml', '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'),
      entry('META-INF/manifest.xml', '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'),
    ]);
  }
  return writeZip([
    entry('[Content_Types].xml', CONTENT_TYPES.replace('/word/document.xml', '/visio/document.xml')),
    entry('_rels/.rels', RELS.replace('word/document.xml', 'visio/document.xml')),
    entry('visio/document.xml', '<?xml version="1.0" encoding="UTF-8"?><VisioDocument xmlns="http://schemas.microsoft.com/office/visio/2012/main"/>'),
    entry('visio/pages/page1.xml', '<?xml version="1.0" encoding="UTF-8"?><PageContents xmlns="http://schemas.microsoft.com/office/visio/2012/main"/>'),
  ]);
}

/**
 * A .docx mangled in transit: the central directory overwritten from its middle on and the end record
 * claiming thousands of entries (read naively it lists garbage names: "too many files in the ZIP").
 */
export function mangledDocx(valid: Uint8Array): Uint8Array {
  const bytes = Buffer.from(valid);
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const directory = bytes.readUInt32LE(end + 16);
  for (let i = directory + Math.floor((end - directory) / 2); i < end; i++) bytes[i] = (i * 31) & 0xff;
  bytes.writeUInt16LE(4000, end + 8);
  bytes.writeUInt16LE(4000, end + 10);
  return new Uint8Array(bytes);
}

// ---- PDF ----

function pdf(objects: string[], rootRef = '1 0 R'): Uint8Array {
  const chunks: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const b = Buffer.from(`${i + 1} 0 obj\n${body}\nendobj\n`, 'latin1');
    chunks.push(b);
    offset += b.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  chunks.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root ${rootRef} >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return new Uint8Array(Buffer.concat(chunks));
}

const FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
function contentStream(text: string): string {
  const s = `BT /F1 12 Tf 72 720 Td (${text}) Tj ET`;
  return `<< /Length ${s.length} >>\nstream\n${s}\nendstream`;
}

/** A PDF of `pages` pages that all share one page object (the page tree lists it again and again). */
export function sharedPagePdf(pages = 100_000): Uint8Array {
  const kids = Array.from({ length: pages }, () => '3 0 R').join(' ');
  return pdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Count ${pages} /Kids [${kids}] >>`,
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    contentStream('The same page again and again, with enough letters to count as text.'),
    FONT,
  ]);
}

/** A PDF of `pages` distinct pages, each with its own content. */
export function manyPagesPdf(pages = 20_000): Uint8Array {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '', FONT];
  const kids: string[] = [];
  for (let p = 0; p < pages; p++) {
    const page = objects.length + 1;
    kids.push(`${page} 0 R`);
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${page + 1} 0 R >>`);
    objects.push(contentStream(`Page ${p + 1} of a very long document, with enough letters to count as text.`));
  }
  objects[1] = `<< /Type /Pages /Count ${pages} /Kids [${kids.join(' ')}] >>`;
  return pdf(objects);
}

/** A one-page PDF whose content stream (a few hundred KB) inflates to `mb` MB. */
export function inflateBombPdf(mb = 1024): Uint8Array {
  const chunk = Buffer.alloc(1048576, 0x20);
  const block = deflateRawSync(chunk, { finishFlush: constants.Z_FULL_FLUSH });
  // zlib framing (pdf.js checks the header, not the trailing checksum of a stream it stops reading).
  const deflated = Buffer.concat([Buffer.from([0x78, 0x9c]), ...Array.from({ length: mb }, () => block), deflateRawSync(Buffer.alloc(0)), Buffer.alloc(4)]);
  const head = Buffer.from([
    '%PDF-1.7',
    '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj',
    '2 0 obj\n<< /Type /Pages /Count 1 /Kids [3 0 R] >>\nendobj',
    `3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>\nendobj`,
    `5 0 obj\n${FONT}\nendobj`,
    `4 0 obj\n<< /Length ${deflated.length} /Filter /FlateDecode >>\nstream\n`,
  ].join('\n'), 'latin1');
  const tail = Buffer.from('\nendstream\nendobj\ntrailer\n<< /Size 6 /Root 1 0 R >>\n%%EOF\n', 'latin1');
  return new Uint8Array(Buffer.concat([head, deflated, tail]));
}

/** Every hostile input, by file name (the mangled .docx is made from a small valid package). */
export function allHostileInputs(): Record<string, Uint8Array> {
  const small = zipSync({ '[Content_Types].xml': strToU8(CONTENT_TYPES), '_rels/.rels': strToU8(RELS), 'word/document.xml': strToU8(`${DOC_HEAD}${PARAGRAPH}${DOC_TAIL}`) });
  return {
    'huge-xml.docx': hugeXmlDocx(),
    'dense-xml.docx': denseXmlDocx(),
    'broken-entry-then-huge.docx': brokenEntryThenHugeDocx(),
    'entity-error.docx': entityErrorDocx(),
    'deep-nesting.docx': deepNestingDocx(),
    'size-mismatch.docx': sizeMismatchDocx(),
    'size-mismatch.zip': sizeMismatchZip(),
    'many-files.zip': manyFilesZip(),
    'encrypted.zip': encryptedZip(),
    'document.odt': odt(),
    'sheet.ods': otherOfficeFile('ods'),
    'drawing.vsdx': otherOfficeFile('vsdx'),
    'mangled.docx': mangledDocx(small),
    'shared-page-100k.pdf': sharedPagePdf(),
    'pages-20k.pdf': manyPagesPdf(),
    'inflate-bomb.pdf': inflateBombPdf(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const folder = process.argv[2] ?? 'hostile-inputs';
  mkdirSync(folder, { recursive: true });
  for (const [name, bytes] of Object.entries(allHostileInputs())) {
    writeFileSync(path.join(folder, name), bytes);
    console.log(`${name}\t${bytes.length} bytes`);
  }
}
