// The reading worker (see isolated-read.ts): parses one untrusted file at a time with the readers, which
// load mammoth and pdf.js here, never on the main thread. Replies carry the result or the reason the file
// could not be read (staff's words and the applicant's category), and the heap in use after the file.
import { parentPort } from 'node:worker_threads';
import { readerFor } from './readers/index.ts';
import { loadDocxReader } from './readers/docx.ts';
import { pdfPageCountInProcess, renderPdfPagesInProcess } from './readers/pdf.ts';
import { UnreadableFileError } from './readers/reader.ts';
import type { IsolatedTask } from './isolated-read.ts';

async function run(task: IsolatedTask): Promise<unknown> {
  switch (task.op) {
    case 'read': return readerFor(task.format)!.read(task.bytes, task.filename);
    case 'render-pdf': return renderPdfPagesInProcess(task.bytes, task.pages, task.scale);
    case 'pdf-page-count': return pdfPageCountInProcess(task.bytes);
  }
}

parentPort!.on('message', async ({ id, task }: { id: number; task: IsolatedTask }) => {
  let reply: { ok: boolean; result?: unknown; error?: { message: string; problem: string } };
  try {
    reply = { ok: true, result: await run(task) };
  } catch (error) {
    reply = error instanceof UnreadableFileError
      ? { ok: false, error: { message: error.message, problem: error.problem } }
      : { ok: false, error: { message: `読み取り中にエラー: ${(error as Error)?.message ?? String(error)}`, problem: 'damaged' } };
  }
  parentPort!.postMessage({ id, ...reply, heapUsed: process.memoryUsage().heapUsed });
});

// Most files are forms in Word: the reader's library loads now, while the worker waits for its first file
// (a message that arrives meanwhile is handled right after).
setImmediate(loadDocxReader);
