// The validator seam: one validator per form kind, with the schema of its rule file.
import type { z } from 'zod';
import type { ApplicationBase } from '../extract/forms/form-kind.ts';
import type { KindRules } from '../config/rules.ts';
import type { IsoDate } from '../shared/calendar.ts';
import type { Finding } from './findings.ts';
import type { DocumentFacts } from '../extract/documents/document-facts.ts';

/** A supporting document on the case (not the form): what it is, as far as it could be read. */
export interface SupportingDocument {
  filename: string;
  facts: DocumentFacts;
}

export interface ValidationContext {
  /** Tokyo date of receipt of the application (server time, never the processing clock). */
  received: IsoDate;
  /** Supporting documents (non-form attachments) on the case. */
  proofCount: number;
  /** The same documents with what was read from them (the exam report, other proofs). */
  documents: readonly SupportingDocument[];
  /**
   * How the application came: by mail (the default) or by post (a paper form staff scanned). The kind's rule
   * file says which required fields the channel makes optional (fields.optionalByChannel).
   */
  channel?: Channel;
}

/** How an application came, and so how its applicant is written to (a mail, or a printed letter). */
export type Channel = 'mail' | 'post';

export interface Validation {
  findings: Finding[];
  /** Figures we computed (points, periods, totals): stored with the case and shown to the reviewer. */
  computed: Record<string, unknown>;
}

export interface FormValidator<A extends ApplicationBase = ApplicationBase, R extends KindRules = KindRules> {
  kind: string;
  rulesSchema: z.ZodType<R>;
  validate(app: A, rules: R, ctx: ValidationContext): Validation;
  /** Expected fee and the payment key inputs (passer digits, name in kana) for matching. */
  paymentKey(app: A): { digits: string | null; kana: string | null; declared: string | null };
}
