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
