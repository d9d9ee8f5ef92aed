// The registry of form kinds: one line per kind. Registering a kind plugs each of its facets into the stage
// that uses it (the extract stage's recogniser, the validators and field labels, the reviewer summaries), so
// the generic code of every stage asks the kind. Importing this module registers the built-in kinds.
import type { FormKind } from './form-kind.ts';
import { registerFormMapper } from '../extract/forms/index.ts';
import { registerValidator } from '../validate/index.ts';
import { registerSummariser } from '../outbound/summaries/index.ts';
import { renewalKind } from './renewal.ts';
import { certificationKind } from './certification.ts';

const KINDS = new Map<string, FormKind>();

/** Plugs a form kind in (the built-in ones below; a test may register a kind of its own). */
export function registerFormKind(kind: FormKind): void {
  KINDS.set(kind.kind, kind);
  registerFormMapper(kind.mapper);
  registerValidator(kind.validator, kind.fieldLabels);
  registerSummariser(kind.kind, kind.summarise);
}

export function formKind(kind: string): FormKind | undefined {
  return KINDS.get(kind);
}

export function formKinds(): FormKind[] {
  return [...KINDS.values()];
}

registerFormKind(renewalKind);
registerFormKind(certificationKind);

export type { FormKind };
