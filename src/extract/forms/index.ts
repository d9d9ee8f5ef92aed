// The form mappers of the registered form kinds (src/kinds/ registers each kind once): recognising a
// document as a kind's form by its content, never by file name or subject.
import type { DocumentModel } from '../document.ts';
import { RECOGNITION_THRESHOLD, type ApplicationBase, type FormMapper } from './form-kind.ts';

const MAPPERS = new Map<string, FormMapper>();

/** Called by src/kinds/ for each form kind. */
export function registerFormMapper(mapper: FormMapper): void {
  MAPPERS.set(mapper.kind, mapper);
}

/** The form kind a document is, by its content (never by file name or subject), or undefined. */
export function recogniseForm(doc: DocumentModel): { mapper: FormMapper; score: number } | undefined {
  if (MAPPERS.size === 0) throw new Error('no form kinds registered: import src/kinds/index.ts first');
  let best: { mapper: FormMapper; score: number } | undefined;
  for (const mapper of MAPPERS.values()) {
    const score = mapper.recognise(doc);
    if (score >= RECOGNITION_THRESHOLD && (!best || score > best.score)) best = { mapper, score };
  }
  return best;
}

export function mapperFor(kind: string): FormMapper | undefined {
  return MAPPERS.get(kind);
}

export type { ApplicationBase, FormMapper };
