// Form-kind registry: a new kind of application form is one mapper added here.
import type { DocumentModel } from '../document.ts';
import { RECOGNITION_THRESHOLD, type ApplicationBase, type FormMapper } from './form-kind.ts';
import { renewalMapper } from './renewal.ts';
import { certificationMapper } from './certification.ts';

export const FORM_MAPPERS: readonly FormMapper[] = [renewalMapper, certificationMapper];

/** The form kind a document is, by its content (never by file name or subject), or undefined. */
export function recogniseForm(doc: DocumentModel): { mapper: FormMapper; score: number } | undefined {
  let best: { mapper: FormMapper; score: number } | undefined;
  for (const mapper of FORM_MAPPERS) {
    const score = mapper.recognise(doc);
    if (score >= RECOGNITION_THRESHOLD && (!best || score > best.score)) best = { mapper, score };
  }
  return best;
}

export function mapperFor(kind: string): FormMapper | undefined {
  return FORM_MAPPERS.find((m) => m.kind === kind);
}

export type { ApplicationBase, FormMapper };
