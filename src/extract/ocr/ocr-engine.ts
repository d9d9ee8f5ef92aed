// OCR with tesseract.js: one small pool of workers per model, created on first use, reused for every
// mail, and shut down with the app. A read names what it is for (a whole page, a table cell, an e-mail
// address…) and gets the model, page segmentation and character whitelist that suit it; a worker is
// re-configured only when the next job needs other settings. Sized to the machine: OCR threads that fight
// for cores are slower (DESIGN.md), so at most two workers per model.
import os from 'node:os';
import sharp from 'sharp';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { onShutdown } from '../../shared/shutdown-hooks.ts';
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
  lines: (OcrLine & { bbox: OcrBox; /** Each glyph's box (the engine's reads; not lines put together elsewhere). */ symbols?: { text: string; bbox: OcrBox }[] })[];
}

export interface OcrBox { x0: number; y0: number; x1: number; y1: number }

const EMAIL_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@-_+';
const NUMBER_CHARS = '0123456789-.,/()';
const HIRAGANA = 'ぁあぃいぅうぇえぉおかがきぎくぐけげこごさざしじすずせぜそぞただちぢっつづてでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもゃやゅゆょよらりるれろゎわゐゑをんゔー 　';
const KATAKANA = 'ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロヮワヰヱヲンヴー・ 　';

/** What a read is for, and how tesseract is set up for it. */
export const READS = {
  /** One table cell or region as one block of text: the first read of every cell. */
  block: { model: 'jpn-fast', psm: PSM.SINGLE_BLOCK },
  /** A filled-in Japanese value read again by the stronger model. */
  text: { model: 'jpn-best', psm: PSM.SINGLE_BLOCK },
  /**
   * A name in kana (氏名（かな）, 所属先会社名（かな）), in the script the first reading saw: without the
   * other script to choose from, the model stops reading ぽ as both ポ and ぽ.
   */
  hiragana: { model: 'jpn-best', psm: PSM.SINGLE_BLOCK, whitelist: HIRAGANA },
  katakana: { model: 'jpn-best', psm: PSM.SINGLE_BLOCK, whitelist: KATAKANA },
  /** Japanese by the legacy recogniser of npm's jpn 4.0.0 file: another engine than every LSTM model here. */
  legacy: { model: 'jpn-legacy', psm: PSM.SINGLE_BLOCK },
  /** A third Japanese model, where there is one (tessdata.ts, jpn-alt): a tie between the other two broken. */
  alt: { model: 'jpn-alt', psm: PSM.SINGLE_BLOCK },
  /** An e-mail address. */
  latin: { model: 'eng', psm: PSM.SINGLE_LINE, whitelist: EMAIL_CHARS },
  /**
   * An e-mail address read by a second Latin model (npm eng 4.0.0's legacy recogniser), same whitelist: the
   * Japanese models read Latin text unsurely (@ as の, ⑥ or (6, p as D), so for an address the two
   * models whose agreement counts are these two.
   */
  latinAlt: { model: 'eng-alt', psm: PSM.SINGLE_LINE, whitelist: EMAIL_CHARS },
  /** Phone numbers, passer numbers, hours, points, years. */
  number: { model: 'eng', psm: PSM.SINGLE_LINE, whitelist: NUMBER_CHARS },
  /**
   * A date typed in digits, read by the second Latin model (npm eng 4.0.0's legacy recogniser) beside
   * `number`: the Japanese models read a full-width ／ as 7 (２０２１／３ → 202173), so for a date's
   * digits the two models whose agreement counts are these two (reread-values.ts, datesByLatin).
   */
  numberAlt: { model: 'eng-alt', psm: PSM.SINGLE_LINE, whitelist: NUMBER_CHARS },
} as const satisfies Record<string, { model: OcrModel; psm: PSM; whitelist?: string }>;

export type OcrMode = keyof typeof READS;

export class OcrUnavailableError extends Error {}
/** One OCR job ran past JOB_TIMEOUT_MS. */
export class OcrTimeoutError extends Error {}

