// Japanese OCR with tesseract.js: one pool of workers per process, created on first use, reused for
// every mail, and shut down with the app. Sized to the machine (two cores here: OCR threads that fight
// for cores are slower, DESIGN.md), LSTM only, the model read from local Debian data.
import os from 'node:os';
import { createScheduler, createWorker, OEM, PSM, type Scheduler } from 'tesseract.js';
import { findTessdata } from './tessdata.ts';

export interface OcrLine {
  text: string;
  /** 0..100, tesseract's confidence for the line. */
  confidence: number;
}

export interface OcrResult {
  text: string;
  confidence: number;
  lines: OcrLine[];
}

export class OcrUnavailableError extends Error {}

let pool: Promise<Scheduler> | null = null;

function workerCount(): number {
  return Math.max(1, Math.min(2, os.availableParallelism() - 0));
}

async function startPool(): Promise<Scheduler> {
  const langPath = findTessdata();
  if (!langPath) throw new OcrUnavailableError('日本語OCRのデータ（Debian tesseract-ocr-jpn）が見つかりません');
  const scheduler = createScheduler();
  for (let i = 0; i < workerCount(); i++) {
    const worker = await createWorker('jpn', OEM.LSTM_ONLY, { langPath, gzip: false, cacheMethod: 'none' });
    await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO, preserve_interword_spaces: '1' });
    scheduler.addWorker(worker);
  }
  return scheduler;
}

/** Full-page OCR of a prepared image (PNG). */
export async function recognise(image: Buffer): Promise<OcrResult> {
  if (!pool) {
    pool = startPool();
    pool.catch(() => { pool = null; });
  }
  const scheduler = await pool;
  const { data } = await scheduler.addJob('recognize', image, {}, { blocks: true, text: true });
  const lines: OcrLine[] = [];
  for (const block of data.blocks ?? []) {
    for (const paragraph of block.paragraphs) for (const line of paragraph.lines) lines.push({ text: line.text.trim(), confidence: line.confidence });
  }
  return { text: data.text, confidence: data.confidence, lines: lines.filter((l) => l.text !== '') };
}

/** Ends the workers (the daemon's shutdown, the end of a CLI command). */
export async function shutdownOcr(): Promise<void> {
  const current = pool;
  pool = null;
  if (current) await (await current.catch(() => null))?.terminate();
}
