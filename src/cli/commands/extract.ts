// `conken extract`: read a form and print its fields with where each came from. A .docx or a text PDF is
// read without the OCR and image libraries; they are loaded only for a scan or photos.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { extractFile } from '../../extract/extract-file.ts';
import { print } from '../common.ts';

export async function extract(files: string[], options: { json?: boolean }): Promise<void> {
  const file = files[0]!;
  // The form kinds (recognising a form asks them; they give each kind's row text below) load on this thread
  // while the reading worker starts and parses the file on another.
  const kinds = import('../../kinds/index.ts');
  const verdict = files.length === 1 ? await extractFile(readFileSync(file), path.basename(file), { ready: kinds }) : null;
  const { formKind } = await kinds;
  if (!verdict || (verdict.role === 'document' && (verdict.type === 'pdf' || verdict.type === 'jpeg' || verdict.type === 'png' || verdict.type === 'tiff'))) {
    // A scan or photos: read by OCR, every value with its confidence; those below the threshold listed.
    const { loadConfig } = await import('../../config/config.ts');
    const { loadRules } = await import('../../app/load-rules.ts');
    const { extractScannedForm, NotAScannedFormError } = await import('../../extract/extract-scan.ts');
    const config = loadConfig();
    const minConfidence = loadRules(config.rulesDir).intake.ocr.minConfidence;
    try {
      const scanned = await extractScannedForm(files.map((f) => ({ bytes: readFileSync(f), name: path.basename(f) })), minConfidence);
      const out = { ...(scanned.application as unknown as Record<string, unknown>), ocr: { minConfidence, unconfirmed: scanned.unconfirmed.map(({ crop: _crop, ...u }) => u) } };
      print(options.json, out, () => [`${files.join(' + ')}: ${scanned.kind} form (OCR)`, ...Object.entries(scanned.application).filter(([k, v]) => !['sources', 'invalid', 'kind'].includes(k) && (v === null || typeof v !== 'object')).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}${scanned.application.sources[k] ? ` (${Math.round(scanned.application.sources[k]!.confidence * 100)}%)` : ''}`), ...scanned.unconfirmed.map((u) => `  ? ${u.field}: "${u.text.slice(0, 40)}" ${u.confidence}% — 要確認`)].join('\n'));
    } catch (error) {
      if (!(error instanceof NotAScannedFormError)) throw error;
      print(options.json, { files: files.map((f) => path.basename(f)), role: 'document', error: error.message }, () => `${files.join(' + ')}: not an application form: ${error.message}`);
      process.exitCode = 3;
    }
    return;
  }
  if (verdict.role !== 'form') {
    const reason = 'reason' in verdict ? verdict.reason : verdict.note;
    print(options.json, { file: path.basename(file), type: verdict.type, role: verdict.role, error: reason }, () => `${file}: not an application form (${verdict.type}, ${verdict.role}): ${reason}`);
    process.exitCode = 3;
    return;
  }
  const app = verdict.application as unknown as Record<string, unknown>;
  print(options.json, app, () => {
    const sources = app.sources as Record<string, { text: string; location: string }>;
    const lines = [`${file}: ${verdict.kind} form`];
    for (const [k, v] of Object.entries(app)) {
      if (k === 'sources' || k === 'invalid' || k === 'kind') continue;
      const rowText = formKind(verdict.kind)?.rowLists[k];
      if (Array.isArray(v) && rowText) {
        lines.push(`  ${k}: ${v.length} rows`);
        for (const r of v as Record<string, unknown>[]) lines.push(`    ${rowText(r)}`);
        continue;
      }
      const src = sources[k];
      lines.push(`  ${k}: ${JSON.stringify(v)}${src ? `   ← "${src.text.replace(/\s+/g, ' ').trim().slice(0, 60)}" (${src.location})` : ''}`);
    }
    const invalid = app.invalid as Record<string, string>;
    for (const [k, reason] of Object.entries(invalid)) lines.push(`  ! ${k}: ${reason}`);
    return lines.join('\n');
  });
}
