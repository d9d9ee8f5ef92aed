// The reviewer summaries of the form kinds, as each kind registers its own (src/kinds/); a kind without one
// gets every scalar field as it was read.
import { labelValueTable, type Summariser } from './summary.ts';

const SUMMARISERS = new Map<string, Summariser>();

/** Called by src/kinds/ for each form kind. */
export function registerSummariser(kind: string, summarise: Summariser): void {
  SUMMARISERS.set(kind, summarise);
}

/** Fallback for a kind without its own summary: every scalar field as it was read. */
const generic: Summariser = (application) => ({
  fieldsTable: labelValueTable(Object.entries(application)
    .filter(([k, v]) => !['sources', 'invalid', 'kind'].includes(k) && (v === null || typeof v !== 'object'))
    .map(([k, v]) => [k, v === null ? '（空欄）' : String(v)])),
  sections: [],
});

export function summariserFor(kind: string): Summariser {
  return SUMMARISERS.get(kind) ?? generic;
}
