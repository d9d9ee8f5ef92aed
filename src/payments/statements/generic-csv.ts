// The generic CSV: column mappings finance configures in rules/statements.yaml for exports we do not
// know by name. Validated by zod at start-up like every rule file.
import { z } from 'zod';
import type { CsvLayout } from './csv-layout.ts';

const columnNames = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

export const genericLayoutSchema = z.object({
  /** Short id, recorded with each import as csv-generic:<name>. */
  name: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and hyphens'),
  label: z.string().min(1),
  columns: z.object({
    date: columnNames,
    name: columnNames,
    credit: columnNames.optional(),
    debit: columnNames.optional(),
    signedAmount: columnNames.optional(),
    reference: columnNames.optional(),
    valueDate: columnNames.optional(),
  }).strict().refine((c) => (c.credit ? !c.signedAmount : !!c.signedAmount), 'give either credit (with optional debit) or signedAmount'),
  stripPrefixes: z.array(z.string().min(1)).default([]),
}).strict();

export const statementRulesSchema = z.object({
  /** Zengin YYMMDD dates: how far back and ahead a date may plausibly lie when deciding 和暦 or 西暦. */
  zengin: z.object({
    lookbackYears: z.number().int().positive().default(10),
    futureDays: z.number().int().nonnegative().default(31),
  }).strict().prefault({}),
  genericCsv: z.array(genericLayoutSchema).default([]),
}).strict();
export type StatementRules = z.infer<typeof statementRulesSchema>;

export const DEFAULT_STATEMENT_RULES: StatementRules = statementRulesSchema.parse({});

export function genericLayouts(rules: StatementRules): CsvLayout[] {
  return rules.genericCsv.map((g) => ({
    format: `csv-generic:${g.name}`,
    label: g.label,
    columns: {
      date: g.columns.date, name: g.columns.name,
      ...(g.columns.credit ? { credit: g.columns.credit } : {}), ...(g.columns.debit ? { debit: g.columns.debit } : {}),
      ...(g.columns.signedAmount ? { signedAmount: g.columns.signedAmount } : {}), ...(g.columns.reference ? { reference: g.columns.reference } : {}),
      ...(g.columns.valueDate ? { valueDate: g.columns.valueDate } : {}),
    },
    stripPrefixes: g.stripPrefixes,
  }));
}