/** The longest one OCR job may take: a cell takes ~0.1 s and a dense page ~5 s on a busy 2-core machine. */
const JOB_TIMEOUT_MS = 60_000;

interface PooledWorker {
  worker: Worker;
  settings: string;
}

/** The workers of one model: idle ones wait in a list, jobs queue for the next free one. */
class ModelPool {
  private readonly idle: PooledWorker[] = [];
  private readonly waiting: ((w: PooledWorker) => void)[] = [];
  /** Workers alive or starting: at most `size`. */
  private readonly live = new Set<Promise<PooledWorker>>();
  private readonly model: OcrModel;
  private readonly size: number;

  constructor(model: OcrModel, size: number) {
    this.model = model;
    this.size = size;
  }

  private async start(): Promise<PooledWorker> {
    const data = modelData(this.model);
    if (!data) {
      throw new OcrUnavailableError(`OCRのデータ（npm @tesseract.js-data/${this.model === 'eng' ? 'eng' : 'jpn'}）が見つかりません`);
    }
    // eng-alt is the same file's legacy (non-LSTM) recogniser: its LSTM network is best_int's, so only
    // the legacy engine makes it a second model whose agreement means something.
    const engine = this.model === 'eng-alt' || this.model === 'jpn-legacy' ? OEM.TESSERACT_ONLY : OEM.LSTM_ONLY;
    const worker = await createWorker(data.lang, engine, { langPath: data.langPath, gzip: data.gzip, cacheMethod: 'none' });
    return { worker, settings: '' };
  }

  private spawn(): Promise<PooledWorker> {
    const starting = this.start();
    this.live.add(starting);
    starting.catch(() => this.live.delete(starting));
    return starting;
  }

