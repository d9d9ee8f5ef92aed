// A form kind (renewal, certification, …): everything the product knows about one kind of application,
// in one object. Each stage's generic code asks the kind (through the registries the kind is registered in)
// instead of naming a kind's fields: the recogniser and mapper (extract), the validator with its rule file's
// schema and its field labels (validate), the reviewer summary (outbound), its finding codes, and where its
// transfer name and company are. A new kind is its own files plus one line in src/kinds/index.ts.
import type { ApplicationBase, FormMapper } from '../extract/forms/form-kind.ts';
import type { FormValidator } from '../validate/validator.ts';
import type { FindingCode } from '../validate/findings.ts';
import type { KindRules } from '../config/rules.ts';
import type { Summariser } from '../outbound/summaries/summary.ts';

export interface FormKind<A extends ApplicationBase = ApplicationBase, R extends KindRules = KindRules> {
  kind: string;
  mapper: FormMapper<A>;
  /** Checks the application against rules/<kind>.yaml (its schema: validator.rulesSchema). */
  validator: FormValidator<A, R>;
  summarise: Summariser;
  /** Where the kind's own fields sit on its form, in words an applicant understands (common fields are in validate/findings.ts). */
  fieldLabels: Record<string, string>;
  /** The finding codes its validator can give (SPEC §8), for staff screens and documentation. */
  findingCodes: readonly FindingCode[];
  /** The payment key inputs: passer digits, name in kana, the transfer name the applicant declared. */
  paymentKey(app: A): { digits: string | null; kana: string | null; declared: string | null };
  /** The company in kana, when the form asks for one (a company's bulk transfer names it). */
  companyKana(app: A): string | null;
  /** The application's lists of rows (CPD activities, experience periods), each row as one line of text. */
  rowLists: Record<string, (row: Record<string, unknown>) => string>;
}

/**
 * A kind as the registries hold it: its application type erased to the common base. Safe because every
 * facet is only ever called with an application its own mapper made (the case's kind selects the facet).
 */
export function eraseKind<A extends ApplicationBase, R extends KindRules>(k: FormKind<A, R>): FormKind {
  return k as unknown as FormKind;
}
