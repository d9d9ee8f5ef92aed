// OCR with tesseract.js: one small pool of workers per model, created on first use, reused for every
// mail, and shut down with the app. A read names what it is for (a whole page, a table cell, an e-mail
// address…) and gets the model, page segmentation and character whitelist that suit it; a worker is
// re-configured only when the next job needs other settings. Sized to the machine: OCR threads that fight
// for cores are slower (DESIGN.md), so at most two workers per model.
import os from 'node:os';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { modelData, type OcrModel } from './tessdata.ts';
import { shutdownPageOrientation } from './orientation.ts';

export interface OcrLine {
  text: string;
  /** 0..100, tesseract's confidence for the line as a whole. */
  confidence: number;
}

export interface OcrResult {
  text: string;
  confidence: number;
  lines: (OcrLine & { bbox: { x0: number; y0: number; x1: number; y1: number } })[];
}

const EMAIL_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@-_+';
const NUMBER_CHARS = '0123456789-.,/()';

/** What a read is for, and how tesseract is set up for it. */
export const READS = {
  /** A whole page (the text outside the tables): layout found by tesseract. */
  page: { model: 'jpn-fast', psm: PSM.AUTO },
  /** One table cell or region as one block of text: the first read of every cell. */
  block: { model: 'jpn-fast', psm: PSM.SINGLE_BLOCK },
  /** A filled-in Japanese value read again by the stronger model. */
  text: { model: 'jpn-best', psm: PSM.SINGLE_BLOCK },
  /** An e-mail address. */
  latin: { model: 'eng', psm: PSM.SINGLE_LINE, whitelist: EMAIL_CHARS },
  /** Phone numbers, passer numbers, hours, points, years. */
  number: { model: 'eng', psm: PSM.SINGLE_LINE, whitelist: NUMBER_CHARS },
} as const satisfies Record<string, { model: OcrModel; psm: PSM; whitelist?: string }>;

export type OcrMode = keyof typeof READS;

export class OcrUnavailableError extends Error {}

interface PooledWorker {
  worker: Worker;
  settings: string;
}

/** The workers of one model: idle ones wait in a list, jobs queue for the next free one. */
class ModelPool {
  private readonly idle: PooledWorker[] = [];
  private readonly waiting: ((w: PooledWorker) => void)[] = [];
  private readonly all: Promise<PooledWorker>[] = [];
  private readonly model: OcrModel;
  private readonly size: number;

  constructor(model: OcrModel, size: number) {
    this.model = model;
    this.size = size;
  }

  private async start(): Promise<PooledWorker> {
    const data = modelData(this.model);
    if (!data) {
      throw new OcrUnavailableError(this.model === 'jpn-fast'
        ? '日本語OCRのデータ（Debian tesseract-ocr-jpn）が見つかりません'
        : `OCRのデータ（npm @tesseract.js-data/${this.model === 'eng' ? 'eng' : 'jpn'}）が見つかりません`);
    }
    const worker = await createWorker(data.lang, OEM.LSTM_ONLY, { langPath: data.langPath, gzip: data.gzip, cacheMethod: 'none' });
    return { worker, settings: '' };
  }

  private async acquire(): Promise<PooledWorker> {
    const free = this.idle.pop();
    if (free) return free;
    if (this.all.length < this.size) {
      const starting = this.start();
      this.all.push(starting);
      starting.catch(() => this.all.splice(this.all.indexOf(starting), 1));
      return starting;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(w: PooledWorker): void {
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  async run<T>(settings: Record<string, string>, job: (worker: Worker) => Promise<T>): Promise<T> {
    const w = await this.acquire();
    try {
      const wanted = JSON.stringify(settings);
      if (w.settings !== wanted) {
        await w.worker.setParameters(settings);
        w.settings = wanted;
      }
      return await job(w.worker);
    } finally {
      this.release(w);
    }
  }

  async terminate(): Promise<void> {
    for (const w of await Promise.allSettled(this.all)) if (w.status === 'fulfilled') await w.value.worker.terminate();
  }
}

const pools = new Map<OcrModel, ModelPool>();

/** One worker per core, at most two: more OCR threads than cores only fight (DESIGN.md). */
function workerCount(): number {
  return Math.max(1, Math.min(2, os.availableParallelism()));
}

function poolFor(model: OcrModel): ModelPool {
  let pool = pools.get(model);
  if (!pool) {
    pool = new ModelPool(model, workerCount());
    pools.set(model, pool);
  }
  return pool;
}

/** OCR of a prepared image (PNG) for the given purpose. */
export async function recognise(image: Buffer, mode: OcrMode = 'page'): Promise<OcrResult> {
  const read: { model: OcrModel; psm: PSM; whitelist?: string } = READS[mode];
  const settings: Record<string, string> = {
    tessedit_pageseg_mode: read.psm,
    preserve_interword_spaces: '1',
    tessedit_char_whitelist: read.whitelist ?? '',
  };
  const { data } = await poolFor(read.model).run(settings, (worker) => worker.recognize(image, {}, { blocks: true, text: true }));
  const lines: OcrResult['lines'] = [];
  for (const block of data.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) lines.push({ text: line.text.trim(), confidence: line.confidence, bbox: line.bbox });
    }
  }
  return { text: data.text, confidence: data.confidence, lines: lines.filter((l) => l.text !== '') };
}

/** Ends the workers, the page-orientation one included (the daemon's shutdown, the end of a CLI command). */
export async function shutdownOcr(): Promise<void> {
  const current = [...pools.values()];
  pools.clear();
  for (const pool of current) await pool.terminate();
  await shutdownPageOrientation();
}
