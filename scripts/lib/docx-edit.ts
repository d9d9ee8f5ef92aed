// Editing a Word package the way a person does in Word: text typed into cells and paragraphs, runs
// restyled, paragraphs deleted. Shared by the sample form fillers (renewal, certification).
import { DOMParser, XMLSerializer, type Document, type Element, type Node } from '@xmldom/xmldom';
import { strFromU8, strToU8, unzipSync, zipSync, type Unzipped, type Zippable } from 'fflate';

export const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
export const W14 = 'http://schemas.microsoft.com/office/word/2010/wordml';

export function children(el: Node, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1 && (n as Element).localName === localName) out.push(n as Element);
  return out;
}

export function descendants(el: Element | Document, localName: string): Element[] {
  return Array.from(el.getElementsByTagNameNS(W, localName)) as Element[];
}

export function textOf(el: Element): string {
  return descendants(el, 't').map((t) => t.textContent ?? '').join('');
}

export const squash = (s: string) => s.replace(/[\s\u3000]+/g, '');

/** A run holding the text; '\n' becomes a line break as Word writes it. */
export function run(doc: Document, text: string, props?: (rPr: Element) => void): Element {
  const r = doc.createElementNS(W, 'w:r');
  if (props) {
    const rPr = doc.createElementNS(W, 'w:rPr');
    props(rPr);
    r.appendChild(rPr);
  }
  text.split('\n').forEach((part, i) => {
    if (i > 0) r.appendChild(doc.createElementNS(W, 'w:br'));
    const t = doc.createElementNS(W, 'w:t');
    t.setAttribute('xml:space', 'preserve');
    t.appendChild(doc.createTextNode(part));
    r.appendChild(t);
  });
  return r;
}

export function clearRuns(p: Element): void {
  for (const r of children(p, 'r')) p.removeChild(r);
}

/** Replace a paragraph's text (its runs) with one run. */
export function setParagraphText(doc: Document, p: Element, text: string): void {
  clearRuns(p);
  p.appendChild(run(doc, text));
}

export function setCellText(doc: Document, cell: Element, text: string): void {
  const [first, ...rest] = children(cell, 'p');
  for (const p of rest) cell.removeChild(p);
  setParagraphText(doc, first!, text);
}

export function tables(doc: Document): Element[] {
  return descendants(doc, 'tbl');
}

export function rowsOf(tbl: Element): Element[] {
  return children(tbl, 'tr');
}

export function cellsOf(tr: Element): Element[] {
  return children(tr, 'tc');
}

export function valueCell(doc: Document, label: string): Element {
  for (const tbl of tables(doc)) {
    for (const tr of rowsOf(tbl)) {
      const cells = cellsOf(tr);
      if (cells.length === 2 && squash(textOf(children(cells[0]!, 'p')[0]!)) === squash(label)) return cells[1]!;
    }
  }
  throw new Error(`label not found in form: ${label}`);
}


export function openDocx(template: Uint8Array): { files: Unzipped; doc: Document } {
  const files = unzipSync(template);
  return { files, doc: new DOMParser().parseFromString(strFromU8(files['word/document.xml']!), 'text/xml') };
}

/** Re-zip with fixed timestamps so regenerated samples are byte-identical. */
export function saveDocx(files: Unzipped, doc: Document, extra: Record<string, Uint8Array> = {}): Uint8Array {
  const out: Zippable = {};
  for (const [name, bytes] of Object.entries({ ...files, ...extra })) {
    out[name] = [name === 'word/document.xml' ? strToU8(new XMLSerializer().serializeToString(doc)) : bytes, { mtime: new Date('2026-01-01T00:00:00Z') }];
  }
  return zipSync(out, { level: 6 });
}

/** A minimal Word package around the given body XML (sample documents that are not our forms). */
export function plainDocx(bodyXml: string): Uint8Array {
  const files: Zippable = {
    '[Content_Types].xml': strToU8('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
    '_rels/.rels': strToU8('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
    'word/document.xml': strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="${W}"><w:body>${bodyXml}</w:body></w:document>`),
  };
  for (const k of Object.keys(files)) files[k] = [files[k] as Uint8Array, { mtime: new Date('2026-01-01T00:00:00Z') }];
  return zipSync(files);
}

/** The agreement checkbox (both forms have one w14 content control): ticked, left empty, or replaced by a typed mark. */
export type AgreementStyle = 'checked' | 'unchecked' | { typed: string };

export function setAgreementCheckbox(doc: Document, style: AgreementStyle): void {
  const sdt = descendants(doc, 'sdt').find((s) => s.getElementsByTagNameNS(W14, 'checkbox').length > 0);
  if (!sdt) throw new Error('agreement checkbox not found');
  if (typeof style === 'object') {
    sdt.parentNode!.replaceChild(run(doc, style.typed), sdt);
    return;
  }
  const checked = style === 'checked';
  const state = sdt.getElementsByTagNameNS(W14, 'checked')[0] as Element;
  state.setAttributeNS(W14, 'w14:val', checked ? '1' : '0');
  descendants(descendants(sdt, 'sdtContent')[0]!, 't')[0]!.textContent = checked ? '☒' : '☐';
}

/** The date typed after the 申請年月日 label paragraph, replacing its placeholder. */
export function typeApplicationDate(doc: Document, text: string): void {
  const p = descendants(doc, 'p').find((x) => (x.parentNode as Element).localName === 'body' && squash(textOf(x)).startsWith('申請年月日'));
  if (!p) throw new Error('申請年月日 paragraph not found');
  const [labelRun, ...rest] = children(p, 'r');
  for (const r of rest) p.removeChild(r);
  p.insertBefore(run(doc, `　${text}`), labelRun!.nextSibling);
}
