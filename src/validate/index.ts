// The validators of the registered form kinds (src/kinds/ registers each kind once), and the field labels
// each kind adds to the common ones.
import type { FormValidator } from './validator.ts';
import { registerFieldLabels } from './findings.ts';

const VALIDATORS = new Map<string, FormValidator>();

/** Called by src/kinds/ for each form kind. */
export function registerValidator(validator: FormValidator, labels: Record<string, string> = {}): void {
  VALIDATORS.set(validator.kind, validator);
  registerFieldLabels(validator.kind, labels);
}

export function validatorFor(kind: string): FormValidator | undefined {
  return VALIDATORS.get(kind);
}

export type { Channel, FormValidator, Validation, ValidationContext } from './validator.ts';
export type { Finding, Audience, FindingCode } from './findings.ts';
