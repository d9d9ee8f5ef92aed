// Which way up a page is: tesseract's orientation and script detection (OSD) on Debian's osd.traineddata
// (package tesseract-ocr-osd), or the same data from npm @tesseract.js-data/osd where Debian's is absent, run by tesseract.js on its legacy-capable core. Measured against OCR-ing a
// strip of the page both ways up with the Japanese pool (BENCHMARKS.md, "Page geometry"): OSD answered
// every sample page right, in a steady 0.1–0.4 s on a band of the page, where the strip comparison took
// 0.1–1.6 s and kept both OCR workers busy.
import { createWorker, OEM, type Worker } from 'tesseract.js';
import { onShutdown } from '../../shared/shutdown-hooks.ts';
import { osdData, type ModelData } from './tessdata.ts';

export type QuarterTurn = 0 | 90 | 180 | 270;

export interface OrientationGuess {
  /** Clockwise turn that stands the page upright. */
  rotation: QuarterTurn;
  /** tesseract's margin between the best orientation and the next; about 5–15 on a form page. */
  confidence: number;
}

/**
 * The OSD worker is a thread of its own, and a thread keeps Node running: it ends itself once pages stop
 * coming, so a command that straightened a few pages still exits without being told (the daemon's
 * shutdown can end it at once with shutdownPageOrientation).
 */
const IDLE_MS = 5_000;

let worker: Promise<Worker> | null = null;
let idleTimer: NodeJS.Timeout | null = null;
let pending = 0;

/** Whether orientation can be detected here (Debian tesseract-ocr-osd, or npm @tesseract.js-data/osd). */
export function orientationAvailable(): boolean {
  return osdData() !== null;
}

async function startWorker(data: ModelData): Promise<Worker> {
  return createWorker('osd', OEM.TESSERACT_ONLY, { langPath: data.langPath, gzip: data.gzip, cacheMethod: 'none', legacyCore: true, legacyLang: true });
}

function scheduleIdleShutdown(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    idleTimer = null;
    if (pending === 0) void shutdownPageOrientation();
  }, IDLE_MS);
}

/**
 * Orientation of a page image (PNG of a band of text, about 1000 px on its short side). null when the
 * OSD data is not installed or tesseract finds no text to judge by.
 */
export async function detectOrientation(image: Buffer): Promise<OrientationGuess | null> {
  const data = osdData();
  if (!data) return null;
  if (!worker) {
    worker = startWorker(data);
    worker.catch(() => { worker = null; });
  }
  pending++;
  if (idleTimer) clearTimeout(idleTimer);
  try {
    const { data } = await (await worker).detect(image);
    if (data.orientation_degrees === null || data.orientation_confidence === null) return null;
    return { rotation: data.orientation_degrees as QuarterTurn, confidence: data.orientation_confidence };
  } finally {
    pending--;
    scheduleIdleShutdown();
  }
}

/** Ends the OSD worker now (the daemon's shutdown, the end of a test file). */
export async function shutdownPageOrientation(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  const current = worker;
  worker = null;
  await (await current?.catch(() => null))?.terminate();
}

// A one-off CLI command ends only once these threads do (src/cli/main.ts runs the hooks; it never imports this module itself).
onShutdown(shutdownPageOrientation);
