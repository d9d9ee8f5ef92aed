// Which Japanese models read a scan: the third one (a tie-breaker between the first two) exists only where
// the first reading is Debian's, since in the npm-only configuration it is the first reading's model itself.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modelData } from '../../src/extract/ocr/tessdata.ts';

const empty = mkdtempSync(path.join(os.tmpdir(), 'conken-tessdata-empty-'));
const debian = mkdtempSync(path.join(os.tmpdir(), 'conken-tessdata-debian-'));
writeFileSync(path.join(debian, 'jpn.traineddata'), '');
afterAll(() => {
  rmSync(empty, { recursive: true, force: true });
  rmSync(debian, { recursive: true, force: true });
});

describe('the Japanese models', () => {
  it('beside a Debian model: first Debian, second npm best_int, third npm 4.0.0 — three different models', () => {
    const env = { CONKEN_TESSDATA_DIR: debian };
    expect(modelData('jpn-fast', env)?.origin).toBe('Debian tesseract-ocr-jpn');
    expect(modelData('jpn-best', env)?.origin).toBe('npm @tesseract.js-data/jpn 4.0.0_best_int');
    expect(modelData('jpn-alt', env)?.origin).toBe('npm @tesseract.js-data/jpn 4.0.0');
  });
  it('npm only: the first reading is npm 4.0.0 and there is no third model', () => {
    const env = { CONKEN_TESSDATA_DIR: empty };
    expect(modelData('jpn-fast', env)?.origin).toBe('npm @tesseract.js-data/jpn 4.0.0');
    expect(modelData('jpn-alt', env)).toBeNull();
  });
});
