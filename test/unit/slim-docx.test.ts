// Slimming word/document.xml before mammoth must change nothing the form mappers see.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unzipSync, zipSync, strToU8 } from 'fflate';
import { convert, readDocx } from '../../src/extract/readers/docx.ts';
import { slimDocumentXml, slimDocx, xmlShape, MAX_DOCX_UNCOMPRESSED_BYTES, MAX_DOCX_XML_DEPTH, MAX_DOCX_XML_ELEMENTS } from '../../src/extract/readers/slim-docx.ts';
import { UnreadableFileError } from '../../src/extract/readers/reader.ts';

const FORMS = path.resolve(import.meta.dirname, '../../samples/forms');
const docxFiles = readdirSync(FORMS).filter((f) => f.endsWith('.docx') && !f.startsWith('corrupt'));

describe('slimDocumentXml', () => {
  it('drops layout properties and revision ids, keeps text, marks, symbols and table structure', () => {
    const xml = '<w:p w:rsidR="00A1"><w:pPr><w:jc w:val="center"/><w:spacing w:before="0"/></w:pPr>'
      + '<w:r w:rsidRPr="00B2"><w:rPr><w:rFonts w:ascii="MS 明朝"/><w:b/><w:highlight w:val="yellow"/><w:sz w:val="21"/></w:rPr><w:t>○ OMP</w:t></w:r>'
      + '<w:r><w:sym w:font="Wingdings" w:char="F0FE"/><w:tab/></w:r></w:p>'
      + '<w:tc><w:tcPr><w:tcW w:w="100" w:type="dxa"/><w:gridSpan w:val="2"/><w:vMerge/><w:shd w:fill="FFFF00"/></w:tcPr></w:tc>';
    const slim = slimDocumentXml(xml);
    expect(slim).toBe('<w:p><w:r><w:rPr><w:b/><w:highlight w:val="yellow"/></w:rPr><w:t>○ OMP</w:t></w:r>'
      + '<w:r><w:sym w:font="Wingdings" w:char="F0FE"/><w:tab/></w:r></w:p>'
      + '<w:tc><w:tcPr><w:gridSpan w:val="2"/><w:vMerge/><w:shd w:fill="FFFF00"/></w:tcPr></w:tc>');
  });

  it('does not take an element whose name only starts like a dropped one', () => {
    expect(slimDocumentXml('<w:wAfter w:w="1"/><w:szCs w:val="2"/><w:tabs><w:tab w:val="left" w:pos="1"/></w:tabs>'))
      .toBe('<w:wAfter w:w="1"/><w:tabs><w:tab w:val="left" w:pos="1"/></w:tabs>');
  });
});

describe('slimDocx', () => {
  it.each(docxFiles)('reads %s into the same document model as the unslimmed package', async (file) => {
    const bytes = new Uint8Array(readFileSync(path.join(FORMS, file)));
    expect(await readDocx(bytes, file)).toEqual(await readDocx(bytes, file, { slim: false }));
  });

  it.each(docxFiles)('reads %s into the model mammoth.convertToHtml\'s own tree gives (its reader is used alone, without JSZip)', async (file) => {
    const bytes = new Uint8Array(readFileSync(path.join(FORMS, file)));
    // Imported here, after the tests above read with mammoth's reader alone: the whole library still
    // loads and works once that reader's stand-ins are gone from the module cache.
    const { default: mammoth } = await import('mammoth');
    let tree: unknown;
    await mammoth.convertToHtml({ buffer: Buffer.from(slimDocx(bytes)) }, {
      transformDocument: (doc: unknown) => { tree = doc; return doc; },
    } as Parameters<typeof mammoth.convertToHtml>[1]);
    expect(await readDocx(bytes, file)).toEqual(convert(tree as Parameters<typeof convert>[0], file));
  });

  it('refuses bytes that are not a zip as damaged: they are never handed to mammoth unchecked', () => {
    const junk = strToU8('not a zip at all');
    expect(() => slimDocx(junk)).toThrow(UnreadableFileError);
    try { slimDocx(junk); } catch (error) { expect((error as UnreadableFileError).problem).toBe('damaged'); }
  });

  it('refuses a package that inflates beyond the bound (zip bomb)', () => {
    const bomb = zipSync({ 'word/document.xml': new Uint8Array(MAX_DOCX_UNCOMPRESSED_BYTES + 1) }, { level: 9 });
    expect(() => slimDocx(bomb)).toThrow(UnreadableFileError);
  });

  it('counts elements and nesting from the bytes, and every sample form is well inside the bounds', () => {
    expect(xmlShape(strToU8('<?xml version="1.0"?><a><b/><c><d>x</d></c><!-- c --></a>'))).toEqual({ elements: 4, depth: 3, doctype: false });
    expect(xmlShape(strToU8('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')).doctype).toBe(true);
    for (const file of docxFiles) {
      const bytes = new Uint8Array(readFileSync(path.join(FORMS, file)));
      const shape = xmlShape(unzipSync(bytes)['word/document.xml']!);
      expect(shape.elements * 10).toBeLessThan(MAX_DOCX_XML_ELEMENTS);
      expect(shape.depth * 4).toBeLessThan(MAX_DOCX_XML_DEPTH);
    }
  });
});
