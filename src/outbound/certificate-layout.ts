// The certificate's layout (mail-templates/certificate.yaml): read and checked here, drawn by
// src/outbound/certificate.ts. Apart from the PDF libraries so that the start-up check and `conken status`
// load no PDF library; the YAML parser, zod and Mustache are loaded only when a layout is really read:
// the check's outcome for a layout's content is remembered (src/config/check-cache.ts), so `conken
// status`, run every minute by monitoring, checks an unchanged file from the cache (the font file, which
// can go away without the layout changing, is checked every time).
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type MustacheApi from 'mustache';
import type { z } from 'zod';
import { cachedCheck, rememberCheck } from '../config/check-cache.ts';
import { loadNow } from '../config/lazy-module.ts';

function buildLayoutSchema() {
  const { z } = loadNow<typeof import('zod')>('zod');
  const lineSchema = z.object({
    text: z.string().min(1),
    x: z.union([z.number(), z.literal('center')]),
    top: z.number(),
    size: z.number().positive(),
  }).strict();
  return z.object({
    page: z.object({ width: z.number().positive(), height: z.number().positive() }).strict(),
    font: z.object({ files: z.array(z.string().min(1)).min(1), index: z.number().int().min(0).default(0) }).strict(),
    border: z.object({ margin: z.number().min(0), width: z.number().positive() }).strict().optional(),
    lines: z.array(lineSchema).min(1),
  }).strict();
}
let layoutSchema: ReturnType<typeof buildLayoutSchema> | undefined;
export type CertificateLayout = z.infer<ReturnType<typeof buildLayoutSchema>>;

/** What a certificate says. Dates as YYYY-MM-DD; the layout writes them the Japanese way. */
export interface CertificateFacts {
  name: string;
  qualification: string;
  qualificationName: string;
  certificationNumber: string;
  validFrom: string;
  validTo: string;
  issuedOn: string;
}

/** A layout (or its font) that cannot make a certificate: `file` names it, `problem` says what is wrong. */
export class CertificateError extends Error {
  readonly file: string;
  readonly problem: string;
  constructor(file: string, problem: string) {
    super(`certificate layout ${file}${problem.startsWith('key ') ? ', ' : ': '}${problem}`);
    this.file = file;
    this.problem = problem;
  }
}

export const CERTIFICATE_LAYOUT_FILE = 'certificate.yaml';

/** The facts a layout's {{…}} may name (a misspelt one would print nothing, silently). */
const FACT_NAMES: readonly (keyof CertificateFacts)[] = ['name', 'qualification', 'qualificationName', 'certificationNumber', 'validFrom', 'validTo', 'issuedOn'];

function namesIn(tokens: unknown[]): string[] {
  return tokens.flatMap((t) => {
    const [type, value, , , children] = t as [string, string, number, number, unknown[] | undefined];
    return [...(type === 'name' || type === '&' || type === '{' || type === '#' || type === '^' ? [value] : []), ...(Array.isArray(children) ? namesIn(children) : [])];
  });
}

/**
 * The font file a layout names is there, readable, a font, and has the font the index asks for. Reads the
 * file's first bytes only: the start-up check and `conken status` must not read 20 MB.
 */
