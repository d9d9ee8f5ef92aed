// Where the Japanese OCR model comes from: Debian's tesseract-ocr-jpn (measured in DESIGN.md: as good
// as the native CLI, and better than the npm data package on full-width digits). Never a CDN: when no
// data is found, OCR is reported unavailable and images stay unread documents for staff.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const CANDIDATES = ['/usr/share/tesseract-ocr/5/tessdata', '/usr/share/tesseract-ocr/4.00/tessdata', '/usr/share/tessdata', '/usr/local/share/tessdata'];

/** The folder holding jpn.traineddata: CONKEN_TESSDATA_DIR, TESSDATA_PREFIX, or Debian's places. */
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
