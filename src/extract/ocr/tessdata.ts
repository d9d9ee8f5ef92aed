// Where the OCR models come from, all installed offline, never a CDN:
// - jpn-fast: Debian's tesseract-ocr-jpn (tessdata_fast). Measured in DESIGN.md: as good as the native
//   CLI on a full page; it reads every cell first (labels, layout).
// - jpn-best: the npm package @tesseract.js-data/jpn, its 4.0.0_best_int model (tessdata_best converted
//   to integers). Slower, but it reads the serif kanji and kana of filled values that the fast model
//   confuses (花→化, 郎→朗, 1-2-3 → 1.2-3), and as a second, different model its agreement with the
//   first read is what makes a value confident (BENCHMARKS.md, OCR accuracy).
// - eng: @tesseract.js-data/eng 4.0.0_best_int, for e-mail addresses and numbers with a character
//   whitelist (the Japanese models read @ as ⑥ or '(').
// When a model is missing, OCR is reported unavailable and images stay unread documents for staff.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const CANDIDATES = ['/usr/share/tesseract-ocr/5/tessdata', '/usr/share/tesseract-ocr/4.00/tessdata', '/usr/share/tessdata', '/usr/local/share/tessdata'];

export type OcrModel = 'jpn-fast' | 'jpn-best' | 'eng';

export interface ModelData {
  /** tesseract's language code: the file is <lang>.traineddata(.gz) in langPath. */
  lang: string;
  langPath: string;
  gzip: boolean;
}

/** The folder holding Debian's jpn.traineddata: CONKEN_TESSDATA_DIR, TESSDATA_PREFIX, or Debian's places. */
export function findTessdata(env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = [env.CONKEN_TESSDATA_DIR, env.TESSDATA_PREFIX].filter((d): d is string => !!d);
  const debianVersions = existsSync('/usr/share/tesseract-ocr')
    ? readdirSync('/usr/share/tesseract-ocr').map((v) => path.join('/usr/share/tesseract-ocr', v, 'tessdata'))
    : [];
  for (const dir of [...explicit, ...CANDIDATES, ...debianVersions]) {
    if (existsSync(path.join(dir, 'jpn.traineddata'))) return dir;
  }
  return null;
}

/** A model shipped in an @tesseract.js-data package (best_int flavour), or null when not installed. */
function npmModel(lang: string): ModelData | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = path.join(path.dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`)), '4.0.0_best_int');
    return existsSync(path.join(dir, `${lang}.traineddata.gz`)) ? { lang, langPath: dir, gzip: true } : null;
  } catch {
    return null;
  }
}

export function modelData(model: OcrModel, env: NodeJS.ProcessEnv = process.env): ModelData | null {
  if (model === 'jpn-fast') {
    const dir = findTessdata(env);
    return dir ? { lang: 'jpn', langPath: dir, gzip: false } : null;
  }
  return npmModel(model === 'jpn-best' ? 'jpn' : 'eng');
}
