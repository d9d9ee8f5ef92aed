// Where the OCR models come from, all installed offline, never a CDN:
// - jpn-fast: the first reading of every cell (labels, layout). Debian's tesseract-ocr-jpn (tessdata_fast)
//   where it is installed: measured in DESIGN.md as good as the native CLI on a full page, and the fastest.
//   Without it (a laptop, a container, Windows, macOS: whatever `npm install` alone gives), the LSTM
//   network of the npm package @tesseract.js-data/jpn's 4.0.0 model (tessdata "main"). That network is
//   not the best_int one of the second reading (checked component by component), so the two readings
//   are still made by different models and their agreement still means something.
// - jpn-best: the npm package @tesseract.js-data/jpn, its 4.0.0_best_int model (tessdata_best converted
//   to integers). Slower, but it reads the serif kanji and kana of filled values that the fast model
//   confuses (花→化, 郎→朗, 1-2-3 → 1.2-3), and as a second, different model its agreement with the
//   first read is what makes a value confident (BENCHMARKS.md, OCR accuracy).
// - eng: @tesseract.js-data/eng 4.0.0_best_int, for e-mail addresses and numbers with a character
//   whitelist (the Japanese models read @ as ⑥ or '(').
// - osd (page orientation): Debian's tesseract-ocr-osd beside jpn.traineddata, else @tesseract.js-data/osd.
// When a model is missing, OCR is reported unavailable and images stay unread documents for staff.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const CANDIDATES = ['/usr/share/tesseract-ocr/5/tessdata', '/usr/share/tesseract-ocr/4.00/tessdata', '/usr/share/tessdata', '/usr/local/share/tessdata'];

/**
 * jpn-alt: npm's jpn 4.0.0 model where the first reading is Debian's, a third Japanese model that breaks
 * a tie between the other two (reread-values.ts); absent in the npm-only configuration, where it is the
 * first reading's model itself.
 */
export type OcrModel = 'jpn-fast' | 'jpn-best' | 'jpn-alt' | 'jpn-legacy' | 'eng' | 'eng-alt';

export interface ModelData {
  /** tesseract's language code: the file is <lang>.traineddata(.gz) in langPath. */
  lang: string;
  langPath: string;
  gzip: boolean;
  /** Where it came from, for people: `Debian tesseract-ocr-jpn`, `npm @tesseract.js-data/jpn 4.0.0_best_int`. */
  origin: string;
}

/**
 * The folder holding Debian's jpn.traineddata: CONKEN_TESSDATA_DIR, TESSDATA_PREFIX, or Debian's places.
 * CONKEN_TESSDATA_DIR, when set, is the only place looked at: pointed at an empty folder it makes this
 * machine one without the Debian models (how the tests and CI run the npm-only configuration).
 */
export function findTessdata(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CONKEN_TESSDATA_DIR) return existsSync(path.join(env.CONKEN_TESSDATA_DIR, 'jpn.traineddata')) ? env.CONKEN_TESSDATA_DIR : null;
  const explicit = [env.TESSDATA_PREFIX].filter((d): d is string => !!d);
  const debianVersions = existsSync('/usr/share/tesseract-ocr')
    ? readdirSync('/usr/share/tesseract-ocr').map((v) => path.join('/usr/share/tesseract-ocr', v, 'tessdata'))
    : [];
  for (const dir of [...explicit, ...CANDIDATES, ...debianVersions]) {
    if (existsSync(path.join(dir, 'jpn.traineddata'))) return dir;
  }
  return null;
}

/** A model shipped in an @tesseract.js-data package, or null when not installed. */
function npmModel(lang: string, flavour: '4.0.0_best_int' | '4.0.0'): ModelData | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = path.join(path.dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`)), flavour);
    return existsSync(path.join(dir, `${lang}.traineddata.gz`)) ? { lang, langPath: dir, gzip: true, origin: `npm @tesseract.js-data/${lang} ${flavour}` } : null;
  } catch {
    return null;
  }
}

export function modelData(model: OcrModel, env: NodeJS.ProcessEnv = process.env): ModelData | null {
  if (model === 'jpn-fast') {
    const dir = findTessdata(env);
    return dir ? { lang: 'jpn', langPath: dir, gzip: false, origin: 'Debian tesseract-ocr-jpn' } : npmModel('jpn', '4.0.0');
  }
  if (model === 'jpn-alt') return findTessdata(env) ? npmModel('jpn', '4.0.0') : null;
  // eng-alt: the npm eng 4.0.0 network, a second Latin model beside best_int for e-mail addresses (reread-values.ts).
  if (model === 'eng-alt') return npmModel('eng', '4.0.0');
  // jpn-legacy: the npm jpn 4.0.0 file's legacy (non-LSTM) recogniser, a witness in both configurations.
  if (model === 'jpn-legacy') return npmModel('jpn', '4.0.0');
  return model === 'jpn-best' ? npmModel('jpn', '4.0.0_best_int') : npmModel('eng', '4.0.0_best_int');
}

/** The page-orientation data: Debian's osd.traineddata beside its jpn model, else the npm package's. */
export function osdData(env: NodeJS.ProcessEnv = process.env): ModelData | null {
  const dir = findTessdata(env);
  if (dir && existsSync(path.join(dir, 'osd.traineddata'))) return { lang: 'osd', langPath: dir, gzip: false, origin: 'Debian tesseract-ocr-osd' };
  return npmModel('osd', '4.0.0');
}

export interface OcrModels {
  /** The first reading of every cell. */
  first: string | null;
  /** The second reading of values. */
  second: string | null;
  latin: string | null;
  orientation: string | null;
  /** Every model needed is present. */
  available: boolean;
}

/** Which models this machine reads scans with: logged at start, shown by `conken status` and the demo. */
export function ocrModels(env: NodeJS.ProcessEnv = process.env): OcrModels {
  const first = modelData('jpn-fast', env)?.origin ?? null;
  const second = modelData('jpn-best', env)?.origin ?? null;
  const latin = modelData('eng', env)?.origin ?? null;
  const orientation = osdData(env)?.origin ?? null;
  return { first, second, latin, orientation, available: !!(first && second && latin && orientation) };
}

/** One line for people: `OCR: 1回目 Debian tesseract-ocr-jpn, 2回目 npm …, 向き npm …`. */
export function describeOcrModels(m: OcrModels = ocrModels()): string {
  const name = (s: string | null) => s ?? 'なし';
  return `1回目 ${name(m.first)} / 2回目 ${name(m.second)} / 英数字 ${name(m.latin)} / 向き ${name(m.orientation)}`;
}