function checkFontFile(file: string, layoutFile: string, index: number): void {
  let header: Buffer;
  try {
    const fd = openSync(file, 'r');
    try {
      header = Buffer.alloc(12);
      readSync(fd, header, 0, 12, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new CertificateError(layoutFile, `the font file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const tag = header.toString('latin1', 0, 4);
  if (tag === 'ttcf') {
    const count = header.readUInt32BE(8);
    if (index >= count) throw new CertificateError(layoutFile, `key font.index: the font collection ${file} has ${count} fonts; index ${index} does not exist`);
  } else if (tag === 'OTTO' || tag === 'true' || header.readUInt32BE(0) === 0x00010000) {
    if (index !== 0) throw new CertificateError(layoutFile, `key font.index: ${file} is a single font; index must be 0`);
  } else {
    throw new CertificateError(layoutFile, `the font file ${file} is not an OpenType/TrueType font`);
  }
}

/** The checks of a layout that depend on its text alone (what check-cache.ts may remember). */
function readLayout(file: string, text: string): CertificateLayout {
  const { parse: parseYaml } = loadNow<typeof import('yaml')>('yaml');
  const Mustache = loadNow<{ default: typeof MustacheApi }>('mustache').default;
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new CertificateError(file, (error as Error).message.split('\n')[0]!);
  }
  const parsed = (layoutSchema ??= buildLayoutSchema()).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CertificateError(file, `key ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const layout = parsed.data;
  layout.lines.forEach((l, i) => {
    let tokens: unknown[];
    try {
      tokens = Mustache.parse(l.text);
    } catch (error) {
      throw new CertificateError(file, `key lines.${i}.text: ${(error as Error).message}`);
    }
    const unknown = namesIn(tokens).filter((n) => !(FACT_NAMES as readonly string[]).includes(n));
    if (unknown.length) throw new CertificateError(file, `key lines.${i}.text: unknown field {{${unknown[0]}}} (known: ${FACT_NAMES.join(', ')})`);
    if (l.top > layout.page.height || (typeof l.x === 'number' && l.x > layout.page.width)) throw new CertificateError(file, `key lines.${i}: the line lies outside the page (${layout.page.width} × ${layout.page.height})`);
  });
  return layout;
}

/** The first of the layout's font files that exists, checked to hold the font it names; or CertificateError. */
function layoutFont(font: CertificateLayout['font'], file: string): string {
  const found = font.files.find((f) => existsSync(f));
  if (!found) throw new CertificateError(file, `none of the font files exists (${font.files.join(', ')}); install fonts-noto-cjk`);
  checkFontFile(found, file, font.index);
  return found;
}

export function loadCertificateLayout(templatesDir: string): CertificateLayout {
  const file = path.join(templatesDir, CERTIFICATE_LAYOUT_FILE);
  if (!existsSync(file)) throw new CertificateError(file, 'missing');
  const layout = readLayout(file, readFileSync(file, 'utf8'));
  layoutFont(layout.font, file);
  return layout;
}

export interface CertificateLayoutCheck {
  ok: boolean;
  /** The layout file checked. */
  file: string;
  /** The font file used (ok) — or what is wrong (not ok). */
  font?: string;
  problem?: string;
  /** One line for people: Japanese, then English, naming the file and the problem. */
  message: string;
}

/**
 * The layout checked as an approval would load it, for start-up (`conken start`, `conken web`) and
 * `conken status`: a layout staff broke is found when the daemon starts, not at the first approval.
 */
export function checkCertificateLayout(templatesDir: string): CertificateLayoutCheck {
  const file = path.join(templatesDir, CERTIFICATE_LAYOUT_FILE);
  try {
    if (!existsSync(file)) throw new CertificateError(file, 'missing');
    const text = readFileSync(file, 'utf8');
    // The outcome of the text's checks, kept with the text and the source of this module (a changed rule is checked again).
    const inputs = [text, readFileSync(fileURLToPath(import.meta.url), 'utf8')];
    let outcome = cachedCheck<{ font: CertificateLayout['font'] } | { problem: string }>('certificate-layout', inputs);
    if (!outcome) {
      try {
        outcome = { font: readLayout(file, text).font };
      } catch (error) {
        if (!(error instanceof CertificateError)) throw error;
        outcome = { problem: error.problem };
      }
      rememberCheck('certificate-layout', inputs, outcome);
    }
    if ('problem' in outcome) throw new CertificateError(file, outcome.problem);
    const font = layoutFont(outcome.font, file);
    return { ok: true, file, font, message: `認定書のレイアウト ${file} は正常です（フォント ${font}） / certificate layout ${file} is valid (font ${font})` };
  } catch (error) {
    if (!(error instanceof CertificateError)) throw error;
    return {
      ok: false, file, problem: error.problem,
      message: `認定書のレイアウト ${file} に誤りがあります: ${error.problem}。ファイルを直すまで審査（承認）はできません。 / The certificate layout ${file} is broken: ${error.problem}. Reviews cannot be decided until the file is fixed.`,
    };
  }
}
