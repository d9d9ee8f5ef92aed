// Regenerates only the sample scans and phone photos (samples/scans/<form>-<set>-p<N>.*) from the PDF
// exports committed in samples/forms-pdf. Those PDFs come from LibreOffice and differ byte for byte on
// every export, so they are not remade here; the scans made from them are the same on every run.
//   npm run samples:scans
import path from 'node:path';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeScanSamples } from './lib/scan-images.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'samples');
const files = await writeScanSamples(root);
const bytes = files.reduce((sum, f) => sum + statSync(path.join(root, 'scans', f)).size, 0);
process.stdout.write(`${files.length} files written to ${path.join(root, 'scans')} (${(bytes / 2 ** 20).toFixed(1)} MiB)\n`);
