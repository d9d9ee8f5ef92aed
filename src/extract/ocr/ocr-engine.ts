// Japanese OCR with tesseract.js: one pool of workers per process, created on first use, reused for
// every mail, and shut down with the app. Sized to the machine (two cores here: OCR threads that fight
// for cores are slower, DESIGN.md), LSTM only, the model read from local Debian data.
import os from 'node:os';
import { createScheduler, createWorker, OEM, PSM, type Scheduler } from 'tesseract.js';
import { findTessdata } from './tessdata.ts';

export interface OcrLine {
  text: string;
  /** 0..100, tesseract's confidence for the line as a whole. */
  confidence: number;
  /** 0..100, the confidence of its least certain character: one misread kanji must not hide in an average. */
  minSymbolConfidence: number;
}

export interface OcrResult {
  text: string;
  confidence: number;
  lines: (OcrLine & { bbox: { x0: number; y0: number; x1: number; y1: number } })[];
}

/** page: a whole page, layout found by tesseract; block: one table cell or a region, read as one block of text. */
export type OcrMode = 'page' | 'block';

export class OcrUnavailableError extends Error {}

const pools: Partial<Record<OcrMode, Promise<Scheduler>>> = {};

/** One worker per core, at most two: more OCR threads than cores only fight (DESIGN.md). */
function workerCount(): number {
  return Math.max(1, Math.min(2, os.availableParallelism()));
}

async function startPool(mode: OcrMode): Promise<Scheduler> {
  const langPath = findTessdata();
  if (!langPath) throw new OcrUnavailableError('日本語OCRのデータ（Debian tesseract-ocr-jpn）が見つかりません');
  const scheduler = createScheduler();
  for (let i = 0; i < workerCount(); i++) {
    const worker = await createWorker('jpn', OEM.LSTM_ONLY, { langPath, gzip: false, cacheMethod: 'none' });
    await worker.setParameters({ tessedit_pageseg_mode: mode === 'page' ? PSM.AUTO : PSM.SINGLE_BLOCK, preserve_interword_spaces: '1' });
    scheduler.addWorker(worker);
  }
  return scheduler;
}

/** OCR of a prepared image (PNG): a whole page, or one block (a table cell). */
export async function recognise(image: Buffer, mode: OcrMode = 'page'): Promise<OcrResult> {
  let pool = pools[mode];
  if (!pool) {
    pool = startPool(mode);
    pools[mode] = pool;
    pool.catch(() => { delete pools[mode]; });
  }
  const scheduler = await pool;
  const { data } = await scheduler.addJob('recognize', image, {}, { blocks: true, text: true });
  // (symbols come with blocks: words → symbols, each with its confidence)
  const lines: OcrResult['lines'] = [];
  for (const block of data.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const symbols = line.words.flatMap((w) => w.symbols).filter((sym) => sym.text.trim() !== '');
        const minSymbolConfidence = symbols.length ? Math.min(...symbols.map((sym) => sym.confidence)) : line.confidence;
        lines.push({ text: line.text.trim(), confidence: line.confidence, minSymbolConfidence, bbox: line.bbox });
      }
    }
  }
  return { text: data.text, confidence: data.confidence, lines: lines.filter((l) => l.text !== '') };
}

/** Ends the workers (the daemon's shutdown, the end of a CLI command). */
export async function shutdownOcr(): Promise<void> {
  const current = Object.values(pools);
  for (const mode of Object.keys(pools) as OcrMode[]) delete pools[mode];
  for (const pool of current) await (await pool.catch(() => null))?.terminate();
}
