// On paper — a scan, or a PDF (a print of the form whose tables can break across pages, a row then lost to
// the table reader) — a signature or a ticked box whose cell was not found is not known to be missing.
import type { ApplicationBase } from './forms/form-kind.ts';

/**
 * Every `false` without evidence (its cell not found) gets evidence of confidence 0, so a person looks
 * instead of the applicant being asked to sign or tick what they may well have signed or ticked.
 */
export function markUnfoundMarks(app: ApplicationBase, file: string): void {
  const unfound = (field: string) => { app.sources[field] ??= { file, location: '（見つかりません）', text: '欄が見つかりません', confidence: 0 }; };
  for (const [key, value] of Object.entries(app)) {
    if (value === false) unfound(key);
    else if (value && typeof value === 'object' && !Array.isArray(value) && key !== 'sources' && key !== 'invalid') {
      for (const [inner, v] of Object.entries(value)) if (v === false) unfound(`${key}.${inner}`);
    }
  }
}
