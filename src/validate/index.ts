// Validator registry: a new form kind adds its validator (and its rules/<kind>.yaml) here.
import type { FormValidator } from './validator.ts';
import { renewalValidator } from './renewal.ts';
import { certificationValidator } from './certification.ts';

export const VALIDATORS: readonly FormValidator[] = [renewalValidator as unknown as FormValidator, certificationValidator as unknown as FormValidator];

export function validatorFor(kind: string): FormValidator | undefined {
  return VALIDATORS.find((v) => v.kind === kind);
}

export type { FormValidator, Validation, ValidationContext } from './validator.ts';
export type { Finding, Audience, FindingCode } from './findings.ts';
