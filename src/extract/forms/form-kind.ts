// The form-kind seam: a kind of application form (renewal, certification, …) is one mapper that
// recognises the form in a document model and maps it to that kind's application object.
import type { DocumentModel, Provenance } from '../document.ts';

/** Fields common to every application; each kind adds its own. */
export interface ApplicationBase {
  kind: string;
  /** Provenance of each field, keyed like the field (rows keep theirs inside the row). */
  sources: Record<string, Provenance>;
  /** Fields whose text is present but cannot be read as the type they need (→ field.invalid). */
  invalid: Record<string, string>;
}

export interface FormMapper<A extends ApplicationBase = ApplicationBase> {
  kind: string;
  /** 0..1: how sure we are that the document is this form. */
  recognise(doc: DocumentModel): number;
  map(doc: DocumentModel): A;
}

/** Below this score a document is not taken for a form of that kind (it may be a proof document). */
export const RECOGNITION_THRESHOLD = 0.5;

/** Every field of an application with its evidence, rows included (`cpd[2].title`). */
export function fieldSources(app: ApplicationBase): Map<string, Provenance> {
  const out = new Map<string, Provenance>();
  for (const [field, source] of Object.entries(app.sources)) if (source) out.set(field, source);
  for (const [key, value] of Object.entries(app)) {
    if (!Array.isArray(value)) continue;
    value.forEach((row: { sources?: Record<string, Provenance | undefined> }, i) => {
      for (const [field, source] of Object.entries(row?.sources ?? {})) if (source) out.set(`${key}[${i + 1}].${field}`, source);
    });
  }
  return out;
}

/**
 * Every scalar value of an application, rows included (`experience[1].from`, 1-based rows as in
 * findings), with the confidence of the text it came from (1 where no evidence is kept). Whitespace
 * is dropped from the values so that readings compare by content.
 */
/** How a signature was made (image, typed) rests on the evidence of whether it is signed. */
function signedOf(key: string): string {
  return key.replace(/ignature$/, 'igned');
}

export function applicationValues(app: ApplicationBase): Map<string, { value: string; confidence: number }> {
  const out = new Map<string, { value: string; confidence: number }>();
  const sources = app.sources;
  const norm = (v: unknown) => String(v).replace(/[\s\u3000]/g, '');
  const skip = new Set(['sources', 'invalid', 'kind', 'qualificationMarked']);
  for (const [k, v] of Object.entries(app)) {
    if (skip.has(k)) continue;
    if (Array.isArray(v)) {
      v.forEach((row: Record<string, unknown>, i) => {
        const rs = (row.sources ?? {}) as Record<string, Provenance | undefined>;
        for (const [rk, rv] of Object.entries(row)) {
          if (['sources', 'invalid', 'rowInGrid', 'category', 'year', 'grid'].includes(rk) || rv === null) continue;
          const src = rs[rk] ?? (rk === 'from' || rk === 'to' || rk === 'ongoing' ? rs.period : undefined);
          out.set(`${k}[${i + 1}].${rk}`, { value: norm(rv), confidence: src?.confidence ?? 1 });
        }
      });
    } else if (v && typeof v === 'object') {
      for (const [ck, cv] of Object.entries(v)) if (cv !== null && typeof cv !== 'object') out.set(`${k}.${ck}`, { value: norm(cv), confidence: (sources[`${k}.${ck}`] ?? sources[`${k}.${signedOf(ck)}`])?.confidence ?? 1 });
    } else if (v !== null) out.set(k, { value: norm(v), confidence: (sources[k] ?? sources[signedOf(k)])?.confidence ?? 1 });
  }
  return out;
}
