// A minimal PDF with a real Japanese text layer, written without any tool: a Type0 font with
// Identity-H encoding and a ToUnicode map (fonts not embedded, as many scanners' and printers' PDFs
// are not). Tests use it to make exam reports with any number and date, where LibreOffice is absent.

export function textPdf(lines: string[]): Uint8Array {
  const cids = new Map<string, number>();
  for (const ch of lines.join('')) if (!cids.has(ch)) cids.set(ch, cids.size + 1);
  const hex = (n: number, width = 4) => n.toString(16).toUpperCase().padStart(width, '0');
  const utf16 = (ch: string) => [...Buffer.from(ch, 'utf16le').swap16()].map((b) => hex(b, 2)).join('');
  const content = ['BT', '/F1 14 Tf', '18 TL', '56 780 Td', ...lines.map((l) => `<${[...l].map((ch) => hex(cids.get(ch)!)).join('')}> Tj T*`), 'ET'].join('\n');
  const entries = [...cids].map(([ch, cid]) => `<${hex(cid)}> <${utf16(ch)}>`);
  const blocks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) blocks.push(`${Math.min(100, entries.length - i)} beginbfchar\n${entries.slice(i, i + 100).join('\n')}\nendbfchar`);
  const cmap = ['/CIDInit /ProcSet findresource begin', '12 dict begin', 'begincmap', '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def', '/CMapType 2 def', '1 begincodespacerange', '<0000> <FFFF>', 'endcodespacerange', ...blocks, 'endcmap',
    'CMapName currentdict /CMap defineresource pop', 'end', 'end'].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type0 /BaseFont /MS-Mincho /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>',
    '<< /Type /Font /Subtype /CIDFontType2 /BaseFont /MS-Mincho /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 1000 >>',
    `<< /Length ${Buffer.byteLength(cmap)} >>\nstream\n${cmap}\nendstream`,
    '<< /Type /FontDescriptor /FontName /MS-Mincho /Flags 6 /FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(pdf));
    pdf += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf);
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(pdf, 'utf8'));
}

/** Width and height from a JPEG's start-of-frame marker. */
function jpegSize(jpeg: Uint8Array): { width: number; height: number; components: number } {
  let i = 2;
  while (i < jpeg.length) {
    if (jpeg[i] !== 0xff) { i++; continue; }
    const marker = jpeg[i + 1]!;
    const length = (jpeg[i + 2]! << 8) | jpeg[i + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (jpeg[i + 5]! << 8) | jpeg[i + 6]!, width: (jpeg[i + 7]! << 8) | jpeg[i + 8]!, components: jpeg[i + 9]! };
    }
    i += 2 + length;
  }
  throw new Error('not a JPEG');
}

/** An image-only PDF, one JPEG per A4 page: what a scanner or a "scan to PDF" phone app produces. */
export function imagePdf(jpegs: Uint8Array[]): Uint8Array {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (chunk: Buffer) => { parts.push(chunk); length += chunk.length; };
  const object = (n: number, body: Buffer[]) => { offsets[n - 1] = length; push(Buffer.from(`${n} 0 obj\n`)); body.forEach(push); push(Buffer.from('\nendobj\n')); };
  push(Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'));
  const pageIds = jpegs.map((_, i) => 3 + i * 3);
  object(1, [Buffer.from('<< /Type /Catalog /Pages 2 0 R >>')]);
  object(2, [Buffer.from(`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${jpegs.length} >>`)]);
  jpegs.forEach((jpeg, i) => {
    const { width, height, components } = jpegSize(jpeg);
    const [page, content, image] = [3 + i * 3, 4 + i * 3, 5 + i * 3];
    const draw = Buffer.from(`q 595 0 0 842 0 0 cm /Im0 Do Q`);
    object(page, [Buffer.from(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${content} 0 R /Resources << /XObject << /Im0 ${image} 0 R >> >> >>`)]);
    object(content, [Buffer.from(`<< /Length ${draw.length} >>\nstream\n`), draw, Buffer.from('\nendstream')]);
    object(image, [Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /${components === 1 ? 'DeviceGray' : 'DeviceRGB'} /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n`), Buffer.from(jpeg), Buffer.from('\nendstream')]);
  });
  const count = 2 + jpegs.length * 3;
  const xref = length;
  push(Buffer.from(`xref\n0 ${count + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${count + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`));
  return new Uint8Array(Buffer.concat(parts));
}