  private async acquire(): Promise<PooledWorker> {
    const free = this.idle.pop();
    if (free) return free;
    if (this.live.size < this.size) return this.spawn();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(w: PooledWorker): void {
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  /** A worker stuck in a job is ended; whoever waits gets a fresh one in its place. */
  private discard(w: PooledWorker): void {
    for (const p of this.live) void p.then((x) => { if (x === w) this.live.delete(p); });
    void w.worker.terminate().catch(() => undefined);
    const next = this.waiting.shift();
    if (next) void this.spawn().then(next, () => undefined);
  }

  async run<T>(settings: Record<string, string>, job: (worker: Worker) => Promise<T>): Promise<T> {
    const w = await this.acquire();
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    try {
      const wanted = JSON.stringify(settings);
      if (w.settings !== wanted) {
        await w.worker.setParameters(settings);
        w.settings = wanted;
      }
      // A job tesseract cannot finish in reasonable time (a picture of noise read as thousands of
      // "characters") is cut off: its worker is ended and the caller gets an error it can report.
      return await Promise.race([job(w.worker), new Promise<never>((_, reject) => {
        timer = setTimeout(() => { timedOut = true; reject(new OcrTimeoutError(`OCRが${JOB_TIMEOUT_MS / 1000}秒以内に終わりませんでした`)); }, JOB_TIMEOUT_MS);
      })]);
    } finally {
      clearTimeout(timer);
      if (timedOut) this.discard(w);
      else this.release(w);
    }
  }

  async terminate(): Promise<void> {
    for (const w of await Promise.allSettled([...this.live])) if (w.status === 'fulfilled') await w.value.worker.terminate().catch(() => undefined);
    this.live.clear();
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

/** Per kind of read: how many were made and the worker time they took (ms), for `bench:ocr`'s breakdown. */
export const ocrStats = new Map<OcrMode, { reads: number; ms: number }>();

/** A reading of at most this many glyphs is a lone glyph or two: no line around it to read it by. */
const LONE_GLYPHS = 2;
/** The scale a lone glyph is read at again (see recognise). */
const LONE_GLYPH_SCALE = 0.6;

/** A PNG crop at a smaller scale, for a reading at another size (a lone glyph, the third reading). */
export async function scaledPng(image: Buffer, scale: number): Promise<Buffer> {
  const { width = 1 } = await sharp(image).metadata();
  return sharp(image).resize({ width: Math.max(1, Math.round(width * scale)) }).png().toBuffer();
}

function glyphCount(text: string): number {
  return [...text.replace(/\s+/g, '')].length;
}

/**
 * OCR of a prepared image (PNG) for the given purpose. A cell whose first reading is a lone glyph or two
 * (a number alone in a wide cell: a field number, points, a total) is read again at LONE_GLYPH_SCALE and
 * the surer reading kept. With no line around it to read it by, a lone digit at a page's 300 dpi is read
 * as a kana, a kanji or a bar by both Japanese models — npm's jpn 4.0.0 model reads 4 as ー (90 %), 国,
 * B; Debian's reads a serif 5 as っ, 7 as 7/ — and at 0.6 as the digit (the npm model as a circled one,
 * ④ 93–96 %, which tidyOcrText makes a digit). Text in a line is read by its neighbours.
 */
export async function recognise(image: Buffer, mode: OcrMode, options: { loneGlyphs?: boolean } = {}): Promise<OcrResult> {
  const first = await recogniseAt(image, mode);
  if (mode !== 'block' || options.loneGlyphs === false || glyphCount(first.text) > LONE_GLYPHS) return first;
  const smaller = await recogniseAt(await scaledPng(image, LONE_GLYPH_SCALE), mode);
  const count = glyphCount(smaller.text);
  if (count === 0 || count > LONE_GLYPHS || smaller.confidence <= first.confidence) return first;
  // Boxes back in the image's own pixels.
  const back = (v: number) => Math.round(v / LONE_GLYPH_SCALE);
  const backBox = (b: OcrBox) => ({ x0: back(b.x0), y0: back(b.y0), x1: back(b.x1), y1: back(b.y1) });
  return { ...smaller, lines: smaller.lines.map((l) => ({ ...l, bbox: backBox(l.bbox), symbols: l.symbols?.map((g) => ({ ...g, bbox: backBox(g.bbox) })) })) };
}

async function recogniseAt(image: Buffer, mode: OcrMode): Promise<OcrResult> {
  const read: { model: OcrModel; psm: PSM; whitelist?: string } = READS[mode];
  const settings: Record<string, string> = {
    tessedit_pageseg_mode: read.psm,
    preserve_interword_spaces: '1',
    // Our crops are at about 300 dpi; PNGs from sharp say 1 px/mm (25 dpi), which tesseract rejects with a
    // warning on every read ("Invalid resolution 25 dpi") and replaces by 70. Same readings on the held-apart scans.
    user_defined_dpi: '300',
    tessedit_char_whitelist: read.whitelist ?? '',
  };
  const { data } = await poolFor(read.model).run(settings, async (worker) => {
    const started = performance.now();
    try {
      return await worker.recognize(image, {}, { blocks: true, text: true });
    } finally {
      const stat = ocrStats.get(mode) ?? { reads: 0, ms: 0 };
      ocrStats.set(mode, { reads: stat.reads + 1, ms: stat.ms + performance.now() - started });
    }
  });
  const lines: OcrResult['lines'] = [];
  for (const block of data.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const symbols = line.words.flatMap((w) => w.symbols.map((g) => ({ text: g.text, bbox: g.bbox })));
        lines.push({ text: line.text.trim(), confidence: line.confidence, bbox: line.bbox, symbols });
      }
    }
  }
  return { text: data.text, confidence: data.confidence, lines: lines.filter((l) => l.text !== '') };
}

/** Whether a read of this kind can be made on this machine (the third Japanese model exists only beside Debian's). */
export function canRead(mode: OcrMode): boolean {
  return modelData(READS[mode].model) !== null;
}

/** Ends the workers, the page-orientation one included (the daemon's shutdown, the end of a CLI command). */
export async function shutdownOcr(): Promise<void> {
  const current = [...pools.values()];
  pools.clear();
  for (const pool of current) await pool.terminate();
  await shutdownPageOrientation();
}

// A one-off CLI command ends only once these threads do (src/cli/main.ts runs the hooks; it never imports this module itself).
onShutdown(shutdownOcr);
